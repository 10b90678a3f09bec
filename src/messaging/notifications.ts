/**
 * The port through which messaging tells a person that a message waits for them. It takes a
 * user id and nothing else: no thread, no sender, no text can reach a notification through it.
 * The composition root joins it to the notification module (src/notify) at assembly.
 */
export interface NewMessageNotifier {
  notifyNewMessage(recipientUserId: string): Promise<void>;
}

/** How long after one email about a thread further messages in it send none. */
export const DEFAULT_DEBOUNCE_MS = 5 * 60_000;

/**
 * One email per person per thread within the window, however many messages arrive in it: the
 * first message notifies at once, the next ones in the window do not (a conversation in progress
 * is not a stream of emails). On the injected clock; per server process (with several workers a
 * person may get one email per worker in a window, never one per message).
 */
export class MessageNotifications {
  private readonly lastSent = new Map<string, number>();

  constructor(
    private readonly notifier: NewMessageNotifier,
    private readonly clock: () => Date,
    private readonly windowMs = DEFAULT_DEBOUNCE_MS,
    private readonly onFailure: (code: string) => void = () => undefined,
  ) {}

  /** Notifies each recipient unless they were notified about this thread within the window. */
  async messageSent(threadId: string, recipientUserIds: readonly string[]): Promise<void> {
    const now = this.clock().getTime();
    this.forget(now);
    const due = recipientUserIds.filter((u) => {
      const last = this.lastSent.get(`${u}|${threadId}`);
      return last === undefined || now - last >= this.windowMs;
    });
    // Claimed before sending, so parallel messages in one thread still send one email.
    for (const u of due) this.lastSent.set(`${u}|${threadId}`, now);
    await Promise.all(
      due.map(async (u) => {
        try {
          await this.notifier.notifyNewMessage(u);
        } catch (e) {
          // The message is stored and readable; a lost email is logged by code, never retried here.
          this.lastSent.delete(`${u}|${threadId}`);
          this.onFailure(
            typeof (e as { code?: unknown })?.code === 'string'
              ? String((e as { code: string }).code)
              : 'send-failed',
          );
        }
      }),
    );
  }

  private forget(now: number): void {
    for (const [k, at] of this.lastSent) if (now - at >= this.windowMs) this.lastSent.delete(k);
  }
}
