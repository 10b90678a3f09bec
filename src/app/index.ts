export { openHaven } from './open-haven.js';
export type { Haven, OpenOptions } from './open-haven.js';
export type { People } from './people.js';
export { NotInstalledError } from './open-installation.js';
export { checkReadiness, type Readiness } from './readiness.js';
export { keyStatus, rotateKeys, type KeyStatusReport, type RotateResult } from './key-lifecycle.js';
