export { openHaven, openAuditCore, openPeopleCore } from './open-lazily.js';
export type { AuditCore } from './open-audit-core.js';
export type { PeopleCore } from './open-people-core.js';
export type { Haven, OpenOptions } from './open-haven.js';
export type { People } from './people.js';
export { NotInstalledError } from './open-installation.js';
export { checkReadiness, type Readiness } from './readiness.js';
