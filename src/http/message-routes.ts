import { MessagingError, type MessagingService } from '../messaging/index.js';
import { apiGuard, type ApiGuardOptions } from './api-guard.js';
import type { ApiApp } from './route-schemas.js';
import * as S from './schemas/messages.js';
import { ApiError } from './session-auth.js';

export interface MessageRouteOptions extends ApiGuardOptions {
  messaging: MessagingService;
}

/**
 * Secure messaging (ADR 0028). Every route needs a signed-in person with the second factor; who
 * may see or write a thread is messaging's own decision on the thread's patient (refused as not
 * found, audited). Answers are PHI: the app-wide `Cache-Control: no-store` covers them.
 */
export async function messageRoutes(app: ApiApp, o: MessageRouteOptions): Promise<void> {
  const { route, contextOf } = apiGuard(app, o, translate);

  app.get('/api/messages/threads', route('session:active', S.inbox), async (req) =>
    o.messaging.inbox(contextOf(req)),
  );

  app.post('/api/messages/threads', route('session:active', S.startThread), async (req, reply) => {
    const b = req.body;
    const sent = await o.messaging.send(contextOf(req), {
      patient: b.patient,
      subject: b.subject,
      text: b.text,
      attachment: b.attachment,
    });
    return reply.status(201).send(sent);
  });

  app.get('/api/messages/threads/:id', route('session:active', S.thread), async (req) =>
    o.messaging.thread(contextOf(req), req.params.id),
  );

  app.post(
    '/api/messages/threads/:id/messages',
    route('session:active', S.reply),
    async (req, reply) => {
      const sent = await o.messaging.send(contextOf(req), {
        threadId: req.params.id,
        text: req.body.text,
        attachment: req.body.attachment,
      });
      return reply.status(201).send(sent);
    },
  );

  app.get('/api/messages/:id/attachment', route('session:active', S.attachment), async (req) =>
    o.messaging.attachment(contextOf(req), req.params.id),
  );
}

function translate(error: unknown): ApiError | undefined {
  return error instanceof MessagingError
    ? new ApiError(error.status, error.code, error.message)
    : undefined;
}
