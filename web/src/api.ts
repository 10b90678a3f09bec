/**
 * The one way the app talks to Haven: same-origin fetches to /api and /fhir/R4, cookies sent by
 * the browser, the CSRF token echoed on every state-changing request, nothing cached by the
 * browser. Errors become ApiProblem with the server's code and request id (src/http/errors.ts).
 */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId: string | undefined,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiProblem';
  }
}

const CSRF_COOKIE = '__Host-haven_csrf';

function csrfToken(): string | undefined {
  for (const part of document.cookie.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === CSRF_COOKIE) return rest.join('=') || undefined;
  }
  return undefined;
}

type Listener = (problem: ApiProblem) => void;
const sessionLostListeners = new Set<Listener>();

/** Called whenever the server answers that there is no session (ended, idle, disabled). */
export function onSessionLost(listener: Listener): () => void {
  sessionLostListeners.add(listener);
  return () => sessionLostListeners.delete(listener);
}

export async function request<T>(
  method: string,
  path: string,
  body?: unknown,
  /** A FHIR version to write on top of (If-Match), so a concurrent change is not overwritten. */
  ifMatchVersion?: string,
): Promise<T> {
  const headers: Record<string, string> = {
    accept: path.startsWith('/fhir/') ? 'application/fhir+json' : 'application/json',
  };
  if (body !== undefined)
    headers['content-type'] = path.startsWith('/fhir/')
      ? 'application/fhir+json'
      : 'application/json';
  if (ifMatchVersion !== undefined) headers['if-match'] = `W/"${ifMatchVersion}"`;
  if (method !== 'GET' && method !== 'HEAD') {
    const token = csrfToken();
    if (token) headers['x-csrf-token'] = token;
  }
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      cache: 'no-store',
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch {
    throw new ApiProblem(
      0,
      'network',
      'Haven could not be reached. Check your connection.',
      undefined,
    );
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (res.ok) return json as T;
  const problem = problemOf(res, json);
  if (problem.code === 'session-required' || (res.status === 401 && problem.code === 'login')) {
    for (const l of sessionLostListeners) l(problem);
  }
  throw problem;
}

function problemOf(res: Response, json: unknown): ApiProblem {
  const requestId = res.headers.get('x-request-id') ?? undefined;
  const obj = (json ?? {}) as {
    error?: { code?: string; message?: string; requestId?: string } & Record<string, unknown>;
    resourceType?: string;
    issue?: { code?: string; diagnostics?: string }[];
  };
  if (obj.error) {
    const { code, message, requestId: id, ...extra } = obj.error;
    return new ApiProblem(
      res.status,
      code ?? 'error',
      message ?? 'The request failed.',
      id ?? requestId,
      extra,
    );
  }
  if (obj.resourceType === 'OperationOutcome') {
    const issue = obj.issue?.[0];
    return new ApiProblem(
      res.status,
      issue?.code ?? 'error',
      issue?.diagnostics ?? 'The request failed.',
      requestId,
    );
  }
  return new ApiProblem(res.status, 'error', `The request failed (HTTP ${res.status}).`, requestId);
}

export const get = <T>(path: string) => request<T>('GET', path);
export const post = <T>(path: string, body?: unknown) => request<T>('POST', path, body);
