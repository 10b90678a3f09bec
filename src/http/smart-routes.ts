import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  authenticateClient,
  AuthorizationGoneError,
  decideAuthorization,
  describeAuthorization,
  exchangeCode,
  introspectToken,
  issueLaunch,
  OAuthError,
  refreshTokens,
  ReusedRefreshToken,
  revokeToken,
  startAuthorization,
  type AuthorizeParams,
  type IdTokenSigner,
  type SmartStore,
} from '../auth/index.js';
import type { AuditDraft } from '../audit/index.js';
import { apiGuard, type ApiGuardOptions } from './api-guard.js';
import type { ApiApp } from './route-schemas.js';
import * as S from './schemas/smart.js';
import { ApiError, sessionOf } from './session-auth.js';
import { smartConfiguration } from './smart-configuration.js';
import { publicOrigin } from './url.js';

export interface SmartRouteOptions extends ApiGuardOptions {
  smart: SmartStore;
  clock: () => Date;
  idTokens: { sign: IdTokenSigner; jwks: { keys: unknown[] } };
  /** The person's FHIR resource for the fhirUser claim. */
  fhirUser: (userId: string) => Promise<string | undefined>;
}

type Form = Record<string, string>;

/**
 * SMART App Launch 2.x (ADR 0035): discovery, the authorization endpoint, the consent page's
 * API, and the token, introspection and revocation endpoints. OAuth answers are `{ error,
 * error_description }` with fixed texts; the consent API answers like every /api route.
 */
export async function smartRoutes(app: ApiApp, o: SmartRouteOptions): Promise<void> {
  const { route, contextOf, audit } = apiGuard(app, o, consentRefusal);
  const origin = (req: FastifyRequest) => publicOrigin(req, o.publicBaseUrl);
  const fhirBase = (req: FastifyRequest) => `${origin(req)}/fhir/R4`;
  const anonymous = (req: FastifyRequest, d: Omit<AuditDraft, 'actorType' | 'actorId'>) =>
    o.audit.append({
      actorType: 'anonymous',
      actorId: null,
      ip: req.ip,
      userAgent: req.headers['user-agent'],
      requestId: req.id,
      ...d,
    });

  // OAuth bodies are form-encoded (RFC 6749 §3.2); the parser is this plugin's only.
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 16 * 1024 },
    (_req, body, done) => {
      const form: Form = {};
      for (const [k, v] of new URLSearchParams(body as string)) {
        if (k in form) return done(new OAuthError('invalid_request', 'a parameter is repeated'));
        form[k] = v;
      }
      done(null, form);
    },
  );

  const discovery = async (req: FastifyRequest) => smartConfiguration(origin(req));
  const PUBLIC = { config: { permission: 'public' as const } };
  app.get('/.well-known/smart-configuration', PUBLIC, discovery);
  app.get('/fhir/R4/.well-known/smart-configuration', PUBLIC, discovery);
  app.get('/oauth2/jwks', PUBLIC, async () => o.idTokens.jwks);

  app.get('/oauth2/authorize', PUBLIC, async (req, reply) => {
    const outcome = await startAuthorization(
      o.smart,
      stringsOf(req.query) as AuthorizeParams,
      fhirBase(req),
      o.clock(),
    );
    const client = outcome.kind === 'refused' ? outcome.clientId : outcome.clientId;
    await anonymous(req, {
      action: 'smart-authorize',
      outcome: outcome.kind === 'consent' ? 'success' : 'failure',
      detail: {
        ...(client !== undefined && { client }),
        ...(outcome.kind === 'consent' && { grant: outcome.grantId }),
        ...(outcome.kind === 'redirect-error' && { error: outcome.error }),
      },
    });
    if (outcome.kind === 'refused')
      return reply.status(400).send({
        error: 'invalid_request',
        error_description: 'unknown client, or a redirect URI not registered for it',
      });
    if (outcome.kind === 'redirect-error') return reply.redirect(outcome.location, 302);
    return reply.redirect(`/smart/authorize?request=${outcome.request}`, 302);
  });

  app.get('/api/smart/authorizations/:request', route('session:active', S.describe), async (req) =>
    describeAuthorization(o.smart, req.params.request, decider(req), o.clock()),
  );

  app.post(
    '/api/smart/authorizations/:request/decision',
    route('session:active', S.decide),
    async (req) => {
      const ctx = contextOf(req);
      const d = await decideAuthorization(
        o.smart,
        req.params.request,
        decider(req),
        req.body.approve,
        o.clock(),
      );
      await audit(
        ctx,
        {
          action: req.body.approve ? 'smart-consent-grant' : 'smart-consent-deny',
          detail: { client: d.clientId, grant: d.grantId, scope: d.scope },
        },
        'success',
      );
      return { location: d.location };
    },
  );

  // The apps a clinician can launch from the chart: live ones with a launch URL, no secrets.
  app.get('/api/smart/apps', route('session:active', S.apps), async () => ({
    apps: (await o.smart.listClients())
      .filter((c) => c.revokedAt === null && c.launchUrl !== null)
      .map((c) => ({ id: c.id, name: c.name, launchUrl: c.launchUrl as string }))
      .sort((a, b) => a.name.localeCompare(b.name)),
  }));

  app.post('/api/smart/launch', route('session:active', S.launch), async (req) => {
    const ctx = contextOf(req);
    const issued = await issueLaunch(
      o.smart,
      { clientId: req.body.clientId, userId: ctx.principal.id, patientId: req.body.patientId },
      o.clock(),
    );
    await o.audit.record(ctx, {
      action: 'smart-launch',
      outcome: 'success',
      patientId: req.body.patientId,
      detail: { client: req.body.clientId },
    });
    return { launch: issued.launch, iss: fhirBase(req), url: issued.launchUrl };
  });

  app.post('/oauth2/token', PUBLIC, async (req, reply) =>
    oauth(reply, async () => {
      const form = formOf(req);
      const client = await authenticateClient(o.smart, credentials(req, form));
      const c = {
        store: o.smart,
        now: o.clock(),
        signIdToken: o.idTokens.sign,
        fhirUser: o.fhirUser,
      };
      const refreshing = form.grant_type === 'refresh_token';
      if (form.grant_type !== 'authorization_code' && !refreshing)
        throw new OAuthError('unsupported_grant_type', 'authorization_code or refresh_token');
      try {
        const issued = refreshing
          ? await refreshTokens(c, client, form.refresh_token)
          : await exchangeCode(c, client, {
              code: form.code,
              redirectUri: form.redirect_uri,
              verifier: form.code_verifier,
            });
        await o.audit.append({
          action: refreshing ? 'smart-token-refresh' : 'smart-token-issue',
          outcome: 'success',
          actorType: 'user',
          actorId: issued.userId,
          ip: req.ip,
          userAgent: req.headers['user-agent'],
          requestId: req.id,
          detail: { client: client.id, grant: issued.grantId, scope: issued.response.scope },
        });
        reply.header('pragma', 'no-cache');
        return issued.response;
      } catch (e) {
        if (e instanceof OAuthError)
          await anonymous(req, {
            action: refreshing ? 'smart-token-refresh' : 'smart-token-issue',
            outcome: 'failure',
            detail: {
              client: client.id,
              error: e.error,
              ...(e instanceof ReusedRefreshToken && { reuse: true, grant: e.grantId }),
            },
          });
        throw e;
      }
    }),
  );

  app.post('/oauth2/introspect', PUBLIC, async (req, reply) =>
    oauth(reply, async () => {
      const form = formOf(req);
      const client = await authenticateClient(o.smart, credentials(req, form));
      return introspectToken(o.smart, client, form.token, o.clock());
    }),
  );

  app.post('/oauth2/revoke', PUBLIC, async (req, reply) =>
    oauth(reply, async () => {
      const form = formOf(req);
      const client = await authenticateClient(o.smart, credentials(req, form));
      const revoked = await revokeToken(o.smart, client, form.token, o.clock());
      if (revoked)
        await o.audit.append({
          action: 'smart-token-revoke',
          outcome: 'success',
          actorType: 'user',
          actorId: revoked.userId,
          ip: req.ip,
          userAgent: req.headers['user-agent'],
          requestId: req.id,
          detail: { client: client.id, grant: revoked.grantId },
        });
      // RFC 7009 §2.2: 200 whether or not the token was known.
      return reply.status(200).send();
    }),
  );
}

function decider(req: FastifyRequest) {
  const a = sessionOf(req).account;
  return { userId: a.id, patientId: a.patientId ?? undefined };
}

async function oauth(reply: FastifyReply, work: () => Promise<unknown>): Promise<unknown> {
  try {
    return await work();
  } catch (e) {
    if (!(e instanceof OAuthError)) throw e;
    if (e.error === 'invalid_client') reply.header('www-authenticate', 'Basic realm="haven"');
    return reply.status(e.status).send({ error: e.error, error_description: e.description });
  }
}

function formOf(req: FastifyRequest): Form {
  const type = req.headers['content-type'] ?? '';
  if (!type.startsWith('application/x-www-form-urlencoded') || typeof req.body !== 'object')
    throw new OAuthError('invalid_request', 'send the parameters form-encoded');
  return req.body as Form;
}

/** client_secret_basic (RFC 6749 §2.3.1: each part form-encoded) or client_secret_post / none. */
function credentials(req: FastifyRequest, form: Form) {
  const m = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(req.headers.authorization ?? '');
  if (m) {
    const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
    const at = decoded.indexOf(':');
    if (at < 0) throw new OAuthError('invalid_client', 'malformed client credentials');
    const id = decodeURIComponent(decoded.slice(0, at).replace(/\+/g, ' '));
    if (form.client_id !== undefined && form.client_id !== id)
      throw new OAuthError('invalid_client', 'the client is named twice, differently');
    return { clientId: id, secret: decodeURIComponent(decoded.slice(at + 1).replace(/\+/g, ' ')) };
  }
  return { clientId: form.client_id, secret: form.client_secret };
}

function stringsOf(query: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries((query ?? {}) as Record<string, unknown>))
    if (typeof v === 'string') out[k] = v;
  return out;
}

/** The consent API's own refusals, as `{ error: { code, message, requestId } }`. */
function consentRefusal(e: unknown): ApiError | undefined {
  if (e instanceof AuthorizationGoneError)
    return new ApiError(404, 'authorization-gone', 'this request is unknown, expired or decided');
  if (e instanceof OAuthError) return new ApiError(403, 'forbidden', e.description);
  return undefined;
}
