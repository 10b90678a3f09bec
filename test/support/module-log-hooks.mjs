// Module-loader hooks (they run on the loader thread): append each resolved URL to the log.
import fs from 'node:fs';

let log;

export function initialize(file) {
  log = file;
}

export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  if (log) fs.appendFileSync(log, `${resolved.url}\n`);
  return resolved;
}
