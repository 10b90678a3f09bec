import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  deadlines,
  IncidentError,
  openIncidents,
  type Incident,
  type IncidentActor,
  type IncidentService,
} from '../../src/compliance/index.js';
import { IncidentRepository } from '../../src/store/index.js';
import { runHaven } from '../support/cli.js';
import { ENGINES } from '../support/engines.js';
import { startTestServer, type TestServer } from '../support/haven-server.js';
import { MINUTE, TestClock } from '../http/auth/sign-in.js';
import { identifiersOf, syntheaResources } from './synthea-identifiers.js';

const DAY = 24 * 60 * MINUTE;
type Json = Record<string, unknown>;

const officer: IncidentActor = { actorType: 'user', actorId: 'privacy-officer-1' };

/** Issue 18 part 3: incidents, affected individuals from the audit trail, deadlines, notices. */
describe.each(ENGINES)('breach response on %s', (engine) => {
  let t: TestServer;
  let service: IncidentService;
  const clock = new TestClock();
  const synthea = syntheaResources()
    .filter((r) => r.resourceType === 'Patient')
    .slice(0, 6);
  const stored: { id: string; state: string | undefined }[] = [];
  let windowFrom: string;
  let windowTo: string;

  beforeAll(async () => {
    t = await startTestServer(engine, { clock: clock.fn, env: { HAVEN_LOG_LEVEL: 'warn' } });
    service = openIncidents(t.haven);
    for (const p of synthea) {
      const { id: _id, ...body } = p;
      const res = await t.request('POST', '/fhir/R4/Patient', { body });
      expect(res.status).toBe(201);
      const address = (p.address as Json[] | undefined)?.[0];
      stored.push({ id: (res.json() as { id: string }).id, state: address?.state as string });
    }
    // The trail: a snooping nurse reads four of the patients inside the window (one twice),
    // one before it; a refused read, and another person's reads, do not count.
    const read = (actorId: string, patientId: string, outcome: 'success' | 'denied' = 'success') =>
      t.haven.audit.append({
        action: 'read',
        outcome,
        actorType: 'user',
        actorId,
        resourceType: 'Patient',
        resourceId: patientId,
        patientId,
      });
    await read('nurse-snoop', stored[5]!.id);
    clock.advance(DAY);
    windowFrom = clock.now.toISOString();
    for (const p of [stored[0]!, stored[1]!, stored[2]!, stored[0]!, stored[3]!]) {
      await read('nurse-snoop', p.id);
      clock.advance(MINUTE);
    }
    await read('nurse-snoop', stored[4]!.id, 'denied');
    await read('physician-ok', stored[4]!.id);
    clock.advance(MINUTE);
    windowTo = clock.now.toISOString();
    clock.advance(10 * DAY);
  }, 120_000);
  afterAll(async () => t.stop());

  it('computes the affected patients from the audit trail and counts them per state', async () => {
    const created = await service.create(officer, {
      discoveredAt: new Date(clock.now.getTime() - 2 * DAY).toISOString(),
      description: 'A nurse account opened charts outside its care team',
      systems: ['haven-web'],
    });
    const v = await service.computeAffected(officer, created.incident.id, created.version, {
      actorId: 'nurse-snoop',
      from: windowFrom,
      to: windowTo,
    });
    const expected = stored.slice(0, 4);
    expect(v.incident.affected!.count).toBe(expected.length);
    const byState: Record<string, number> = {};
    for (const p of expected)
      byState[p.state ?? 'unknown'] = (byState[p.state ?? 'unknown'] ?? 0) + 1;
    expect(v.incident.affected!.byState).toEqual(byState);
    expect(Object.keys(byState).every((s) => s.length > 0 && s !== 'unknown')).toBe(true);
    // Each patient's address read is audited, against that patient.
    const { rows } = await t.haven.auditRepo.search({ action: 'incident-affected' }, 100, 0);
    expect(new Set(rows.map((r) => r.patient_id))).toEqual(new Set(expected.map((p) => p.id)));
  });

  it('stores no PHI: no name, address, identifier or patient id in the incident row', async () => {
    const rows = await new IncidentRepository(t.haven.database.db).list();
    expect(rows.length).toBeGreaterThan(0);
    const text = rows.map((r) => r.record).join('\n');
    const secrets = [
      ...identifiersOf(synthea)
        .filter((i) => i.kind !== 'id')
        .map((i) => i.value),
      ...stored.map((p) => p.id),
    ];
    expect(secrets.filter((s) => text.includes(s))).toEqual([]);
    await expect(
      service.create(officer, {
        discoveredAt: clock.now.toISOString(),
        description: 'Laptop with SSN 999-61-3984 stolen',
        systems: [],
      }),
    ).rejects.toMatchObject({ code: 'phi-refused' });
    expect((await new IncidentRepository(t.haven.database.db).list()).length).toBe(rows.length);
  });

  it('tracks the deadlines: individuals in 60 days, HHS annually under 500, media over 500 in a state', async () => {
    const discovered = new Date(clock.now.getTime() - 10 * DAY);
    const v = await service.create(officer, {
      discoveredAt: discovered.toISOString(),
      description: 'Backup tape lost in transit',
      systems: ['backups'],
    });
    const individuals = v.deadlines.find((d) => d.kind === 'individuals')!;
    expect(individuals.due).toBe(new Date(discovered.getTime() + 60 * DAY).toISOString());
    expect(individuals.daysLeft).toBe(50);
    const hhs = v.deadlines.find((d) => d.kind === 'hhs')!;
    expect(hhs.regulation).toBe('45 CFR 164.408(c)');
    expect(hhs.due.slice(0, 10)).toBe(`${discovered.getUTCFullYear() + 1}-03-01`);
    clock.advance(55 * DAY);
    const later = await service.get(officer, v.incident.id);
    expect(later.deadlines.find((d) => d.kind === 'individuals')!.daysLeft).toBe(-5);
    clock.advance(-55 * DAY);

    const large: Incident = {
      ...v.incident,
      affected: {
        actorId: 'x',
        from: discovered.toISOString(),
        to: discovered.toISOString(),
        count: 900,
        byState: { Massachusetts: 501, 'Rhode Island': 399 },
        computedAt: discovered.toISOString(),
      },
    };
    const due = deadlines(large, clock.now);
    expect(due.map((d) => `${d.kind}:${d.state ?? ''}`)).toEqual([
      'individuals:',
      'hhs:',
      'media:Massachusetts',
    ]);
    expect(due.find((d) => d.kind === 'hhs')!.regulation).toBe('45 CFR 164.408(b)');
    expect(
      deadlines(
        { ...large, affected: { ...large.affected!, byState: { Massachusetts: 500 } } },
        clock.now,
      ).map((d) => d.kind),
    ).toEqual(['individuals', 'hhs']);
  });

  it('records the four-factor assessment once under parallel saves, then drafts a notice', async () => {
    const v = await service.create(officer, {
      discoveredAt: clock.now.toISOString(),
      description: 'Shared workstation left signed in',
      systems: ['haven-web'],
    });
    await expect(
      service.notice(officer, v.incident.id, {
        organization: 'Example Clinic',
        phone: '1-800-555-0100',
        email: 'privacy@clinic.example',
        postalAddress: '1 Main St, Springfield',
      }),
    ).rejects.toMatchObject({ code: 'no-assessment' });
    const assess = (n: number) =>
      service.assess(officer, v.incident.id, v.version, {
        natureAndExtent: `Demographics and visit dates (attempt ${n})`,
        unauthorizedPerson: 'a member of the workforce without a care relationship',
        acquiredOrViewed: 'viewed',
        mitigation: 'Account suspended, retraining, session timeout lowered',
        lowProbabilityOfCompromise: false,
      });
    const results = await Promise.allSettled([1, 2, 3, 4, 5].map(assess));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((r) => r.status === 'rejected'))
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(IncidentError);
    const saved = await service.get(officer, v.incident.id);
    expect(saved.version).toBe(2);
    expect(saved.incident.assessment!.assessedBy).toBe(officer.actorId);

    const letter = await service.notice(officer, v.incident.id, {
      organization: 'Example Clinic',
      phone: '1-800-555-0100',
      email: 'privacy@clinic.example',
      postalAddress: '1 Main St, Springfield',
    });
    expect(letter).toMatch(/^\{\{recipient_name\}\}\n\{\{recipient_address\}\}/);
    for (const heading of [
      'What happened',
      'What information was involved',
      'What you can do',
      'What we are doing',
      'For more information',
    ])
      expect(letter).toContain(`## ${heading}`);
    expect(letter).toContain('Shared workstation left signed in');
    expect(letter).toContain(`discovered it on ${clock.now.toISOString().slice(0, 10)}`);
    expect(letter).toContain('1-800-555-0100');
    // Drafting stores nothing: the row is unchanged and holds no contact details.
    const row = (await new IncidentRepository(t.haven.database.db).get(v.incident.id))!;
    expect(row.version).toBe(2);
    expect(row.record).not.toContain('1-800-555-0100');
    const { rows } = await t.haven.auditRepo.search({ action: 'incident-notice' }, 10, 0);
    expect(rows.map((r) => r.outcome).sort()).toEqual(['failure', 'success']);
  });

  it('runs from the CLI, audited as the operator', async () => {
    const args = [
      '--data',
      t.config.dataDir,
      ...(t.config.databaseUrl ? ['--database-url', t.config.databaseUrl] : []),
      '--json',
    ];
    const env: Record<string, string> = t.config.databaseSchema
      ? { HAVEN_DB_SCHEMA: t.config.databaseSchema }
      : {};
    const created = await runHaven(
      [
        'incident',
        'create',
        '--discovered',
        '2026-01-10',
        '--description',
        'Misdirected fax',
        '--systems',
        'fax,haven-web',
        ...args,
      ],
      env,
    );
    expect(created.code, created.stderr).toBe(0);
    const id = (JSON.parse(created.stdout) as { incident: { id: string } }).incident.id;
    const shown = await runHaven(['incident', 'show', id, ...args], env);
    expect(JSON.parse(shown.stdout)).toMatchObject({
      incident: { id, systems: ['fax', 'haven-web'] },
    });
    const refused = await runHaven(
      [
        'incident',
        'create',
        '--discovered',
        '2026-01-10',
        '--description',
        'mail to a@b.example',
        ...args,
      ],
      env,
    );
    expect(refused.code).toBe(65);
    expect(refused.stderr).toContain('phi-refused');
    expect(refused.stderr).not.toContain('a@b.example');
    const { rows } = await t.haven.auditRepo.search({ action: 'incident-create' }, 50, 0);
    expect(rows.some((r) => r.actor_id?.startsWith('cli:') && r.resource_id === id)).toBe(true);
  });
});
