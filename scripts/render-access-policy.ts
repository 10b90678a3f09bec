// Writes docs/access-policy.md from the policy table (npm run docs:access-policy).
import fs from 'node:fs';
import { renderAccessPolicy } from '../src/access/render-policy.js';

fs.writeFileSync(new URL('../docs/access-policy.md', import.meta.url), renderAccessPolicy());
