import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import type { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canarySecrets, CANARY_PATTERN } from '../support/canary.js';
import { ENGINES, TEST_DATABASE_URL } from '../support/engines.js';
import { startTestServer, type TestServer } from '../support/haven-server.js';
import { MINUTE, TestClock } from '../http/auth/sign-in.js';
import { fhirAs } from '../http/access/clinic.js';
import {
  messagingApi,
  messagingClinic,
  startMailbox,
  type Mail,
  type MessagingClinic,
  type ThreadBody,
} from './messaging-fixture.js';

const CANARY = 61;
const BODY = 'Canary message: canary-symptom-61 after glitterberries, Zebedee61 asks';
const SUBJECT = 'Canarywing61 rash question';
const ATTACHMENT = 'Attached canary-symptom-61 diary (glitterberries)';

/**
 * Secure messaging through the HTTP API on both engines: a thread between a patient and their
 * care team, sealed at rest, per-reader receipts, refusals for clinicians outside the care team,
 * ordered parallel sends, PHI-free debounced email through a real SMTP server, and fail-closed
 * behaviour when the database cannot record the access.
 */
describe.each(ENGINES)('secure messaging on %s', (engine) => {
  let t: TestServer;
  let smtp: SMTPServer;
  let mails: Mail[];
  let clinic: MessagingClinic;
  let m: ReturnType<typeof messagingApi>;
  let threadId: string;
  const clock = new TestClock();

  beforeAll(async () => {
    const box = await startMailbox();
    smtp = box.server;
    mails = box.mails;
    t = await startTestServer(engine, {
      clock: clock.fn,
      env: {
        HAVEN_SMTP_URL: `smtp://127.0.0.1:${box.port}`,
        HAVEN_SMTP_FROM: 'haven@haven.example',
      },
    });
    clinic = await messagingClinic(t, clock, CANARY);
    m = messagingApi(t);
  }, 120_000);
  afterAll(async () => {
    await t.stop();
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
  });

  const p = () => clinic.people;
  const threadOf = async (who: keyof MessagingClinic['people'], id = threadId) => {
    const res = await m.thread(p()[who], id);
    expect(res.status).toBe(200);
    return res.json() as unknown as ThreadBody;
  };
  const entriesSince = async (seq: number) => t.haven.auditRepo.entries(seq, 100_000);
  const head = async () => (await t.haven.auditRepo.head()).size;

  it('patient writes, the care team reads and replies, each reader leaves their own receipt', async () => {
    const before = await head();
    const started = await m.start(p().patient, {
      subject: SUBJECT,
      text: BODY,
      attachment: {
        contentType: 'text/plain',
        title: 'diary.txt',
        data: Buffer.from(ATTACHMENT).toString('base64'),
      },
    });
    expect(started.status).toBe(201);
    threadId = String(started.json().threadId);
    expect(started.json().seq).toBe(1);

    // Both clinicians of the care team see one unread message; the patient sees none unread.
    for (const who of ['doc', 'nurse'] as const) {
      const inbox = await m.inbox(p()[who]);
      expect(inbox.threads).toEqual([
        expect.objectContaining({
          threadId,
          patient: `Patient/${clinic.patientId}`,
          subject: SUBJECT,
          messages: 1,
          unread: 1,
        }),
      ]);
    }
    expect((await m.inbox(p().patient)).threads[0]).toMatchObject({ threadId, unread: 0 });

    const res = await m.thread(p().doc, threadId);
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const seenByDoc = res.json() as unknown as ThreadBody;
    expect(seenByDoc.messages).toHaveLength(1);
    expect(seenByDoc.messages[0]).toMatchObject({
      text: BODY,
      sender: `Patient/${clinic.patientId}`,
      mine: false,
      attachment: { contentType: 'text/plain', title: 'diary.txt', size: ATTACHMENT.length },
    });

    // The doctor's read is the doctor's: the nurse still has it unread.
    expect((await m.inbox(p().doc)).unread).toBe(0);
    expect((await m.inbox(p().nurse)).unread).toBe(1);

    const replied = await m.reply(p().doc, threadId, { text: 'Synthetic reply from the doctor' });
    expect(replied.status).toBe(201);
    expect(replied.json().seq).toBe(2);
    expect((await m.inbox(p().patient)).unread).toBe(1);

    const seenByPatient = await threadOf('patient');
    expect(seenByPatient.messages.map((x) => [x.seq, x.text, x.mine])).toEqual([
      [1, BODY, true],
      [2, 'Synthetic reply from the doctor', false],
    ]);
    // The patient sees that the doctor read their message, and only the doctor so far.
    expect(seenByPatient.messages[0]!.readBy.map((r) => r.reader)).toEqual([
      `Practitioner/${clinic.doc}`,
    ]);
    expect((await m.inbox(p().patient)).unread).toBe(0);

    await threadOf('nurse');
    const later = await threadOf('patient');
    expect(later.messages[0]!.readBy.map((r) => r.reader).sort()).toEqual(
      [`Practitioner/${clinic.doc}`, `Practitioner/${clinic.nurse}`].sort(),
    );
    // The doctor's reply was read by the patient and the nurse, never "by" the doctor.
    expect(later.messages[1]!.readBy.map((r) => r.readerId).sort()).toEqual(
      [p().patient.user.userId, p().nurse.user.userId].sort(),
    );

    const rows = await entriesSince(before);
    const reads = rows.filter((r) => r.action === 'read' && r.resource_type === 'Communication');
    expect(reads.length).toBeGreaterThanOrEqual(4);
    expect(reads.every((r) => r.patient_id === clinic.patientId && r.outcome === 'success')).toBe(
      true,
    );
    const creates = rows.filter((r) => r.action === 'create' && r.outcome === 'success');
    expect(creates.map((r) => r.resource_type).sort()).toEqual(
      ['Binary', 'Communication', 'Communication'].sort(),
    );
    for (const r of rows) expect(JSON.stringify(r)).not.toMatch(CANARY_PATTERN);
  });

  it('serves the attachment to the care team, refuses a forged type, and FHIR reads see the Communication', async () => {
    const first = (await threadOf('doc')).messages[0]!;
    const res = await m.attachment(p().doc, first.id);
    expect(res.status).toBe(200);
    expect(Buffer.from(String(res.json().data), 'base64').toString()).toBe(ATTACHMENT);
    const forged = await m.reply(p().patient, threadId, {
      text: 'Synthetic: a picture',
      attachment: {
        contentType: 'image/png',
        title: 'x.png',
        data: Buffer.from('not a png').toString('base64'),
      },
    });
    expect(forged.status).toBe(415);
    expect(forged.text).not.toMatch(CANARY_PATTERN);
    expect((await threadOf('doc')).messages).toHaveLength(2);
    const fhir = (who: keyof MessagingClinic['people']) =>
      fhirAs(t, p()[who], 'GET', `/fhir/R4/Communication/${first.id}`);
    expect((await fhir('doc')).status).toBe(200);
    expect((await fhir('patient')).json().payload).toEqual([
      { contentString: BODY },
      expect.objectContaining({
        contentAttachment: expect.objectContaining({ title: 'diary.txt' }),
      }),
    ]);
    expect((await fhir('stranger')).status).toBe(404);
    // The thread is a partOf chain: a FHIR search by part-of finds its replies.
    const replies = await fhirAs(
      t,
      p().doc,
      'GET',
      `/fhir/R4/Communication?part-of=Communication/${threadId}`,
    );
    expect(replies.status).toBe(200);
    const found = (replies.json() as { entry?: { resource: { id: string } }[] }).entry ?? [];
    expect(found.map((e) => e.resource.id)).toEqual([(await threadOf('doc')).messages[1]!.id]);
  });

  it('keeps message bodies, subjects and attachments out of the database in clear', async () => {
    const secrets = [
      BODY,
      SUBJECT,
      ATTACHMENT,
      'canary-symptom-61',
      'Canarywing61',
      'Synthetic reply from the doctor',
      ...canarySecrets(CANARY),
    ];
    const haystacks = await rawDatabase(t, engine);
    const found = haystacks.flatMap((h) =>
      secrets
        .filter((s) => h.bytes.includes(Buffer.from(s, 'utf8')))
        .map((s) => `${h.where}: ${s}`),
    );
    expect(found).toEqual([]);
    // Control: the scan finds what is in clear (the thread id is in the messages table).
    expect(haystacks.some((h) => h.bytes.includes(Buffer.from(threadId)))).toBe(true);
  });

  it('refuses a clinician outside the care team (and other roles) as not found, audited', async () => {
    const before = await head();
    const first = (await threadOf('doc')).messages[0]!;
    const stranger = p().stranger;
    expect((await m.thread(stranger, threadId)).status).toBe(404);
    expect((await m.reply(stranger, threadId, { text: 'Synthetic intrusion' })).status).toBe(404);
    expect((await m.attachment(stranger, first.id)).status).toBe(404);
    const started = await m.start(stranger, {
      patient: clinic.patientId,
      subject: 'Synthetic',
      text: 'Synthetic intrusion',
    });
    expect(started.status).toBe(404);
    expect((await m.inbox(stranger)).threads).toEqual([]);
    // A missing thread answers the same.
    expect((await m.thread(stranger, 'no-such-thread')).status).toBe(404);
    expect((await m.thread(p().scheduler, threadId)).status).toBe(404);
    const denied = (await entriesSince(before)).filter(
      (r) => r.actor_id === stranger.user.userId && r.outcome === 'denied',
    );
    expect(denied.length).toBeGreaterThanOrEqual(4);
    expect(denied.every((r) => r.patient_id === clinic.patientId)).toBe(true);
    expect((await threadOf('doc')).messages).toHaveLength(2);
  });

  it('lets a clinician in under break-glass, marked in the trail', async () => {
    const stranger = p().stranger;
    clock.advance(MINUTE); // a fresh re-authentication below
    const grant = await breakGlass(t, stranger, clinic.patientId);
    expect(grant).toBe(201);
    const before = await head();
    expect((await m.thread(stranger, threadId)).status).toBe(200);
    const read = (await entriesSince(before)).find(
      (r) => r.actor_id === stranger.user.userId && r.action === 'read',
    );
    expect(read).toMatchObject({ outcome: 'success', reason: 'emergency access (break-glass)' });
  });

  it('keeps order and counts when both sides send in parallel', async () => {
    const started = await m.start(p().patient, { subject: 'Synthetic parallel', text: 'first' });
    const id = String(started.json().threadId);
    const sends = Array.from({ length: 12 }, (_, i) =>
      m.reply(i % 2 === 0 ? p().patient : p().doc, id, { text: `parallel ${i}` }),
    );
    const results = await Promise.all(sends);
    expect(results.map((r) => r.status)).toEqual(results.map(() => 201));
    const seqs = results.map((r) => Number(r.json().seq)).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 12 }, (_, i) => i + 2));
    const thread = await threadOf('nurse', id);
    expect(thread.messages.map((x) => x.seq)).toEqual(Array.from({ length: 13 }, (_, i) => i + 1));
    expect(thread.messages.map((x) => x.text).sort()).toEqual(
      ['first', ...Array.from({ length: 12 }, (_, i) => `parallel ${i}`)].sort(),
    );
    // Every answer's seq is where that text stands in the thread.
    results.forEach((r, i) =>
      expect(thread.messages[Number(r.json().seq) - 1]!.text).toBe(`parallel ${i}`),
    );
    const nurseInbox = await m.inbox(p().nurse);
    expect(nurseInbox.threads.find((x) => x.threadId === id)).toMatchObject({
      messages: 13,
      unread: 0,
    });
    const docInbox = await m.inbox(p().doc);
    // The doctor wrote 6 of them and has read none of the patient's 7.
    expect(docInbox.threads.find((x) => x.threadId === id)).toMatchObject({
      messages: 13,
      unread: 7,
    });
  });

  it('emails a PHI-free notice, one per person and thread in five minutes', async () => {
    clock.advance(6 * MINUTE);
    await keepAlive();
    mails.length = 0;
    const id = String(
      (await m.start(p().patient, { subject: SUBJECT, text: BODY })).json().threadId,
    );
    for (let i = 0; i < 3; i++) {
      clock.advance(MINUTE);
      expect((await m.reply(p().patient, id, { text: `${BODY} ${i}` })).status).toBe(201);
    }
    const toDoc = mails.filter((x) => x.to.includes(p().doc.user.email));
    const toNurse = mails.filter((x) => x.to.includes(p().nurse.user.email));
    expect(toDoc).toHaveLength(1);
    expect(toNurse).toHaveLength(1);
    expect(mails.filter((x) => x.to.includes(p().stranger.user.email))).toEqual([]);
    expect(mails.filter((x) => x.to.includes(p().patient.user.email))).toEqual([]);
    expect(toDoc[0]!.data).toContain('You have a new secure message in Haven. Sign in to read it:');
    expect(toDoc[0]!.data).toMatch(/https:\/\/localhost:\d+\/messages/);
    for (const mail of mails) {
      expect(mail.data).not.toMatch(CANARY_PATTERN);
      expect(mail.data).not.toContain(clinic.patientId);
      expect(mail.data).not.toContain(id);
      expect(mail.data).not.toContain(clinic.doc);
    }
    // After the window, the next message notifies again; the doctor's reply tells the patient.
    clock.advance(5 * MINUTE);
    await keepAlive();
    expect((await m.reply(p().patient, id, { text: 'Synthetic later' })).status).toBe(201);
    expect(mails.filter((x) => x.to.includes(p().doc.user.email))).toHaveLength(2);
    expect((await m.reply(p().doc, id, { text: 'Synthetic answer' })).status).toBe(201);
    expect(mails.filter((x) => x.to.includes(p().patient.user.email))).toHaveLength(1);
  });

  it('fails closed when the trail cannot be written: nothing sent, nothing served', async () => {
    const countBefore = (await threadOf('doc')).messages.length;
    await blockAudit(t, engine);
    try {
      const send = await m.reply(p().patient, threadId, { text: BODY });
      expect(send.status).toBe(503);
      const read = await m.thread(p().doc, threadId);
      expect(read.status).toBe(503);
      expect(read.text).not.toMatch(CANARY_PATTERN);
      const inbox = await m.thread(p().nurse, threadId);
      expect(inbox.status).toBe(503);
    } finally {
      await unblockAudit(t, engine);
    }
    expect((await threadOf('doc')).messages).toHaveLength(countBefore);
    for (const line of t.logs) expect(line).not.toMatch(CANARY_PATTERN);
  });

  /** Touches every session, so that moving the clock does not log anyone out. */
  async function keepAlive(): Promise<void> {
    for (const who of Object.values(p())) await m.inbox(who).catch(() => undefined);
  }
});

async function breakGlass(
  t: TestServer,
  who: {
    user: { password: string; totpSecret?: string };
    jar: { session?: string; csrf?: string };
  },
  patient: string,
): Promise<number> {
  const { api } = await import('../http/auth/sign-in.js');
  await api(t, 'POST', '/api/reauth', { jar: who.jar, body: { password: who.user.password } });
  const res = await api(t, 'POST', '/api/break-glass', {
    jar: who.jar,
    body: { patient, reason: 'Synthetic emergency for the messaging test' },
  });
  return res.status;
}

async function blockAudit(t: TestServer, engine: string): Promise<void> {
  await sql
    .raw(
      engine === 'sqlite'
        ? `CREATE TRIGGER audit_block BEFORE INSERT ON audit_entries BEGIN SELECT RAISE(ABORT, 'disk full'); END`
        : `CREATE TRIGGER audit_block BEFORE INSERT ON audit_entries FOR EACH ROW EXECUTE FUNCTION haven_append_only()`,
    )
    .execute(t.haven.database.db);
}

async function unblockAudit(t: TestServer, engine: string): Promise<void> {
  await sql
    .raw(
      engine === 'sqlite'
        ? 'DROP TRIGGER audit_block'
        : 'DROP TRIGGER audit_block ON audit_entries',
    )
    .execute(t.haven.database.db);
}

/** Every stored byte: the SQLite files (after a WAL checkpoint) or every PostgreSQL row. */
async function rawDatabase(
  t: TestServer,
  engine: string,
): Promise<{ where: string; bytes: Buffer }[]> {
  const out: { where: string; bytes: Buffer }[] = [];
  if (engine === 'sqlite') {
    await sql`PRAGMA wal_checkpoint(PASSIVE)`.execute(t.haven.database.db);
  } else {
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    try {
      const schema = t.target.schema!;
      const tables = await client.query<{ table_name: string }>(
        'SELECT table_name FROM information_schema.tables WHERE table_schema = $1',
        [schema],
      );
      for (const { table_name } of tables.rows) {
        const rows = await client.query(`SELECT * FROM "${schema}"."${table_name}"`);
        const parts = rows.rows.flatMap((row: Record<string, unknown>) =>
          Object.values(row).map((v) => (Buffer.isBuffer(v) ? v : Buffer.from(String(v)))),
        );
        out.push({ where: table_name, bytes: Buffer.concat(parts) });
      }
    } finally {
      await client.end();
    }
  }
  for (const file of walk(t.target.dataDir))
    out.push({ where: path.relative(t.target.dataDir, file), bytes: fs.readFileSync(file) });
  return out;
}

function walk(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}
