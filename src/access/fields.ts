import type { FieldSetName } from './policy-table.js';

/**
 * Minimum necessary, field by field. A restricted field set lists the top-level elements a role
 * sees; everything else is removed on output and kept untouched on their writes. Elements every
 * resource needs to stay valid and safe (id, meta, modifierExtension) are always kept: a modifier
 * extension changes the meaning of what remains, so dropping it would mislead.
 */
const ALWAYS = ['resourceType', 'id', 'meta', 'implicitRules', 'language', 'modifierExtension'];

export const FIELD_SETS: Readonly<Record<Exclude<FieldSetName, 'all'>, readonly string[]>> = {
  'front-desk': [
    'identifier',
    'active',
    'name',
    'telecom',
    'gender',
    'birthDate',
    'deceasedBoolean',
    'deceasedDateTime',
    'address',
    'contact',
    'communication',
    'generalPractitioner',
    'managingOrganization',
  ],
  identification: ['identifier', 'active', 'name', 'gender', 'birthDate'],
  /**
   * Appointment and CareTeam for the front desk: who, when, where, status and the kind of
   * service, nothing of why. Left out on purpose: reasonCode, reasonReference, comment, note,
   * patientInstruction, description, supportingInformation, basedOn, priority,
   * cancelationReason, a CareTeam's name and category (both often name the condition:
   * "Oncology team"), encounter, extension and the narrative (text).
   */
  scheduling: [
    // Appointment
    'identifier',
    'status',
    'serviceCategory',
    'serviceType',
    'specialty',
    'appointmentType',
    'start',
    'end',
    'minutesDuration',
    'slot',
    'created',
    'participant',
    'requestedPeriod',
    // CareTeam (identifier, status and participant above)
    'subject',
    'period',
    'managingOrganization',
    'telecom',
  ],
  /**
   * A laboratory ServiceRequest for the lab: what to test, on whom, from whom, when and how;
   * not the clinical reasons, notes, history or insurance behind the order.
   */
  'lab-order': [
    'identifier',
    'requisition',
    'status',
    'intent',
    'category',
    'priority',
    'doNotPerform',
    'code',
    'orderDetail',
    'quantityQuantity',
    'quantityRatio',
    'quantityRange',
    'subject',
    'occurrenceDateTime',
    'occurrencePeriod',
    'occurrenceTiming',
    'authoredOn',
    'requester',
    'performerType',
    'performer',
    'locationCode',
    'locationReference',
    'specimen',
    'bodySite',
  ],
};

/** FHIR's own label for a resource shown with elements withheld (v3 ObservationValue). */
export const REDACTED = Object.freeze({
  system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue',
  code: 'REDACTED',
});

export function visibleFields(set: FieldSetName): ReadonlySet<string> | undefined {
  return set === 'all' ? undefined : new Set([...ALWAYS, ...FIELD_SETS[set]]);
}

/** The resource with only the visible elements, labelled REDACTED when anything was removed. */
export function withVisibleFields(
  resource: Record<string, unknown>,
  set: FieldSetName,
): Record<string, unknown> {
  const visible = visibleFields(set);
  if (!visible) return resource;
  const out: Record<string, unknown> = {};
  let removed = false;
  for (const [k, v] of Object.entries(resource)) {
    if (visible.has(k)) out[k] = v;
    else removed = true;
  }
  if (removed) {
    const meta = (out.meta ?? {}) as { security?: unknown[] };
    out.meta = { ...meta, security: [...(meta.security ?? []), { ...REDACTED }] };
  }
  return out;
}

/** Elements of a submitted resource the writer may not see (and so may not set). */
export function hiddenFieldsIn(resource: Record<string, unknown>, set: FieldSetName): string[] {
  const visible = visibleFields(set);
  return visible ? Object.keys(resource).filter((k) => !visible.has(k)) : [];
}

/**
 * What a restricted writer's update becomes: their visible elements, plus every element they
 * cannot see carried over from the current version, so a front-desk edit never erases clinical data.
 */
export function mergeHiddenFields(
  submitted: Record<string, unknown>,
  current: Record<string, unknown> | undefined,
  set: FieldSetName,
): Record<string, unknown> {
  const visible = visibleFields(set);
  if (!visible || !current) return submitted;
  const merged: Record<string, unknown> = { ...submitted };
  for (const [k, v] of Object.entries(current)) if (!visible.has(k)) merged[k] = v;
  // The REDACTED label is ours, added on output; it never belongs in the stored record.
  const meta = merged.meta as { security?: { system?: string; code?: string }[] } | undefined;
  if (meta?.security) {
    const security = meta.security.filter(
      (s) => !(s.system === REDACTED.system && s.code === REDACTED.code),
    );
    merged.meta = { ...meta, security };
    if (security.length === 0) delete (merged.meta as { security?: unknown }).security;
  }
  return merged;
}
