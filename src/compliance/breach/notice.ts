import type { Incident } from './incident.js';

/** Placeholders filled only when a letter is sent; the incident never holds a recipient. */
export const RECIPIENT_PLACEHOLDERS = ['{{recipient_name}}', '{{recipient_address}}'] as const;

export interface NoticeContact {
  organization: string;
  phone: string;
  email: string;
  postalAddress: string;
}

/**
 * A draft of the individual notice with the elements 45 CFR 164.404(c)(1) requires: (A) what
 * happened, with the dates of the breach and of its discovery; (B) the types of PHI involved;
 * (C) the steps individuals should take to protect themselves; (D) what the covered entity is
 * doing to investigate, mitigate and protect against further breaches; (E) contact procedures,
 * including a toll-free number, an email address, a web site or a postal address. Written in
 * plain language (164.404(c)(2)). Recipient fields are placeholders, filled at send time.
 */
export function noticeDraft(incident: Incident, contact: NoticeContact): string {
  const a = incident.assessment;
  const scope = incident.affected;
  const day = (iso: string) => iso.slice(0, 10);
  return [
    '{{recipient_name}}',
    '{{recipient_address}}',
    '',
    `Notice of a breach of your health information — ${contact.organization}`,
    '',
    '## What happened',
    `${incident.description}${
      scope ? ` The access took place between ${day(scope.from)} and ${day(scope.to)}.` : ''
    } We discovered it on ${day(incident.discoveredAt)}.`,
    '',
    '## What information was involved',
    a?.natureAndExtent ?? '[to be completed: the types of information involved]',
    '',
    '## What you can do',
    'Review the statements you receive from your health care providers and your health plan. If ' +
      'you see services you did not receive, call the provider or plan at once. You may ask us ' +
      'for an accounting of who accessed your record.',
    '',
    '## What we are doing',
    a?.mitigation ??
      '[to be completed: how we are investigating, limiting the harm and preventing a recurrence]',
    '',
    '## For more information',
    `Call us toll-free at ${contact.phone}, write to ${contact.email}, or write to ` +
      `${contact.postalAddress}.`,
    '',
  ].join('\n');
}
