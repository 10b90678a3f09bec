import { describe, expect, it } from 'vitest';

import { Lru } from '../../src/crypto/lru.js';

describe('Lru', () => {
  it('evicts the least recently used entry, counting reads as use', () => {
    const lru = new Lru<string, number>(2);
    lru.set('a', 1);
    lru.set('b', 2);
    expect(lru.get('a')).toBe(1);
    lru.set('c', 3);
    expect(lru.get('b')).toBeUndefined();
    expect(lru.get('a')).toBe(1);
    expect(lru.get('c')).toBe(3);
    expect(lru.size).toBe(2);
  });

  it('deletes and clears', () => {
    const lru = new Lru<string, number>(3);
    lru.set('a', 1);
    lru.set('b', 2);
    lru.delete('a');
    expect(lru.get('a')).toBeUndefined();
    lru.clear();
    expect(lru.size).toBe(0);
  });
});

describe('Lru with an expiry (injected clock, no real waiting)', () => {
  const clockAt = (start: number) => {
    let now = start;
    return { clock: () => new Date(now), advance: (ms: number) => void (now += ms) };
  };

  it('serves an entry for ttlMs after it was set, however often it is read', () => {
    const c = clockAt(1_000_000);
    const lru = new Lru<string, number>(10, { ttlMs: 1000, clock: c.clock });
    lru.set('a', 1);
    c.advance(999);
    expect(lru.get('a')).toBe(1); // reading does not extend it
    c.advance(1);
    expect(lru.get('a')).toBeUndefined();
    expect(lru.size).toBe(0);
  });

  it('drops idle expired entries on later inserts and on sweep', () => {
    const c = clockAt(0);
    const lru = new Lru<string, number>(10, { ttlMs: 50, clock: c.clock });
    lru.set('a', 1);
    lru.set('b', 2);
    c.advance(50);
    lru.set('c', 3); // examines the two least recently used: both expired
    expect(lru.size).toBe(1);
    lru.set('d', 4);
    c.advance(50);
    lru.sweep();
    expect(lru.size).toBe(0);
  });
});
