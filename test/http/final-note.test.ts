import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startTestServer, type TestServer } from '../support/haven-server.js';
import { api, createUser, signIn, TestClock } from './auth/sign-in.js';
import { fhirAs, type SignedIn } from './access/clinic.js';

type Json = Record<string, unknown> & { id: string; meta: { versionId: string } };
const NOTE_TEXT = 'Synthetic progress note: feeling better, plan unchanged.';

/**
 * A signed note is final (shared contract "Clinical note", ADR 0025): a DocumentReference with
 * docStatus final names its authenticator and is never edited again; the one change it takes is
 * being marked superseded (content untouched). Enforced in src/records for every writer —
 * update, transaction, the integration token — after the access decision, atomically with the
 * write.
 */
describe.each(ENGINES)('a signed note is final on %s', (engine) => {
  let t: TestServer;
  const clock = new TestClock();
  let patient: string;
  let stranger: string;
  let practitioner: string;
  let doc: SignedIn;
  let otherDoc: SignedIn;

  const create = async (body: Record<string, unknown>): Promise<Json> => {
    const res = await t.request('POST', `/fhir/R4/${String(body.resourceType)}`, { body });
    if (res.status !== 201) throw new Error(`fixture failed: ${res.status}`);
    return res.json() as Json;
  };

  beforeAll(async () => {
    t = await startTestServer(engine, { clock: clock.fn });
    practitioner = (await create({ resourceType: 'Practitioner', name: [{ family: 'Notedoc' }] }))
      .id;
    const other = (await create({ resourceType: 'Practitioner', name: [{ family: 'Otherdoc' }] }))
      .id;
    patient = (await create({ resourceType: 'Patient', name: [{ family: 'Notepatient' }] })).id;
    stranger = (await create({ resourceType: 'Patient', name: [{ family: 'Strangerpatient' }] }))
      .id;
    await create({
      resourceType: 'CareTeam',
      status: 'active',
      subject: { reference: `Patient/${patient}` },
      participant: [{ member: { reference: `Practitioner/${practitioner}` } }],
    });
    await create({
      resourceType: 'CareTeam',
      status: 'active',
      subject: { reference: `Patient/${stranger}` },
      participant: [{ member: { reference: `Practitioner/${other}` } }],
    });
    const docUser = await createUser(t, clock, {
      totp: true,
      roles: ['physician'],
      practitionerId: practitioner,
    });
    doc = { user: docUser, jar: await signIn(t, clock, docUser) };
    const otherUser = await createUser(t, clock, {
      totp: true,
      roles: ['physician'],
      practitionerId: other,
    });
    otherDoc = { user: otherUser, jar: await signIn(t, clock, otherUser) };
  }, 120_000);
  afterAll(async () => t?.stop());

  const note = (docStatus: 'preliminary' | 'final', text = NOTE_TEXT, forPatient = patient) => ({
    resourceType: 'DocumentReference',
    status: 'current',
    docStatus,
    type: { coding: [{ system: 'http://loinc.org', code: '11506-3', display: 'Progress note' }] },
    subject: { reference: `Patient/${forPatient}` },
    author: [{ reference: `Practitioner/${practitioner}` }],
    ...(docStatus === 'final' && { authenticator: { reference: `Practitioner/${practitioner}` } }),
    content: [
      {
        attachment: {
          contentType: 'text/plain; charset=utf-8',
          data: Buffer.from(text).toString('base64'),
          title: 'Progress note',
        },
      },
    ],
  });
  const put = (who: SignedIn, body: Record<string, unknown> & { id: string }) =>
    fhirAs(t, who, 'PUT', `/fhir/R4/DocumentReference/${body.id}`, body);
  const current = async (id: string) =>
    (await t.request('GET', `/fhir/R4/DocumentReference/${id}`)).json() as Json;
  const signed = async (): Promise<Json> => {
    const res = await fhirAs(t, doc, 'POST', '/fhir/R4/DocumentReference', note('final'));
    expect(res.status).toBe(201);
    return res.json() as Json;
  };
  const textOf = (r: Json) =>
    Buffer.from(
      (r.content as { attachment: { data: string } }[])[0]!.attachment.data,
      'base64',
    ).toString('utf8');
  const entries = async (from: number) => t.haven.auditRepo.entries(from, 100_000);
  const head = async () => (await t.haven.auditRepo.head()).size;

  it('signs a draft (preliminary → final with an authenticator), then refuses any edit, audited', async () => {
    const draft = await fhirAs(t, doc, 'POST', '/fhir/R4/DocumentReference', note('preliminary'));
    expect(draft.status).toBe(201);
    const d = draft.json() as Json;
    // A draft is editable, any number of times.
    const edited = await put(doc, {
      ...note('preliminary', `${NOTE_TEXT} Edited.`),
      id: d.id,
    });
    expect(edited.status).toBe(200);
    // Signing without naming who signs is refused and writes nothing.
    const unsigned = { ...note('final'), id: d.id };
    delete unsigned.authenticator;
    const refusedSign = await put(doc, unsigned);
    expect(refusedSign.status).toBe(400);
    expect((await current(d.id)).docStatus).toBe('preliminary');
    const sign = await put(doc, { ...note('final'), id: d.id });
    expect(sign.status).toBe(200);
    const final = sign.json() as Json;
    expect(final).toMatchObject({ docStatus: 'final', meta: { versionId: '3' } });

    const seq = await head();
    const change = await put(doc, { ...final, content: note('final', 'Changed text').content });
    expect(change.status).toBe(422);
    expect(change.json().issue?.[0]).toMatchObject({ code: 'business-rule' });
    // The refusal repeats nothing of the note.
    expect(change.text).not.toContain('Changed text');
    expect(change.text).not.toContain(Buffer.from('Changed text').toString('base64'));
    const after = await current(d.id);
    expect(after.meta.versionId).toBe('3');
    expect(textOf(after)).toBe(NOTE_TEXT);
    const denied = (await entries(seq)).filter((r) => r.outcome === 'denied');
    expect(denied).toHaveLength(1);
    expect(denied[0]).toMatchObject({
      action: 'update',
      actor_id: doc.user.userId,
      resource_id: d.id,
      patient_id: patient,
    });
    expect(JSON.parse(denied[0]!.detail ?? '{}')).toEqual({ reason: 'final-note' });
  });

  it('refuses every kind of edit: back to draft, another status, a dropped element, another author', async () => {
    const n = await signed();
    const edits: Json[] = [
      { ...n, docStatus: 'preliminary' },
      { ...n, status: 'entered-in-error' },
      { ...n, author: [{ reference: 'Practitioner/someone-else' }] },
      { ...n, description: 'added afterwards' },
    ];
    const { authenticator: _a, ...withoutAuthenticator } = n;
    edits.push(withoutAuthenticator);
    for (const body of edits) expect((await put(doc, body)).status).not.toBe(200);
    expect((await current(n.id)).meta.versionId).toBe('1');
  });

  it('takes being superseded (status only, key order free), then nothing more', async () => {
    const n = await signed();
    const correction = await fhirAs(t, doc, 'POST', '/fhir/R4/DocumentReference', {
      ...note('final', 'Synthetic correction'),
      relatesTo: [{ code: 'replaces', target: { reference: `DocumentReference/${n.id}` } }],
    });
    expect(correction.status).toBe(201);
    // The same content with its keys in another order is the same content.
    const reordered = Object.fromEntries(Object.entries(n).reverse()) as Json;
    const superseded = await put(doc, { ...reordered, status: 'superseded' });
    expect(superseded.status).toBe(200);
    const s = superseded.json() as Json;
    expect(s).toMatchObject({ status: 'superseded', docStatus: 'final' });
    expect(textOf(s)).toBe(NOTE_TEXT);
    // Superseded is the end: not back to current, not edited.
    expect((await put(doc, { ...s, status: 'current' })).status).toBe(422);
    expect((await put(doc, { ...s, description: 'late edit' })).status).toBe(422);
    expect((await current(n.id)).meta.versionId).toBe('2');
  });

  it('holds for the integration token and inside a transaction, which then writes nothing', async () => {
    const n = await signed();
    const system = await t.request('PUT', `/fhir/R4/DocumentReference/${n.id}`, {
      body: { ...n, description: 'system edit' },
    });
    expect(system.status).toBe(422);
    const observation = {
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'Synthetic observation' },
      subject: { reference: `Patient/${patient}` },
    };
    const bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { resource: observation, request: { method: 'POST', url: 'Observation' } },
        {
          resource: { ...n, description: 'edited in a bundle' },
          request: { method: 'PUT', url: `DocumentReference/${n.id}` },
        },
      ],
    };
    const before = await t.request('GET', `/fhir/R4/Observation?subject=Patient/${patient}`);
    const tx = await fhirAs(t, doc, 'POST', '/fhir/R4', bundle);
    expect(tx.status).toBe(422);
    const after = await t.request('GET', `/fhir/R4/Observation?subject=Patient/${patient}`);
    expect((after.json() as { total?: number }).total).toBe(
      (before.json() as { total?: number }).total,
    );
    expect((await current(n.id)).meta.versionId).toBe('1');
    // A final note created in a transaction still needs its authenticator.
    const unsigned = { ...note('final') } as Record<string, unknown>;
    delete unsigned.authenticator;
    const tx2 = await fhirAs(t, doc, 'POST', '/fhir/R4', {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [{ resource: unsigned, request: { method: 'POST', url: 'DocumentReference' } }],
    });
    expect(tx2.status).toBe(400);
  });

  it('names the person’s own practitioner in GET /api/session: the author and signer of a note', async () => {
    const mine = await api(t, 'GET', '/api/session', { jar: doc.jar });
    expect(mine.status).toBe(200);
    expect(mine.json()).toMatchObject({ practitionerId: practitioner });
    const nurse = await createUser(t, clock, { totp: true, roles: ['nurse'] });
    const unlinked = await api(t, 'GET', '/api/session', { jar: await signIn(t, clock, nurse) });
    expect(unlinked.json()).not.toHaveProperty('practitionerId');
  });

  it('answers a clinician without access as before (403), telling nothing about the note', async () => {
    const n = await signed();
    const res = await put(otherDoc, { ...n, description: 'edit' });
    expect(res.status).toBe(403);
    expect(res.text).not.toContain('final');
  });

  it('parallel edits and supersedes: no edit lands, the content never changes', async () => {
    const n = await signed();
    const requests = [
      ...Array.from({ length: 6 }, (_, i) => put(doc, { ...n, description: `edit ${i}` })),
      put(doc, { ...n, status: 'superseded' }),
      put(doc, { ...n, status: 'superseded' }),
    ];
    const statuses = (await Promise.all(requests)).map((r) => r.status);
    expect(statuses.slice(0, 6).every((s) => s === 422 || s === 409)).toBe(true);
    const landed = statuses.filter((s) => s === 200).length;
    const after = await current(n.id);
    expect(after.description).toBeUndefined();
    expect(textOf(after)).toBe(NOTE_TEXT);
    expect(after.status).toBe(landed > 0 ? 'superseded' : 'current');
    expect(Number(after.meta.versionId)).toBe(1 + landed);
  });

  it('leaves the stranger’s notes alone too (the rule is per note, not per patient)', async () => {
    // The other physician's own patient: drafts stay editable for them.
    const res = await fhirAs(t, otherDoc, 'POST', '/fhir/R4/DocumentReference', {
      ...note('preliminary', NOTE_TEXT, stranger),
      author: undefined,
    });
    expect(res.status).toBe(201);
    const d = res.json() as Json;
    expect((await put(otherDoc, { ...d, description: 'draft edit' })).status).toBe(200);
  });
});
