import crypto from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { FhirError } from './errors.js';
import type { RecordDeps } from './record-context.js';

/** How long a lease lasts if its holder dies without giving it back. */
const LEASE_TERM_MS = 30_000;
/** Tries before a waiting request gives up (with the back-off below, a few seconds). */
const MAX_TRIES = 200;

/** Per opened Haven (its lease repository): two in one process contend like two processes. */
const queuesOf = new WeakMap<object, Map<string, Promise<unknown>>>();
const processHolder = crypto.randomUUID();

/**
 * Runs `task` when no other request runs work of the same `name`, in this process or any other
 * sharing the database (`serve --workers N`, several instances). In this process requests queue
 * in order; across processes a database lease (store/lease-repository.ts) decides, and a
 * waiting request backs off and tries again. It is used where a search and a write must not
 * interleave: a conditional create (two retries would both find nothing and both create).
 * A lease left by a dead process lapses after its term (by the injectable clock). If the lease
 * cannot be had in time the request is refused 503 `transient` and nothing is written.
 */
export function oneAtATime<T>(deps: RecordDeps, name: string, task: () => Promise<T>): Promise<T> {
  let queues = queuesOf.get(deps.leases);
  if (!queues) queuesOf.set(deps.leases, (queues = new Map()));
  const before = queues.get(name) ?? Promise.resolve();
  const inProcess = () => underLease(deps, name, task);
  const run = before.then(inProcess, inProcess);
  const tail = run.catch(() => undefined);
  queues.set(name, tail);
  void tail.then(() => {
    if (queues.get(name) === tail) queues.delete(name);
  });
  return run;
}

async function underLease<T>(deps: RecordDeps, name: string, task: () => Promise<T>): Promise<T> {
  const holder = `${processHolder}:${crypto.randomUUID()}`;
  for (let tries = 0; ; tries += 1) {
    const now = deps.clock();
    const until = new Date(now.getTime() + LEASE_TERM_MS).toISOString();
    if (await deps.leases.tryTake(name, holder, now.toISOString(), until)) break;
    if (tries >= MAX_TRIES)
      throw new FhirError(
        503,
        'transient',
        'the server is busy with the same kind of write; retry',
      );
    // Another process holds it: back off a little, with jitter so waiters do not march in step.
    await sleep(2 + Math.floor(Math.random() * Math.min(40, 2 + tries * 2)));
  }
  try {
    return await task();
  } finally {
    await deps.leases.give(name, holder).catch(() => undefined);
  }
}
