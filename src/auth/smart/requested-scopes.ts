import { parseScope, type Scope } from '../scopes.js';

/** The SMART scopes that are not about resources (App Launch 2.0 §scopes-and-launch-context). */
export const SPECIAL_SCOPES = [
  'openid',
  'fhirUser',
  'offline_access',
  'online_access',
  'launch',
  'launch/patient',
] as const;
export type SpecialScope = (typeof SPECIAL_SCOPES)[number];

export interface ScopeSet {
  resources: Scope[];
  special: Set<SpecialScope>;
}

/**
 * A space-separated scope string as an app asks for it. Scopes Haven does not grant (system/
 * scopes, which are for integrations, v2 scopes with a query, unknown words) are left out: an
 * authorization server may grant fewer scopes than asked (RFC 6749 §3.3).
 */
export function readScopes(text: string): ScopeSet {
  const resources: Scope[] = [];
  const special = new Set<SpecialScope>();
  for (const word of text.split(' ').filter((w) => w.length > 0)) {
    if ((SPECIAL_SCOPES as readonly string[]).includes(word)) {
      special.add(word as SpecialScope);
      continue;
    }
    try {
      const s = parseScope(word);
      if (s.context !== 'system') resources.push(s);
    } catch {
      // not a scope Haven grants
    }
  }
  return { resources, special };
}

/** What both the app asked for and its registration allows, interaction by interaction. */
export function intersectScopes(asked: ScopeSet, allowed: ScopeSet): ScopeSet {
  const resources: Scope[] = [];
  for (const r of asked.resources) {
    for (const a of allowed.resources) {
      if (a.context !== r.context) continue;
      if (a.resourceType !== '*' && r.resourceType !== '*' && a.resourceType !== r.resourceType)
        continue;
      const interactions = new Set([...r.interactions].filter((i) => a.interactions.has(i)));
      if (interactions.size === 0) continue;
      resources.push({
        context: r.context,
        resourceType: r.resourceType === '*' ? a.resourceType : r.resourceType,
        interactions,
      });
    }
  }
  const special = new Set([...asked.special].filter((s) => allowed.special.has(s)));
  return { resources, special };
}

/** The v2 text of a scope set (v1 `.read`/`.write` come back as their v2 letters). */
export function formatScopes(set: ScopeSet): string {
  const order = ['c', 'r', 'u', 'd', 's'] as const;
  const words = set.resources.map(
    (s) => `${s.context}/${s.resourceType}.${order.filter((i) => s.interactions.has(i)).join('')}`,
  );
  return [...SPECIAL_SCOPES.filter((s) => set.special.has(s)), ...new Set(words)].join(' ');
}

const TYPE_WORDS: Record<string, string> = {
  '*': 'every kind of health record',
  Patient: 'demographics (name, birth date, contact details)',
  Observation: 'results and measurements (labs, vital signs)',
  Condition: 'conditions and diagnoses',
  AllergyIntolerance: 'allergies',
  MedicationRequest: 'medications',
  Encounter: 'visits',
  Practitioner: 'care team members',
  Appointment: 'appointments',
  DocumentReference: 'documents',
  Binary: 'attached files',
  Communication: 'messages',
  Consent: 'consents',
  AuditEvent: 'who has seen the record',
};

const VERBS: Record<string, string> = {
  r: 'read',
  s: 'search',
  c: 'add to',
  u: 'change',
  d: 'delete',
};

/** The consent screen's plain words for each scope granted (never the patient's data). */
export function describeScopes(set: ScopeSet, patientUser: boolean): string[] {
  const lines: string[] = [];
  if (set.special.has('openid') || set.special.has('fhirUser'))
    lines.push('Know who you are in Haven (your account, not your password)');
  if (set.special.has('launch/patient') || set.special.has('launch'))
    lines.push('Know which patient record is open');
  for (const s of set.resources) {
    const verbs = (['r', 's', 'c', 'u', 'd'] as const)
      .filter((i) => s.interactions.has(i))
      .map((i) => VERBS[i]!);
    const what = TYPE_WORDS[s.resourceType] ?? `${s.resourceType} records`;
    const whose =
      s.context === 'patient'
        ? patientUser
          ? 'your'
          : "the open patient's"
        : patientUser
          ? 'your'
          : 'the patients you may see:';
    const verbText =
      verbs.length === 1 ? verbs[0]! : `${verbs.slice(0, -1).join(', ')} and ${verbs.at(-1)!}`;
    lines.push(`${capitalize(verbText)} ${whose} ${what}`);
  }
  if (set.special.has('offline_access'))
    lines.push('Keep this access when you are not using the app, until you revoke it');
  return lines;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
