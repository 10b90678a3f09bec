import { useQuery } from '@tanstack/react-query';
import { get } from '../api';

/** The shapes of /api/messages (src/http/schemas/messages.ts). Held in the query cache only. */
export interface ThreadListing {
  threadId: string;
  patient: string;
  subject: string;
  messages: number;
  unread: number;
  lastSentAt: string;
}

export interface Inbox {
  unread: number;
  threads: ThreadListing[];
}

export interface ReadReceipt {
  reader: string;
  readerId: string;
  readAt: string;
}

export interface Message {
  id: string;
  seq: number;
  sentAt: string;
  sender: string;
  senderId: string;
  mine: boolean;
  text: string;
  attachment?: { binaryId: string; contentType: string; title: string; size: number };
  readBy: ReadReceipt[];
}

export interface Thread {
  threadId: string;
  patient: string;
  subject: string;
  messages: Message[];
}

export interface NewAttachment {
  contentType: string;
  title: string;
  data: string;
}

export const INBOX_KEY = ['messages', 'inbox'];

export function useInbox() {
  return useQuery({ queryKey: INBOX_KEY, queryFn: () => get<Inbox>('/api/messages/threads') });
}

/** Attachments Haven accepts (src/records/binary.ts), for the file picker. */
export const ACCEPTED_TYPES = ['application/pdf', 'image/png', 'image/jpeg', 'text/plain'];

/** A file as the API takes it: its type, its name and its bytes in base64. */
export async function attachmentOf(file: File): Promise<NewAttachment> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return {
    contentType: file.type || 'application/octet-stream',
    title: file.name,
    data: btoa(binary),
  };
}

interface Named {
  resourceType?: string;
  name?: { text?: string; given?: string[]; family?: string; prefix?: string[] }[];
}

/**
 * A person's name from their Patient or Practitioner record (the directory and one's own
 * patients are readable; anything else stays the reference's kind).
 */
export function useDisplayName(ref: string): string {
  const [type] = ref.split('/');
  const known = type === 'Patient' || type === 'Practitioner';
  const q = useQuery({
    queryKey: ['display-name', ref],
    enabled: known,
    staleTime: 5 * 60_000,
    retry: false,
    queryFn: async () => {
      const r = await get<Named>(`/fhir/R4/${ref}`);
      const n = r.name?.[0];
      const name =
        n?.text ?? [...(n?.prefix ?? []), ...(n?.given ?? []), n?.family ?? ''].join(' ');
      return name.trim() || null;
    },
  });
  if (q.data) return q.data;
  return type === 'Practitioner' ? 'Care team member' : type === 'Patient' ? 'Patient' : 'Staff';
}
