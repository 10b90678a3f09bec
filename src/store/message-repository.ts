import { sql, type Kysely } from 'kysely';
import type { HavenDatabase } from './schema.js';

type Db = Kysely<HavenDatabase>;

/** A message's place in its thread: no text, no patient id (ADR 0028). */
export interface MessageRow {
  id: string;
  threadId: string;
  seq: number;
  senderId: string;
  sentAt: string;
}

/** One thread as an inbox lists it, for one reader. */
export interface ThreadSummary {
  threadId: string;
  patientKey: Buffer;
  messages: number;
  unread: number;
  lastSentAt: string;
}

export interface Receipt {
  messageId: string;
  readerId: string;
  readAt: string;
}

/**
 * Order and read receipts of secure messages (migration 0008). Writes run inside the caller's
 * audited transaction, so a message, its place and its audit entry commit together.
 */
export class MessageRepository {
  constructor(private readonly db: Db) {}

  /**
   * Places a message at the end of its thread. The next sequence number is read and written in
   * the same transaction; Haven's group commit runs one batch at a time per process and the
   * (thread, seq) unique key refuses a second writer elsewhere, so numbers never repeat.
   */
  static async append(
    trx: Db,
    m: { id: string; threadId: string; patientKey: Buffer; senderId: string; sentAt: string },
  ): Promise<number> {
    const last = await trx
      .selectFrom('messages')
      .select(sql<number>`coalesce(max(seq), 0)`.as('seq'))
      .where('thread_id', '=', m.threadId)
      .executeTakeFirst();
    const seq = Number(last?.seq ?? 0) + 1;
    await trx
      .insertInto('messages')
      .values({
        id: m.id,
        thread_id: m.threadId,
        seq,
        patient_key: m.patientKey,
        sender_id: m.senderId,
        sent_at: m.sentAt,
      })
      .execute();
    return seq;
  }

  /** Receipts for the messages not yet read by this reader; the ones already there stay. */
  static async markRead(
    trx: Db,
    readerId: string,
    messageIds: readonly string[],
    at: string,
  ): Promise<void> {
    if (messageIds.length === 0) return;
    await trx
      .insertInto('message_receipts')
      .values(messageIds.map((id) => ({ message_id: id, reader_id: readerId, read_at: at })))
      .onConflict((oc) => oc.columns(['message_id', 'reader_id']).doNothing())
      .execute();
  }

  async message(id: string): Promise<(MessageRow & { patientKey: Buffer }) | undefined> {
    const r = await this.db
      .selectFrom('messages')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return r && { ...toRow(r), patientKey: Buffer.from(r.patient_key) };
  }

  /** A thread's messages in order. */
  async inThread(threadId: string): Promise<MessageRow[]> {
    const rows = await this.db
      .selectFrom('messages')
      .selectAll()
      .where('thread_id', '=', threadId)
      .orderBy('seq')
      .execute();
    return rows.map(toRow);
  }

  async receiptsFor(messageIds: readonly string[]): Promise<Receipt[]> {
    if (messageIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('message_receipts')
      .selectAll()
      .where('message_id', 'in', messageIds)
      .orderBy('read_at')
      .orderBy('reader_id')
      .execute();
    return rows.map((r) => ({ messageId: r.message_id, readerId: r.reader_id, readAt: r.read_at }));
  }

  /**
   * The threads of these patients (by key), newest activity first, with how many of their
   * messages from others the reader has not read.
   */
  async threadsFor(patientKeys: readonly Buffer[], readerId: string): Promise<ThreadSummary[]> {
    if (patientKeys.length === 0) return [];
    const rows = await this.db
      .selectFrom('messages as m')
      .leftJoin('message_receipts as r', (j) =>
        j.onRef('r.message_id', '=', 'm.id').on('r.reader_id', '=', readerId),
      )
      .select([
        'm.thread_id as threadId',
        sql<number>`count(*)`.as('messages'),
        sql<number>`sum(case when m.sender_id <> ${readerId} and r.message_id is null then 1 else 0 end)`.as(
          'unread',
        ),
        sql<string>`max(m.sent_at)`.as('lastSentAt'),
        sql<number>`max(m.seq)`.as('lastSeq'),
      ])
      .where('m.patient_key', 'in', patientKeys)
      .groupBy('m.thread_id')
      .execute();
    if (rows.length === 0) return [];
    const keys = await this.db
      .selectFrom('messages')
      .select(['thread_id', 'patient_key'])
      .where(
        'id',
        'in',
        rows.map((r) => r.threadId),
      )
      .execute();
    const keyOf = new Map(keys.map((k) => [k.thread_id, Buffer.from(k.patient_key)]));
    return rows
      .map((r) => ({
        threadId: r.threadId,
        patientKey: keyOf.get(r.threadId)!,
        messages: Number(r.messages),
        unread: Number(r.unread),
        lastSentAt: r.lastSentAt,
      }))
      .filter((t) => t.patientKey !== undefined)
      .sort((a, b) => (a.lastSentAt < b.lastSentAt ? 1 : a.lastSentAt > b.lastSentAt ? -1 : 0));
  }
}

function toRow(r: {
  id: string;
  thread_id: string;
  seq: number | string;
  sender_id: string;
  sent_at: string;
}): MessageRow {
  return {
    id: r.id,
    threadId: r.thread_id,
    seq: Number(r.seq),
    senderId: r.sender_id,
    sentAt: r.sent_at,
  };
}
