/**
 * The few FHIR R4 shapes the clinician workspace reads, and how it names them on screen. Pure
 * (no DOM, no request), so the Node tests check them too; fetching is in fhir.ts.
 */
export interface Coding {
  system?: string;
  code?: string;
  display?: string;
}
export interface CodeableConcept {
  coding?: Coding[];
  text?: string;
}
export interface Reference {
  reference?: string;
  display?: string;
}
export interface Quantity {
  value?: number;
  unit?: string;
  system?: string;
  code?: string;
}
export interface HumanName {
  text?: string;
  given?: string[];
  family?: string;
}
export interface Resource {
  resourceType: string;
  id: string;
  meta?: { versionId?: string; lastUpdated?: string };
  [key: string]: unknown;
}
export interface Patient extends Resource {
  name?: HumanName[];
  birthDate?: string;
  gender?: string;
  identifier?: { system?: string; value?: string; type?: CodeableConcept }[];
  telecom?: { system?: string; value?: string }[];
  address?: { line?: string[]; city?: string; state?: string; postalCode?: string }[];
}
export interface Observation extends Resource {
  status?: string;
  category?: CodeableConcept[];
  code?: CodeableConcept;
  effectiveDateTime?: string;
  valueQuantity?: Quantity;
  valueCodeableConcept?: CodeableConcept;
  component?: { code?: CodeableConcept; valueQuantity?: Quantity }[];
}
export interface DocumentReference extends Resource {
  status?: string;
  docStatus?: string;
  type?: CodeableConcept;
  date?: string;
  description?: string;
  subject?: Reference;
  author?: Reference[];
  authenticator?: Reference;
  context?: { encounter?: Reference[] };
  relatesTo?: { code?: string; target?: Reference }[];
  content?: { attachment?: { contentType?: string; data?: string; title?: string } }[];
}

export function nameOf(p: Patient | undefined): string {
  const n = p?.name?.[0];
  if (!n) return 'Unnamed patient';
  return n.text ?? [...(n.given ?? []), n.family ?? ''].join(' ').trim();
}

export function conceptText(c: CodeableConcept | undefined): string {
  return c?.text ?? c?.coding?.find((x) => x.display)?.display ?? c?.coding?.[0]?.code ?? '—';
}

export function codeOf(c: CodeableConcept | undefined, system: string): string | undefined {
  return c?.coding?.find((x) => x.system === system)?.code;
}

export function quantityText(q: Quantity | undefined): string {
  if (q?.value === undefined) return '';
  return `${Number(q.value.toFixed(2))} ${q.unit ?? q.code ?? ''}`.trim();
}

export function dateText(iso: string | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toISOString().slice(0, 10);
}

export function dateTimeText(iso: string | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** A note's text: the plain-text attachment, decoded as UTF-8. */
export function noteText(doc: DocumentReference): string {
  const data = doc.content?.[0]?.attachment?.data;
  if (!data) return '';
  const bytes = Uint8Array.from(atob(data), (ch) => ch.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

export function base64Utf8(text: string): string {
  let binary = '';
  for (const b of new TextEncoder().encode(text)) binary += String.fromCharCode(b);
  return btoa(binary);
}
