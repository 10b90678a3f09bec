import crypto from 'node:crypto';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { Haven } from '../app/index.js';
import { adminUserRoutes } from './admin-user-routes.js';
import { alertRoutes } from './alert-routes.js';
import { refuseUnknownHosts } from './allowed-hosts.js';
import { appTokenRoutes } from './app-token-routes.js';
import { createIdTokenSigner } from '../auth/index.js';
import { installSmartCors, originsOf } from './smart-cors.js';
import { smartRoutes } from './smart-routes.js';
import { breakGlassRoutes } from './break-glass-routes.js';
import { schedulingRoutes } from './scheduling-routes.js';
import { messageRoutes } from './message-routes.js';
import { complianceRoutes } from './compliance-routes.js';
import { openIncidents } from '../compliance/index.js';
import { auditRoutes } from './audit-routes.js';
import { authRoutes } from './auth-routes.js';
import { installErrorHandlers } from './errors.js';
import { registerJsonBodyParser } from './json-body.js';
import { frameworkErrorAnswer, installRefusalAudit } from './refusal-audit.js';
import { fhirRoutes } from './fhir-routes.js';
import { healthRoutes } from './health-routes.js';
import { drainUnreadBodies } from './drain-unread-body.js';
import { installInFlightLimit } from './load-shedding.js';
import { openApiRoute, registerOpenApi } from './openapi.js';
import { requirePermissionDeclarations } from './permissions.js';
import { installRateLimit } from './rate-limit.js';
import { installSecurityHeaders, securityHeaders } from './security-headers.js';
import { installRouteSchemas, type ApiApp } from './route-schemas.js';
import { apiHealth } from './schemas/health.js';
import { fastifyTimeouts, nodeServerTimeouts } from './server-timeouts.js';
import { tlsServerOptions } from './tls/index.js';
import { webauthnRoutes } from './webauthn-routes.js';
import { visitRoutes } from './visit-routes.js';
import { webRoutes } from './web-routes.js';

export interface AppOptions {
  tls: { certPem: string; keyPem: string };
  software: { name: string; version: string };
  publicBaseUrl?: string | undefined;
  /**
   * Serve GET /bench/baseline: an unauthenticated JSON document of a requested size, so the
   * benchmark can compare FHIR reads with the same server sending the same bytes. Off by default.
   */
  benchBaseline?: boolean;
}

/** The HTTPS application: security headers, request ids, routes that each declare a permission. */
export async function buildApp(haven: Haven, opts: AppOptions): Promise<FastifyInstance> {
  // One public URL for links, the same-origin check and WebAuthn's relying party (People).
  const publicBaseUrl = opts.publicBaseUrl ?? haven.config.publicUrl;
  const app = Fastify({
    https: {
      ...tlsServerOptions({ ...opts.tls, minVersion: haven.config.tlsMinVersion }),
      ...nodeServerTimeouts(haven.config.timeouts),
    },
    ...fastifyTimeouts(haven.config.timeouts),
    loggerInstance: haven.logger,
    // Fastify's own request lines would log URLs (ids, search values); ours logs route patterns.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: haven.config.bodyLimitBytes,
    genReqId: () => crypto.randomUUID(),
    requestIdHeader: false,
    trustProxy: false,
    return503OnClosing: true,
    frameworkErrors: frameworkErrorAnswer({ audit: haven.audit }),
  }) as unknown as FastifyInstance; // the HTTPS server type differs only in its raw server generic
  requirePermissionDeclarations(app);
  installRouteSchemas(app);
  await registerOpenApi(app, opts.software);
  // First hook of all: a request past the bound is refused before anything else runs.
  installInFlightLimit(app, haven.config.maxInFlight);
  drainUnreadBodies(app);
  refuseUnknownHosts(app, {
    listenHost: haven.config.host,
    publicUrl: publicBaseUrl,
    extra: haven.config.allowedHosts,
  });
  // Per route (each route's first own hook), so after the two above; before any route is added.
  await installRateLimit(app, { limit: haven.config.rateLimit, redis: haven.redis });
  installSecurityHeaders(
    app,
    await securityHeaders({
      hsts: { maxAge: 63072000, includeSubDomains: true, preload: false },
      contentSecurityPolicy: {
        directives: { defaultSrc: ["'self'"], frameAncestors: ["'none'"], objectSrc: ["'none'"] },
      },
      referrerPolicy: { policy: 'no-referrer' },
    }),
  );
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('x-request-id', request.id);
    reply.header('cache-control', 'no-store');
    return payload;
  });
  // One PHI-free line per request: route pattern (never the URL, which holds ids and search
  // values), status and duration.
  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      'request',
    );
  });
  installErrorHandlers(app, haven.config.retryAfterSeconds);
  registerJsonBodyParser(app);
  installRefusalAudit(app, { audit: haven.audit, audited: haven.auditedRequests });
  // Registered SMART apps' origins may call the FHIR API and token endpoint with a bearer token.
  installSmartCors(app, async () => originsOf(await haven.smart.listClients()));
  const api = app as unknown as ApiApp; // the same instance, with zod route schemas typed
  api.get('/api/health', { config: { permission: 'public' }, schema: apiHealth }, async () => ({
    status: 'ok' as const,
  }));
  openApiRoute(api);
  healthRoutes(app, haven);
  if (opts.benchBaseline) {
    const cache = new Map<number, Buffer>();
    app.get<{ Querystring: { bytes?: string } }>(
      '/bench/baseline',
      { config: { permission: 'public' } },
      async (req, reply) => {
        const size = Math.min(Math.max(Number(req.query.bytes) || 1024, 32), 1 << 20);
        let body = cache.get(size);
        if (!body)
          cache.set(
            size,
            (body = Buffer.from(
              JSON.stringify({ resourceType: 'Basic', pad: 'x'.repeat(size - 36) }),
            )),
          );
        return reply.header('content-type', 'application/fhir+json; charset=utf-8').send(body);
      },
    );
  }
  await app.register(auditRoutes, {
    auditViews: haven.auditViews,
    clock: haven.clock,
    audit: haven.audit,
    clients: haven.clients,
    smart: { store: haven.smart, clock: haven.clock },
    people: haven.people,
    patientMfa: haven.config.patientMfa,
    publicBaseUrl,
  });
  await app.register(authRoutes, {
    people: haven.people,
    audit: haven.audit,
    clock: haven.records.clock,
    emailIndex: haven.people.emailIndex,
    publicBaseUrl,
  });
  const apiGuard = {
    people: haven.people,
    audit: haven.audit,
    publicBaseUrl,
    policy: { patientMfa: haven.config.patientMfa },
  };
  await app.register(breakGlassRoutes, { ...apiGuard, breakGlass: haven.breakGlass });
  await app.register(appTokenRoutes, {
    ...apiGuard,
    clients: haven.clients,
    clock: haven.records.clock,
  });
  await app.register(smartRoutes, {
    ...apiGuard,
    smart: haven.smart,
    clock: haven.clock,
    idTokens: await createIdTokenSigner(
      publicBaseUrl ?? `https://localhost:${haven.config.port}`,
      haven.clock,
    ),
    fhirUser: async (userId) => {
      const a = await haven.people.users.account(userId);
      if (a?.patientId) return `Patient/${a.patientId}`;
      if (a?.practitionerId) return `Practitioner/${a.practitionerId}`;
      return undefined;
    },
  });
  await app.register(adminUserRoutes, apiGuard);
  await app.register(schedulingRoutes, {
    ...apiGuard,
    scheduling: haven.scheduling.service,
    timeZone: haven.scheduling.timeZone,
  });
  await app.register(messageRoutes, { ...apiGuard, messaging: haven.messaging });
  await app.register(complianceRoutes, {
    ...apiGuard,
    compliance: haven,
    incidents: openIncidents(haven),
  });
  await app.register(alertRoutes, { ...apiGuard, alerts: haven.alertRepo, clock: haven.clock });
  await app.register(webauthnRoutes, {
    people: haven.people,
    audit: haven.audit,
    clock: haven.records.clock,
    publicBaseUrl,
  });
  await app.register(visitRoutes, {
    ...apiGuard,
    records: haven.records,
    video: haven.config.video,
    clock: haven.clock,
    redis: haven.redis,
    redisPrefix: haven.config.redisPrefix,
    recordingRepo: haven.visitRecordings,
  });
  await app.register(webRoutes);
  await app.register(fhirRoutes, {
    prefix: '/fhir/R4',
    records: haven.records,
    bulk: haven.bulk,
    audit: haven.audit,
    clients: haven.clients,
    smart: { store: haven.smart, clock: haven.clock },
    software: opts.software,
    binaryLimitBytes: haven.config.binaryLimitBytes,
    people: haven.people,
    patientMfa: haven.config.patientMfa,
    publicBaseUrl,
  });
  return app;
}
