import { describe, expect, it } from 'vitest';
import { runMonth } from '../../scripts/alert-month.js';

describe('alert evaluation (a small month)', () => {
  it('finds every injected scenario, and ordinary work raises almost nothing', async () => {
    const r = await runMonth({ days: 10, clinicians: 8, panel: 60, scenariosPerRule: 2, seed: 7 });
    expect(r.scores.map((s) => s.rule).sort()).toEqual(
      [
        'after-hours',
        'break-glass',
        'failed-logins-account',
        'failed-logins-address',
        'mass-export',
        'no-care-relation',
        'same-surname',
        'search-sweep',
        'vip-access',
        'volume',
      ].sort(),
    );
    for (const s of r.scores) {
      expect({ rule: s.rule, recall: s.recall }).toEqual({ rule: s.rule, recall: 1 });
      expect(s.precision, s.rule).toBeGreaterThanOrEqual(0.9);
    }
    expect(r.normalFacts).toBeGreaterThan(1000);
  }, 60_000);
});
