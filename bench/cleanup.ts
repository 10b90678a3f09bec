/** Temp dirs and PostgreSQL schemas are removed even when the bench is interrupted (Ctrl-C, kill). */
const pending = new Set<() => Promise<void> | void>();

/** Registers a cleanup; returns a function that runs it once and unregisters it. */
export function onCleanup(fn: () => Promise<void> | void): () => Promise<void> {
  let done = false;
  const run = async () => {
    if (done) return;
    done = true;
    pending.delete(run);
    await fn();
  };
  pending.add(run);
  return run;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: cleaning up ${pending.size} temporary location(s)`);
    Promise.allSettled([...pending].map((f) => f())).finally(() => process.exit(130));
  });
}
