import { describe, expect, it } from 'vitest';

import { KeyUnavailableError } from '../../src/crypto/index.js';
import { KeyBudget } from '../../src/crypto/key-budget.js';
import { deriveRecordKeys } from '../../src/crypto/record-keys.js';
import { generateKey } from '../../src/crypto/generate-key.js';
import { MemoryDataKeys } from './support/memory-data-keys.js';

async function budgetOn(repo: MemoryDataKeys, reserved = 0): Promise<KeyBudget> {
  await repo.insert({ owner: 'Patient/1', version: 1, kekId: 'local-1', wrapped: Buffer.alloc(1) });
  const keys = deriveRecordKeys(generateKey());
  return new KeyBudget({ owner: 'Patient/1', version: 1, keys, reserved, max: 10, block: 4, repo });
}

const drain = (budget: KeyBudget): number => {
  let n = 0;
  while (budget.take()) n += 1;
  return n;
};

describe('KeyBudget', () => {
  it('grants blocks of 4, trims the last block to the budget of 10, then reports exhaustion', async () => {
    const repo = new MemoryDataKeys();
    const budget = await budgetOn(repo);
    expect(budget.take()).toBe(false);
    const grants: number[] = [];
    while (await budget.refill()) grants.push(drain(budget));
    expect(grants).toEqual([4, 4, 2]);
    expect(repo.row('Patient/1', 1).reserved).toBe(10);
    expect(repo.calls.reserve).toBe(3); // exhaustion is known locally, without another call
    expect(await budget.refill()).toBe(false);
    expect(repo.calls.reserve).toBe(3);
  });

  it('grants only the part of a block below the budget when other processes reserved first', async () => {
    const repo = new MemoryDataKeys();
    const budget = await budgetOn(repo);
    repo.row('Patient/1', 1).reserved = 8; // another process took 8 since we read the row
    expect(await budget.refill()).toBe(true);
    expect(drain(budget)).toBe(2);
    expect(await budget.refill()).toBe(false);
  });

  it('shares one reservation between concurrent callers', async () => {
    const repo = new MemoryDataKeys();
    const budget = await budgetOn(repo);
    expect(await Promise.all([budget.refill(), budget.refill(), budget.refill()])).toEqual([
      true,
      true,
      true,
    ]);
    expect(repo.calls.reserve).toBe(1);
    expect(drain(budget)).toBe(4);
  });

  it('fails closed when the repository returns an impossible total', async () => {
    const repo = new MemoryDataKeys();
    const budget = await budgetOn(repo);
    repo.reserve = async () => 1;
    await expect(budget.refill()).rejects.toBeInstanceOf(KeyUnavailableError);
  });
});
