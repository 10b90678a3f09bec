/**
 * Secure messages as FHIR R4 Communication resources (ADR 0028). A thread is its first
 * Communication; every reply names it in `partOf`, so a thread is found with one reference,
 * however long it grows. The text is `payload.contentString`; an attachment is a
 * `payload.contentAttachment` whose url is a Binary sealed under the same patient's key.
 */

export interface AttachmentRef {
  binaryId: string;
  contentType: string;
  title: string;
  size: number;
}

export interface NewCommunication {
  id: string;
  patient: string;
  sender: string;
  recipients: readonly string[];
  sent: string;
  text: string;
  /** The thread's subject, on its first message only. */
  subject?: string | undefined;
  /** The thread's first Communication, for a reply. */
  threadId?: string | undefined;
  attachment?: AttachmentRef | undefined;
}

export function communicationBody(m: NewCommunication): Record<string, unknown> {
  return {
    resourceType: 'Communication',
    status: 'completed',
    category: [
      {
        coding: [
          {
            system: 'http://terminology.hl7.org/CodeSystem/communication-category',
            code: 'notification',
          },
        ],
        text: 'Secure message',
      },
    ],
    subject: { reference: m.patient },
    ...(m.threadId !== undefined && { partOf: [{ reference: `Communication/${m.threadId}` }] }),
    ...(m.subject !== undefined && { topic: { text: m.subject } }),
    sent: m.sent,
    sender: { reference: m.sender },
    ...(m.recipients.length > 0 && { recipient: m.recipients.map((reference) => ({ reference })) }),
    payload: [
      { contentString: m.text },
      ...(m.attachment
        ? [
            {
              contentAttachment: {
                contentType: m.attachment.contentType,
                url: `Binary/${m.attachment.binaryId}`,
                title: m.attachment.title,
                size: m.attachment.size,
              },
            },
          ]
        : []),
    ],
  };
}

/** What a stored Communication says, as the thread view shows it. */
export interface MessageContent {
  sender: string;
  text: string;
  subject: string | undefined;
  attachment: AttachmentRef | undefined;
}

export function messageContent(resource: Record<string, unknown>): MessageContent {
  const payload = Array.isArray(resource.payload)
    ? (resource.payload as Record<string, unknown>[])
    : [];
  const text = payload.map((p) => p.contentString).find((s) => typeof s === 'string');
  const att = payload
    .map((p) => p.contentAttachment as Record<string, unknown> | undefined)
    .find((a) => a !== undefined && typeof a.url === 'string');
  const binaryId =
    typeof att?.url === 'string' && att.url.startsWith('Binary/')
      ? att.url.slice('Binary/'.length)
      : undefined;
  const topic = (resource.topic as { text?: unknown } | undefined)?.text;
  const sender = (resource.sender as { reference?: unknown } | undefined)?.reference;
  return {
    sender: typeof sender === 'string' ? sender : '',
    text: typeof text === 'string' ? text : '',
    subject: typeof topic === 'string' ? topic : undefined,
    attachment:
      att && binaryId
        ? {
            binaryId,
            contentType: String(att.contentType ?? 'application/octet-stream'),
            title: typeof att.title === 'string' ? att.title : 'attachment',
            size: typeof att.size === 'number' ? att.size : 0,
          }
        : undefined,
  };
}
