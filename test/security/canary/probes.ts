import type { Fixtures, Json, RouteCase } from './route-cases.js';

/**
 * The probes of one route: its valid-looking request with canaries put, one place at a time, in
 * every part of the input a client controls. A canary is unique per probe, contains digits (so
 * it is never a resource type, a role or a scope's type) and is a valid FHIR id (so it gets past
 * id checks and reaches the code behind them).
 */
export interface Probe {
  label: string;
  /** 'value': the canary is data in a value slot; 'name': anything else (keys, headers, ...). */
  kind: 'value' | 'name';
  path: string;
  query: Array<[string, string]>;
  headers: Record<string, string>;
  body?: string;
  canaries: string[];
}

export const CANARY_MARK = /qz7canary\d+k/i;
let seq = 0;
/** A fresh canary (lower case: FHIR ids, emails and parameter names all accept it). */
export const canary = (): string => `qz7canary${++seq}k`;

export interface ProbeOptions {
  /** PostgreSQL's subset: the cheap, representative probes only. */
  subset: boolean;
}

export function probesOf(routeUrl: string, rc: RouteCase, f: Fixtures, o: ProbeOptions): Probe[] {
  const params = Object.fromEntries(
    Object.entries(rc.params ?? {}).map(([k, v]) => [k, typeof v === 'function' ? v(f) : v]),
  );
  const body = typeof rc.body === 'function' ? rc.body(f) : rc.body;
  const base: {
    path: string;
    query: Array<[string, string]>;
    headers: Record<string, string>;
    body: string | undefined;
  } = {
    path: fill(routeUrl, params),
    query: rc.query ?? [],
    headers: rc.body !== undefined ? { 'content-type': rc.contentType ?? 'application/json' } : {},
    body: body === undefined ? undefined : JSON.stringify(body),
  };
  if (rc.form) {
    base.headers = { 'content-type': 'application/x-www-form-urlencoded' };
    base.body = new URLSearchParams(rc.form).toString();
  }
  const out: Probe[] = [];
  const add = (label: string, kind: Probe['kind'], p: Partial<Probe>, canaries: string[]) =>
    out.push({ label, kind, ...base, ...p, headers: { ...base.headers, ...p.headers }, canaries });

  // Path parameters: a canary value, one that does not decode, one far too long.
  for (const name of Object.keys(params)) {
    const c = canary();
    add(`path :${name}`, 'value', { path: fill(routeUrl, { ...params, [name]: c }) }, [c]);
    const d = canary();
    add(
      `path :${name} undecodable`,
      'name',
      { path: fill(routeUrl, { ...params, [name]: `${d}%zz` }) },
      [d],
    );
    if (!o.subset) {
      const l = canary();
      add(
        `path :${name} too long`,
        'name',
        { path: fill(routeUrl, { ...params, [name]: `${'a'.repeat(120)}${l}` }) },
        [l],
      );
    }
  }
  const extra = canary();
  add('extra path segment', 'name', { path: `${base.path}/${extra}` }, [extra]);

  // Query: an unknown name, a modifier, each defined parameter's value.
  const qn = canary();
  add('unknown query parameter', 'name', { query: [...base.query, [qn, qn]] }, [qn]);
  if (!o.subset) {
    const qp = canary();
    add('query name with odd characters', 'name', { query: [...base.query, [`${qp}<"'>`, 'x']] }, [
      qp,
    ]);
    base.query.forEach(([name], i) => {
      const v = canary();
      add(`query ${name} value`, 'value', { query: replaceAt(base.query, i, [name, v]) }, [v]);
      const m = canary();
      add(
        `query ${name} modifier`,
        'name',
        { query: replaceAt(base.query, i, [`${name}:${m}`, 'x']) },
        [m],
      );
      const ch = canary();
      add(
        `query ${name} chain`,
        'name',
        { query: replaceAt(base.query, i, [`${name}.${ch}`, 'x']) },
        [ch],
      );
    });
  }

  // Headers: their values, and a header of the client's own naming.
  for (const [header, make] of HEADERS) {
    if (o.subset && !SUBSET_HEADERS.has(header)) continue;
    const c = canary();
    add(
      `header ${header}`,
      header === 'x-security-context' ? 'value' : 'name',
      { headers: { [header]: make(c) } },
      [c],
    );
  }
  const hn = canary();
  add('header name', 'name', { headers: { [`x-${hn}`]: hn } }, [hn]);

  // Body: every value at once, each value, each key renamed, an extra key at every level,
  // malformed JSON, a body that is only a string.
  if (base.body !== undefined && rc.form) {
    rc.form.forEach(([name], i) => {
      const v = canary();
      add(
        `form ${name} value`,
        'value',
        {
          body: new URLSearchParams(replaceAt<[string, string]>(rc.form!, i, [name, v])).toString(),
        },
        [v],
      );
    });
    const fn = canary();
    add(
      'form unknown name',
      'name',
      { body: new URLSearchParams([...rc.form, [fn, fn]]).toString() },
      [fn],
    );
  } else if (body !== undefined) {
    const all: string[] = [];
    add(
      'every body value',
      'value',
      { body: JSON.stringify(mapLeaves(body, () => pushed(all, canary()))) },
      all,
    );
    const raw = canary();
    add('malformed JSON', 'name', { body: `{"${raw}": "${raw}` }, [raw]);
    const str = canary();
    add('a string body', 'value', { body: JSON.stringify(str) }, [str]);
    for (const at of o.subset ? [] : leafPaths(body)) {
      const c = canary();
      add(
        `body value ${at.join('.')}`,
        'value',
        { body: JSON.stringify(setAt(body, at, shaped(getAt(body, at), c))) },
        [c],
      );
    }
    for (const at of o.subset ? keyPaths(body).slice(0, 1) : keyPaths(body)) {
      const c = canary();
      add(`body key ${at.join('.')}`, 'name', { body: JSON.stringify(renameAt(body, at, c)) }, [c]);
    }
    for (const at of o.subset ? [] : objectPaths(body)) {
      const c = canary();
      add(
        `extra body key at ${at.join('.') || 'root'}`,
        'name',
        { body: JSON.stringify(addKeyAt(body, at, c)) },
        [c],
      );
    }
  } else {
    const c = canary();
    add(
      'unexpected body',
      'name',
      { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ [c]: c }) },
      [c],
    );
  }
  return out;
}

const HEADERS: Array<[string, (c: string) => string]> = [
  ['user-agent', (c) => `Mozilla/5.0 ${c}`],
  ['referer', (c) => `https://${c}.example.test/${c}`],
  ['x-forwarded-for', (c) => `203.0.113.9, ${c}`],
  ['forwarded', (c) => `for=${c}`],
  ['accept', (c) => `application/${c}`],
  ['accept-language', (c) => c],
  ['content-type', (c) => `application/${c}`],
  ['if-match', (c) => `W/"${c}"`],
  ['if-none-match', (c) => `W/"${c}"`],
  ['prefer', (c) => `return=${c}`],
  ['x-security-context', (c) => `Patient/${c}`],
  ['x-request-id', (c) => c],
  ['x-csrf-token', (c) => c],
  ['origin', (c) => `https://${c}.example.test`],
  ['sec-fetch-site', (c) => c],
  ['authorization', (c) => `Bearer ${c}`],
  ['cookie', (c) => `__Host-haven_session=${c}; ${c}=${c}`],
];
const SUBSET_HEADERS = new Set(['user-agent', 'authorization', 'cookie', 'content-type']);

function fill(url: string, params: Record<string, string>): string {
  return url.replace(/:(\w+)/g, (_m, name: string) => params[name] ?? 'x');
}

function replaceAt<T>(list: T[], i: number, item: T): T[] {
  return list.map((x, j) => (j === i ? item : x));
}

function pushed(list: string[], c: string): string {
  list.push(c);
  return c;
}

/** A canary in the shape the slot expects, so it passes shape checks and goes deeper. */
function shaped(original: Json, c: string): Json {
  if (typeof original !== 'string') return c;
  if (original.includes('@')) return `${c}@example.test`;
  if (/^[A-Z][A-Za-z]+\/[\w.-]+$/.test(original)) return original.replace(/\/.*/, `/${c}`);
  if (/^\d{4}-\d{2}-\d{2}$/.test(original)) return `${c}-01-01`;
  if (original.length >= 10) return `${original} ${c}`; // e.g. a reason with a minimum length
  return c;
}

type Path = Array<string | number>;

function mapLeaves(v: Json, f: () => string): Json {
  if (Array.isArray(v)) return v.map((x) => mapLeaves(x, f));
  if (v !== null && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, mapLeaves(x, f)]));
  return f();
}

function leafPaths(v: Json, at: Path = []): Path[] {
  if (Array.isArray(v)) return v.flatMap((x, i) => leafPaths(x, [...at, i]));
  if (v !== null && typeof v === 'object')
    return Object.entries(v).flatMap(([k, x]) => leafPaths(x, [...at, k]));
  return [at];
}

/** Paths of every object key (the last element is the key). */
function keyPaths(v: Json, at: Path = []): Path[] {
  if (Array.isArray(v)) return v.flatMap((x, i) => keyPaths(x, [...at, i]));
  if (v !== null && typeof v === 'object')
    return Object.entries(v).flatMap(([k, x]) => [[...at, k], ...keyPaths(x, [...at, k])]);
  return [];
}

function objectPaths(v: Json, at: Path = []): Path[] {
  if (Array.isArray(v)) return v.flatMap((x, i) => objectPaths(x, [...at, i]));
  if (v !== null && typeof v === 'object')
    return [at, ...Object.entries(v).flatMap(([k, x]) => objectPaths(x, [...at, k]))];
  return [];
}

function getAt(v: Json, at: Path): Json {
  return at.reduce<Json>((x, k) => (x as Record<string, Json>)[k as string]!, v);
}

/** A copy of `v` with the node at `at` changed by `f` (the root when `at` is empty). */
function update(v: Json, at: Path, f: (node: Json) => Json): Json {
  if (at.length === 0) return f(v);
  const [k, ...rest] = at;
  if (Array.isArray(v)) return v.map((x, i) => (i === k ? update(x, rest, f) : x));
  const o = v as Record<string, Json>;
  return Object.fromEntries(
    Object.entries(o).map(([key, x]) => [key, key === k ? update(x, rest, f) : x]),
  );
}

function setAt(v: Json, at: Path, value: Json): Json {
  return update(v, at, () => value);
}

function renameAt(v: Json, at: Path, name: string): Json {
  const key = at.at(-1) as string;
  return update(v, at.slice(0, -1), (node) =>
    Object.fromEntries(
      Object.entries(node as Record<string, Json>).map(([k, x]) => [k === key ? name : k, x]),
    ),
  );
}

function addKeyAt(v: Json, at: Path, c: string): Json {
  return update(v, at, (node) => ({ ...(node as Record<string, Json>), [c]: c }));
}
