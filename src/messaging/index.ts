/** Secure messaging between a patient and their care team (issue 16 part 4, ADR 0028). */
export { MessagingService } from './messaging-service.js';
export type { MessagingDeps, PeopleDirectory, LinkedAccount } from './context.js';
export { MessagingError } from './errors.js';
export type { MessagingErrorCode } from './errors.js';
export {
  MessageNotifications,
  DEFAULT_DEBOUNCE_MS,
  type NewMessageNotifier,
} from './notifications.js';
export { LogMessageNotifier } from './log-notifier.js';
export type { NewMessage, NewAttachment, SentMessage } from './send-message.js';
export type { ThreadView, MessageView, ReadReceipt } from './read-thread.js';
export type { ThreadListing } from './list-threads.js';
export type { AttachmentContent } from './read-attachment.js';
