import type { SubjectFacts } from '../alerts/index.js';
import type { BlindIndex } from '../crypto/index.js';
import type { SealedResources } from '../records/index.js';
import type { CareRelationRepository, ResourceRepository, UserRepository } from '../store/index.js';

/**
 * How Haven marks a VIP: `Patient.meta.security` holds the HL7 confidentiality code V (very
 * restricted), the standard label for records whose every read a privacy officer wants to see
 * (ADR 0030). Any staff member allowed to label records can set or clear it.
 */
export const VIP_LABEL = {
  system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality',
  code: 'V',
} as const;

interface PatientFacts {
  vip: boolean;
  /** Blind-index tokens of the patient's family names: hashes, never the names. */
  surnames: string[];
  until: number;
}

interface PersonFacts {
  patientId: string | null;
  practitionerId: string | null;
  surnames: string[];
  until: number;
}

export interface AlertSubjectDeps {
  users: UserRepository;
  relations: CareRelationRepository;
  resources: ResourceRepository;
  sealed: SealedResources;
  blindIndex: BlindIndex;
  clock: () => Date;
  /** How long a looked-up fact is trusted (a new VIP label counts within it). */
  ttlMs?: number;
}

/**
 * The rules' view of people and patients. Records are opened once per patient per TTL and
 * reduced to a VIP bit and keyed surname hashes, so the cache holds no names.
 */
export function alertSubjects(d: AlertSubjectDeps): SubjectFacts {
  const ttl = d.ttlMs ?? 60_000;
  const patients = new Map<string, PatientFacts>();
  const people = new Map<string, PersonFacts>();
  // Care relations per (person, patient): one query per pair per TTL, not one per chart read.
  const related = new Map<string, { care: boolean; until: number }>();
  const surnameTokens = (resource: Record<string, unknown> | undefined): string[] => {
    const names = (resource?.name ?? []) as { family?: unknown }[];
    return names
      .map((n) =>
        typeof n.family === 'string' ? n.family.normalize('NFKC').trim().toLowerCase() : '',
      )
      .filter(Boolean)
      .map((f) => d.blindIndex.token(`alert-surname:${f}`).toString('hex'));
  };
  const open = async (type: string, id: string) => {
    const v = await d.resources.readCurrent(type, id);
    return v && !v.deleted ? d.sealed.openParsed(v) : undefined;
  };
  // Each lookup answers a cached fact as a plain value (no promise, no await: the common case
  // on a busy chart-read stream) and only a miss as a promise of the looked-up one.
  const patient = (id: string): PatientFacts | Promise<PatientFacts> => {
    const hit = patients.get(id);
    if (hit && hit.until > d.clock().getTime()) return hit;
    return lookPatient(id);
  };
  const lookPatient = async (id: string): Promise<PatientFacts> => {
    const now = d.clock().getTime();
    const r = await open('Patient', id);
    const labels = ((r?.meta as { security?: unknown } | undefined)?.security ?? []) as {
      system?: string;
      code?: string;
    }[];
    const facts = {
      vip: labels.some((l) => l.system === VIP_LABEL.system && l.code === VIP_LABEL.code),
      surnames: surnameTokens(r),
      until: now + ttl,
    };
    remember(patients, id, facts);
    return facts;
  };
  const person = (userId: string): PersonFacts | Promise<PersonFacts> => {
    const hit = people.get(userId);
    if (hit && hit.until > d.clock().getTime()) return hit;
    return lookPerson(userId);
  };
  const lookPerson = async (userId: string): Promise<PersonFacts> => {
    const now = d.clock().getTime();
    const u = await d.users.findById(userId);
    const practitioner = u?.practitionerId
      ? await open('Practitioner', u.practitionerId)
      : undefined;
    const facts = {
      patientId: u?.patientId ?? null,
      practitionerId: u?.practitionerId ?? null,
      surnames: surnameTokens(practitioner),
      until: now + ttl,
    };
    remember(people, userId, facts);
    return facts;
  };
  const lookRelation = async (key: string, userId: string, patientId: string) => {
    const now = d.clock().getTime();
    const p = await person(userId);
    const ref = `Patient/${patientId}`;
    // A lab order is the lab's relation to the patient (the lab assistants' reach).
    const practitioner = p.practitionerId ? `Practitioner/${p.practitionerId}` : undefined;
    const r = await d.relations.relationsOf(practitioner, [ref]);
    const care = r.care.has(ref) || r.labOrder.has(ref);
    remember(related, key, { care, until: now + ttl });
    return care;
  };
  const then = <T, U>(v: T | Promise<T>, f: (t: T) => U): U | Promise<U> =>
    v instanceof Promise ? v.then(f) : f(v);
  const shares = (p: PersonFacts, q: PatientFacts) =>
    p.surnames.length > 0 && p.surnames.some((s) => q.surnames.includes(s));
  return {
    isSelf: (userId, patientId) => then(person(userId), (p) => p.patientId === patientId),
    isVip: (patientId) => then(patient(patientId), (p) => p.vip),
    sharesSurname: (userId, patientId) => {
      const p = person(userId);
      const q = patient(patientId);
      if (p instanceof Promise || q instanceof Promise)
        return Promise.all([p, q]).then(([a, b]) => shares(a, b));
      return shares(p, q);
    },
    hasCareRelation: (userId, patientId) => {
      const key = `${userId}|${patientId}`;
      const hit = related.get(key);
      if (hit && hit.until > d.clock().getTime()) return hit.care;
      return lookRelation(key, userId, patientId);
    },
  };
}

/** Keeps the caches bounded: the oldest entry goes when one is full. */
function remember<T>(map: Map<string, T>, key: string, value: T, max = 10_000): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > max) map.delete(map.keys().next().value!);
}
