import type { TestResponse, TestServer } from './haven-server.js';

/**
 * A Bulk Data Access IG (v2) client, written from the specification and nothing of Haven's:
 * kick-off with `Prefer: respond-async`, poll the Content-Location until 200, read the
 * manifest, download every output file with the same bearer token and parse its NDJSON.
 * Polls without sleeping (each poll is a round trip; the server's job runs meanwhile).
 * `token` null: the test server's own integration token.
 */
export interface BulkManifest {
  transactionTime: string;
  request: string;
  requiresAccessToken: boolean;
  output: { type: string; url: string; count?: number }[];
  error: { type: string; url: string }[];
}

export interface BulkResult {
  statusPath: string;
  manifest: BulkManifest;
  /** Resources by type, from every file of that type. */
  resources: Map<string, Record<string, unknown>[]>;
  polls: number;
  progress: string[];
}

export async function kickOff(
  t: TestServer,
  path: string,
  token: string | null,
  headers: Record<string, string> = {},
): Promise<TestResponse> {
  return t.request('GET', path, {
    token: token ?? undefined,
    headers: { accept: 'application/fhir+json', prefer: 'respond-async', ...headers },
  });
}

export async function pollUntilDone(
  t: TestServer,
  statusPath: string,
  token: string | null,
  maxPolls = 2000,
): Promise<{ res: TestResponse; polls: number; progress: string[] }> {
  const progress: string[] = [];
  for (let polls = 1; polls <= maxPolls; polls++) {
    const res = await t.request('GET', statusPath, {
      token: token ?? undefined,
      headers: { accept: 'application/json' },
    });
    if (res.status !== 202) return { res, polls, progress };
    progress.push(String(res.headers['x-progress'] ?? ''));
    await new Promise((r) => setImmediate(r));
  }
  throw new Error('the export did not finish');
}

export async function bulkExport(
  t: TestServer,
  path: string,
  token: string | null,
): Promise<BulkResult> {
  const kick = await kickOff(t, path, token);
  if (kick.status !== 202) throw new Error(`kick-off answered ${kick.status}: ${kick.text}`);
  const statusPath = new URL(String(kick.headers['content-location'])).pathname;
  const { res, polls, progress } = await pollUntilDone(t, statusPath, token);
  if (res.status !== 200) throw new Error(`status answered ${res.status}: ${res.text}`);
  const manifest = res.json() as unknown as BulkManifest;
  const resources = new Map<string, Record<string, unknown>[]>();
  for (const out of manifest.output) {
    const file = await t.request('GET', new URL(out.url).pathname, {
      token: token ?? undefined,
      headers: { accept: 'application/fhir+ndjson' },
    });
    if (file.status !== 200) throw new Error(`file answered ${file.status}`);
    const lines = file.text.split('\n').filter((l) => l.length > 0);
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    resources.set(out.type, [...(resources.get(out.type) ?? []), ...parsed]);
  }
  return { statusPath, manifest, resources, polls, progress };
}
