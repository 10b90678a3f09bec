import crypto from 'node:crypto';
import { generalizeZip } from './zip.js';

/**
 * The Safe Harbor method (45 CFR 164.514(b)(2)) over FHIR R4 resources. Everything that names,
 * locates, contacts or numbers a person is removed; dates keep their year; ZIP codes their first
 * three digits (000 for sparse areas); ages over 89 become "90+"; ids become pseudonyms.
 * Identifier by identifier (the rule's (A)–(R)):
 *  (A) names: `name`, `contact`, reference `display`, the mother's maiden name extension;
 *  (B) geography below a state: address lines, city, district, full ZIP, geolocation;
 *  (C) dates: every date, dateTime and instant keeps only its year; birth dates of people 90
 *      or older are removed and grouped;
 *  (D–F) telephone, fax, email: `telecom`;
 *  (G–K) SSN, MRN, plan, account, licence numbers: every `identifier`, `subscriberId`;
 *  (L–M) vehicle and device ids: `udiCarrier`, `serialNumber`, `lotNumber`, `distinctIdentifier`;
 *  (N–O) URLs and IP addresses: attachment `url`s (attachments are dropped with free text);
 *  (P–Q) biometrics, photographs: `photo`, attachment data;
 *  (R) other unique numbers: resource ids (HMAC pseudonyms), ImagingStudy `uid`s.
 * Free text (narrative `text`, `note`, `comment`, `contentString`, `valueString`, `description`,
 * `conclusion`, attachment `data`) is left out unless a reviewer opted in, since it can quote any of the above.
 */
export interface SafeHarborOptions {
  /** Per-export HMAC key: same id → same pseudonym within one export, never across exports. */
  key: Buffer;
  /** Reference date for ages (the export's clock). */
  now: Date;
  /** A reviewer checked the free text of this extract and opted in. */
  includeFreeText: boolean;
}

/** Resource types left out: directory entries and raw documents, not a patient's data. */
export const EXCLUDED_TYPES = new Set([
  'Practitioner',
  'PractitionerRole',
  'Organization',
  'Location',
  'Binary',
  'Person',
  'RelatedPerson',
]);

const DROP_ALWAYS = new Set([
  'identifier',
  'name',
  'telecom',
  'photo',
  'contact',
  'subscriberId',
  'udiCarrier',
  'serialNumber',
  'lotNumber',
  'distinctIdentifier',
  'uid',
  'meta',
  'implicitRules',
  'url',
]);
const FREE_TEXT = new Set([
  'note',
  'comment',
  'contentString',
  'valueString',
  'data',
  'description',
  'conclusion',
]);
const DROPPED_EXTENSIONS = new Set([
  'http://hl7.org/fhir/StructureDefinition/patient-mothersMaidenName',
  'http://hl7.org/fhir/StructureDefinition/geolocation',
]);
/** The extension that says a birth date was removed because the person is 90 or older. */
export const AGE_GROUP_EXTENSION = 'urn:haven:deidentified:age-group';

const DATE = /^(\d{4})(-\d{2}(-\d{2}(T[0-9:.]+(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

export function pseudonym(key: Buffer, resourceType: string, id: string): string {
  return crypto
    .createHmac('sha256', key)
    .update(`${resourceType}/${id}`)
    .digest('hex')
    .slice(0, 32);
}

/** A de-identified copy of a resource, or undefined when its type is not exported at all. */
export function deidentifyResource(
  resource: Record<string, unknown>,
  o: SafeHarborOptions,
): Record<string, unknown> | undefined {
  const type = resource.resourceType as string;
  if (EXCLUDED_TYPES.has(type)) return undefined;
  const out = walk(resource, o, '') as Record<string, unknown>;
  out.id = pseudonym(o.key, type, String(resource.id));
  if (type === 'Patient') applyAgeRule(resource, out, o.now);
  return out;
}

function walk(node: unknown, o: SafeHarborOptions, key: string): unknown {
  if (Array.isArray(node)) return node.map((n) => walk(n, o, key)).filter((n) => n !== undefined);
  if (typeof node === 'string') return DATE.test(node) ? node.slice(0, 4) : node;
  if (typeof node !== 'object' || node === null) return node;
  const obj = node as Record<string, unknown>;
  if (typeof obj.url === 'string' && DROPPED_EXTENSIONS.has(obj.url)) return undefined;
  if (key === 'address' || key === 'valueAddress' || key === 'birthPlace') return address(obj);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    // An extension's `url` says what it is (kept); any other url can point at a person.
    if (k === 'url' && (key === 'extension' || key === 'modifierExtension')) {
      out[k] = v;
      continue;
    }
    if (DROP_ALWAYS.has(k)) continue;
    if (FREE_TEXT.has(k) && !o.includeFreeText) continue;
    // The narrative (text.div) is free text; a CodeableConcept's `text` string is a label.
    if (k === 'text' && typeof v === 'object' && !o.includeFreeText) continue;
    if (k === 'reference' && typeof v === 'string') {
      out[k] = reference(v, o.key);
      continue;
    }
    // A reference's display is usually a name.
    if (k === 'display' && 'reference' in obj) continue;
    const w = walk(v, o, k);
    if (w !== undefined && !(Array.isArray(w) && w.length === 0)) out[k] = w;
  }
  return out;
}

/** State and country stay; the ZIP keeps three digits; lines, city, district and geolocation go. */
function address(a: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (typeof a.state === 'string') out.state = a.state;
  if (typeof a.country === 'string') out.country = a.country;
  if (a.postalCode !== undefined) out.postalCode = generalizeZip(a.postalCode);
  return out;
}

/** `Type/id` → `Type/<pseudonym>`; contained (#x) and absolute URLs other than that are dropped. */
function reference(ref: string, key: Buffer): string | undefined {
  if (ref.startsWith('#')) return ref;
  const m = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(\/_history\/.*)?$/.exec(ref);
  return m ? `${m[1]}/${pseudonym(key, m[1]!, m[2]!)}` : undefined;
}

/** Over 89: no birth year (it would reveal the age), only the aggregate category "90+". */
function applyAgeRule(src: Record<string, unknown>, out: Record<string, unknown>, now: Date) {
  const birth = typeof src.birthDate === 'string' ? DATE.exec(src.birthDate) : null;
  if (!birth) return;
  const b = new Date(
    `${src.birthDate as string}${(src.birthDate as string).length === 4 ? '-01-01' : ''}`,
  );
  let age = now.getUTCFullYear() - b.getUTCFullYear();
  const beforeBirthday =
    now.getUTCMonth() < b.getUTCMonth() ||
    (now.getUTCMonth() === b.getUTCMonth() && now.getUTCDate() < b.getUTCDate());
  if (beforeBirthday) age -= 1;
  // A deceased person's age is their age at death.
  if (typeof src.deceasedDateTime === 'string') {
    const d = new Date(src.deceasedDateTime);
    if (!Number.isNaN(d.getTime()) && d < now) age = d.getUTCFullYear() - b.getUTCFullYear();
  }
  if (age > 89) {
    delete out.birthDate;
    delete out.deceasedDateTime;
    out.extension = [
      ...((out.extension as unknown[] | undefined) ?? []),
      { url: AGE_GROUP_EXTENSION, valueString: '90+' },
    ];
  }
}
