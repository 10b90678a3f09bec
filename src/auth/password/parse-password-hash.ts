import { parseOptions } from '@node-rs/argon2';
import { MalformedPasswordHashError } from './errors.js';

/** The parameters recorded in an argon2 PHC string (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`). */
export interface PasswordHashParams {
  /** 0 argon2d, 1 argon2i, 2 argon2id. */
  readonly algorithm: number;
  /** 0 for argon2 1.0 (`v=16`), 1 for argon2 1.3 (`v=19`). */
  readonly version: number;
  readonly memoryCost: number;
  readonly timeCost: number;
  readonly parallelism: number;
  readonly outputLen: number;
  readonly saltLen: number;
}

/** Reads the cost parameters out of a stored hash; throws `MalformedPasswordHashError`. */
export function parsePasswordHash(hash: string): PasswordHashParams {
  if (!hash.startsWith('$argon2')) throw new MalformedPasswordHashError();
  try {
    const p = parseOptions(hash);
    return {
      algorithm: p.algorithm,
      version: p.version,
      memoryCost: p.memoryCost,
      timeCost: p.timeCost,
      parallelism: p.parallelism,
      outputLen: p.outputLen,
      saltLen: p.saltLen,
    };
  } catch {
    // The library's message can quote the input; ours never does.
    throw new MalformedPasswordHashError();
  }
}
