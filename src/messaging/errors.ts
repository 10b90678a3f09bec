/** Why a messaging request was refused. Fixed texts only: never a message, a name or an id. */
export type MessagingErrorCode = 'not-found' | 'not-a-participant' | 'invalid';

const STATUS: Record<MessagingErrorCode, number> = {
  'not-found': 404,
  'not-a-participant': 403,
  invalid: 400,
};

export class MessagingError extends Error {
  readonly status: number;
  constructor(
    readonly code: MessagingErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'MessagingError';
    this.status = STATUS[code];
  }
}

/** A thread or message that does not exist and one the caller may not see look the same. */
export const threadNotFound = (): MessagingError =>
  new MessagingError('not-found', 'no such thread or message');
