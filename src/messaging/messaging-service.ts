import type { RequestContext } from '../auth/index.js';
import type { MessagingDeps } from './context.js';
import { listThreads, type ThreadListing } from './list-threads.js';
import { readAttachment, type AttachmentContent } from './read-attachment.js';
import { readThread, type ThreadView } from './read-thread.js';
import { sendMessage, type NewMessage, type SentMessage } from './send-message.js';

/** Secure messaging between a patient and their care team (ADR 0028): the routes' one port. */
export class MessagingService {
  constructor(private readonly deps: MessagingDeps) {}

  inbox(ctx: RequestContext): Promise<{ threads: ThreadListing[]; unread: number }> {
    return listThreads(this.deps, ctx);
  }

  thread(ctx: RequestContext, threadId: string): Promise<ThreadView> {
    return readThread(this.deps, ctx, threadId);
  }

  send(ctx: RequestContext, m: NewMessage): Promise<SentMessage> {
    return sendMessage(this.deps, ctx, m);
  }

  attachment(ctx: RequestContext, messageId: string): Promise<AttachmentContent> {
    return readAttachment(this.deps, ctx, messageId);
  }
}
