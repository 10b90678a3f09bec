/** Small readers for the FHIR shapes the role screens show; no PHI leaves the page through them. */

export interface Coding {
  system?: string;
  code?: string;
  display?: string;
}
export interface CodeableConcept {
  coding?: Coding[];
  text?: string;
}
export interface Quantity {
  value?: number;
  unit?: string;
  code?: string;
}
export interface Observation {
  resourceType: 'Observation';
  id: string;
  meta?: { versionId?: string; lastUpdated?: string };
  status: string;
  category?: CodeableConcept[];
  code: CodeableConcept;
  subject?: { reference?: string };
  effectiveDateTime?: string;
  issued?: string;
  valueQuantity?: Quantity;
  valueString?: string;
  valueCodeableConcept?: CodeableConcept;
}
export interface DiagnosticReport {
  resourceType: 'DiagnosticReport';
  id: string;
  status: string;
  code: CodeableConcept;
  effectiveDateTime?: string;
  issued?: string;
  result?: { reference?: string; display?: string }[];
}
export interface DocumentReference {
  resourceType: 'DocumentReference';
  id: string;
  docStatus?: string;
  date?: string;
  type?: CodeableConcept;
  content?: { attachment?: { contentType?: string; data?: string; title?: string } }[];
}
export interface Bundle<T> {
  total?: number;
  entry?: { resource?: T }[];
}

export const resourcesOf = <T>(b: Bundle<T> | undefined): T[] =>
  (b?.entry ?? []).flatMap((e) => (e.resource ? [e.resource] : []));

export function conceptText(c: CodeableConcept | undefined): string {
  return c?.text ?? c?.coding?.find((k) => k.display)?.display ?? c?.coding?.[0]?.code ?? '';
}

export function valueText(o: Observation): string {
  if (o.valueQuantity) {
    const v = o.valueQuantity.value;
    const value = typeof v === 'number' ? Number(v.toFixed(2)).toString() : '';
    return `${value} ${o.valueQuantity.unit ?? o.valueQuantity.code ?? ''}`.trim();
  }
  if (o.valueString !== undefined) return o.valueString;
  if (o.valueCodeableConcept) return conceptText(o.valueCodeableConcept);
  return '';
}

export function when(iso: string | undefined): string {
  return iso ? new Date(iso).toLocaleDateString('en-US', { dateStyle: 'medium' }) : '';
}

/** The newest first by the resource's clinical time. */
export function newestFirst<
  T extends { effectiveDateTime?: string; issued?: string; date?: string },
>(items: T[]): T[] {
  const t = (x: T) => x.effectiveDateTime ?? x.issued ?? x.date ?? '';
  return [...items].sort((a, b) => t(b).localeCompare(t(a)));
}

/** A note's text attachment, decoded as UTF-8 in the page (never sent anywhere). */
export function noteText(d: DocumentReference): string {
  const data = d.content?.find((c) => c.attachment?.data)?.attachment?.data;
  if (!data) return '';
  const bytes = Uint8Array.from(atob(data), (ch) => ch.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

export const RELEASED_STATUSES = new Set(['final', 'amended', 'corrected']);
