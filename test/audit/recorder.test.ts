import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditDraft } from '../../src/audit/index.js';
import { ClientRepository } from '../../src/store/index.js';
import { ENGINES } from '../support/engines.js';
import { closeTrails, trailWith } from './trail-harness.js';

const ctx = {
  principal: { kind: 'user' as const, id: 'u-1' },
  ip: '192.0.2.7',
  userAgent: 'test-agent',
  requestId: 'req-1',
};

const client = (id: string) => ({
  id,
  name: id,
  tokenHash: Buffer.alloc(32, id.length),
  scopes: 'system/*.read',
});

const entry = (outcome: AuditDraft['outcome'], requestId: string): AuditDraft => ({
  action: 'client-create',
  outcome,
  actorType: 'system',
  actorId: 'test',
  requestId,
});

/** The audit port (src/audit/recorder.ts): durable before it resolves, and fail closed. */
describe.each(ENGINES)('the audit recorder on %s', (engine) => {
  afterEach(() => closeTrails());

  it('records a request entry with the request facts, durable once it resolves', async () => {
    const { haven } = await trailWith(engine, 0);
    await haven.audit.record(ctx, { action: 'audit-read', outcome: 'denied', detail: { a: 1 } });
    const [row] = await haven.auditRepo.entries(0, 10);
    expect(row).toMatchObject({
      action: 'audit-read',
      outcome: 'denied',
      actor_type: 'user',
      actor_id: 'u-1',
      ip: '192.0.2.7',
      user_agent: 'test-agent',
      request_id: 'req-1',
    });
    expect(haven.auditedRequests.has('req-1')).toBe(true);
  });

  it('commits a unit of work with its success entries, and rolls it back with its failure entries', async () => {
    const { haven } = await trailWith(engine, 0);
    const clients = () => new ClientRepository(haven.database.db, haven.clock).list();
    const made = await haven.audit.transact({
      run: async (trx) => {
        await new ClientRepository(trx, haven.clock).insert(client('kept'));
        return 'kept';
      },
      onSuccess: (id) => [entry('success', `ok-${id}`)],
      onFailure: () => [entry('failure', 'never')],
    });
    expect(made).toBe('kept');
    const boom = new Error('refused');
    await expect(
      haven.audit.transact({
        run: async (trx) => {
          await new ClientRepository(trx, haven.clock).insert(client('dropped'));
          throw boom;
        },
        onSuccess: () => [entry('success', 'never')],
        onFailure: (e) => [entry('failure', e === boom ? 'failed' : 'other')],
      }),
    ).rejects.toBe(boom);
    expect((await clients()).map((c) => c.id)).toEqual(['kept']);
    const rows = await haven.auditRepo.entries(0, 10);
    expect(rows.map((r) => [r.outcome, r.request_id])).toEqual([
      ['success', 'ok-kept'],
      ['failure', 'failed'],
    ]);
  });

  it('rejects, keeping neither writes nor entries, when the trail cannot be written', async () => {
    const { haven } = await trailWith(engine, 0);
    const db = haven.database.db;
    await sql
      .raw(
        engine === 'sqlite'
          ? `CREATE TRIGGER audit_block BEFORE INSERT ON audit_entries BEGIN SELECT RAISE(ABORT, 'disk full'); END`
          : `CREATE TRIGGER audit_block BEFORE INSERT ON audit_entries FOR EACH ROW EXECUTE FUNCTION haven_append_only()`,
      )
      .execute(db);
    await expect(
      haven.audit.record(ctx, { action: 'audit-read', outcome: 'success' }),
    ).rejects.toMatchObject({ code: 'store-unavailable' });
    await expect(haven.audit.append(entry('success', 'lost'))).rejects.toMatchObject({
      code: 'store-unavailable',
    });
    await expect(
      haven.audit.transact({
        run: (trx) => new ClientRepository(trx, haven.clock).insert(client('lost')),
        onSuccess: () => [entry('success', 'lost')],
        onFailure: () => [],
      }),
    ).rejects.toMatchObject({ code: 'store-unavailable' });
    await sql
      .raw(
        engine === 'sqlite'
          ? 'DROP TRIGGER audit_block'
          : 'DROP TRIGGER audit_block ON audit_entries',
      )
      .execute(db);
    expect(await new ClientRepository(db, haven.clock).list()).toEqual([]);
    expect(await haven.auditRepo.countEntries()).toBe(0);
    expect(haven.auditedRequests.has('req-1')).toBe(false);
  });
});
