import { describe, expect, it } from 'vitest';
import {
  numberMatches,
  parseNumberQuery,
  parseQuantityQuery,
  quantityMatches,
} from '../../../src/records/search/number-values.js';

describe('number and quantity search values (R4 3.1.1.5.1)', () => {
  it.each([
    ['100', 'eq', 100, 0.5],
    ['100.00', 'eq', 100, 0.005],
    ['gt1e2', 'gt', 100, 50],
    ['le1.5e-3', 'le', 0.0015, 0.00005],
    ['ap-.5', 'ap', -0.5, 0.05],
  ])('%s has prefix %s, value %s and half-width %s', (text, prefix, value, halfWidth) => {
    const q = parseNumberQuery('n', text);
    expect(q.prefix).toBe(prefix);
    expect(q.value).toBeCloseTo(value, 12);
    expect(q.halfWidth).toBeCloseTo(halfWidth, 12);
  });

  it.each(['', 'xx5', '5kg', '1,5', 'NaN', 'Infinity', '0x10'])('refuses %j', (text) => {
    expect(() => parseNumberQuery('n', text)).toThrow(
      expect.objectContaining({ code: 'invalid-value' }),
    );
  });

  it.each([
    ['100', 99.5, true],
    ['100', 100.5, false],
    ['ne100', 100.5, true],
    ['gt100', 100.01, true],
    ['ge100', 100, true],
    ['lt100', 100, false],
    ['le100', 100, true],
    ['sa100', 100, false],
    ['eb100', 99, true],
    ['ap100', 109, true],
    ['ap100', 111, false],
  ])('%s matches %s: %s', (text, x, expected) => {
    expect(numberMatches(parseNumberQuery('n', text), x)).toBe(expected);
  });

  it('matches a quantity by system and code, or by code or unit alone', () => {
    const stored = { value: 5, system: 'http://unitsofmeasure.org', code: 'mg', unit: 'milligram' };
    const m = (text: string) => quantityMatches(parseQuantityQuery('q', text), stored);
    expect(m('5|http://unitsofmeasure.org|mg')).toBe(true);
    expect(m('5|urn:other|mg')).toBe(false);
    expect(m('5||mg')).toBe(true);
    expect(m('5||milligram')).toBe(true);
    expect(m('5||g')).toBe(false);
    expect(m('6')).toBe(false);
    expect(() => parseQuantityQuery('q', '5|http://unitsofmeasure.org|')).toThrow();
    expect(() => parseQuantityQuery('q', '5|mg')).toThrow();
  });
});
