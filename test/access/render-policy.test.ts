import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { POLICY, renderAccessPolicy } from '../../src/access/index.js';

describe('docs/access-policy.md', () => {
  it('is exactly what the policy table renders (run `npm run docs:access-policy` after a change)', () => {
    const onDisk = fs.readFileSync(new URL('../../docs/access-policy.md', import.meta.url), 'utf8');
    expect(onDisk).toBe(renderAccessPolicy());
  });

  it('changes when the policy changes, so the check above can fail', () => {
    const before = renderAccessPolicy();
    const rules = POLICY.nurse.fhir as unknown as { reach: string }[];
    const saved = rules[0]!.reach;
    rules[0]!.reach = 'any';
    try {
      expect(renderAccessPolicy()).not.toBe(before);
    } finally {
      rules[0]!.reach = saved;
    }
    expect(renderAccessPolicy()).toBe(before);
  });
});
