import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerSmartClient } from '../../src/auth/index.js';
import { ENGINES } from '../support/engines.js';
import { startTestServer, type TestResponse, type TestServer } from '../support/haven-server.js';
import { api, MINUTE, TestClock } from './auth/sign-in.js';
import { buildClinic, signInRole, type Clinic, type SignedIn } from './access/clinic.js';

/**
 * SMART App Launch 2.x over HTTP (issue 20 part 3, ADR 0035): the authorization code flow with
 * PKCE, consent, tokens, and what a token may reach, on both engines.
 */
const REDIRECT = 'https://app.example.test/callback';
const SCOPES = 'launch launch/patient openid fhirUser offline_access patient/*.rs user/*.rs';

function pkce() {
  const verifier = crypto.randomBytes(32).toString('base64url');
  const challenge = crypto.createHash('sha256').update(verifier).digest('base64url');
  return { verifier, challenge };
}

describe.each(ENGINES)('SMART App Launch on %s', (engine) => {
  let t: TestServer;
  let clinic: Clinic;
  let fhirBase: string;
  const clock = new TestClock();

  const register = async (o: { confidential?: boolean; scopes?: string } = {}) =>
    registerSmartClient(
      t.haven.smart,
      {
        name: 'Synthetic Test App',
        redirectUris: [REDIRECT],
        confidential: o.confidential ?? false,
        scopes: o.scopes ?? SCOPES,
      },
      clock.fn(),
    );

  const authorize = (params: Record<string, string>) =>
    t.request('GET', `/oauth2/authorize?${new URLSearchParams(params)}`, { token: null });

  const form = (
    path: string,
    fields: Record<string, string>,
    headers: Record<string, string> = {},
  ) =>
    t.request('POST', path, {
      token: null,
      raw: new URLSearchParams(fields).toString(),
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
        ...headers,
      },
    });

  /** /authorize, then the person's decision; returns the redirect back to the app. */
  const consent = async (
    who: SignedIn,
    clientId: string,
    o: { scope?: string; approve?: boolean; launch?: string; challenge?: string } = {},
  ) => {
    const { verifier, challenge } = pkce();
    const res = await authorize({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: REDIRECT,
      scope: o.scope ?? 'launch/patient openid fhirUser offline_access patient/*.rs',
      state: 'st-123',
      aud: fhirBase,
      code_challenge: o.challenge ?? challenge,
      code_challenge_method: 'S256',
      ...(o.launch !== undefined && { launch: o.launch }),
    });
    expect(res.status).toBe(302);
    const consentPage = new URL(String(res.headers.location), t.server.url);
    expect(consentPage.pathname).toBe('/smart/authorize');
    const request = consentPage.searchParams.get('request')!;
    const shown = await api(t, 'GET', `/api/smart/authorizations/${request}`, { jar: who.jar });
    expect(shown.status).toBe(200);
    const decided = await api(t, 'POST', `/api/smart/authorizations/${request}/decision`, {
      jar: who.jar,
      body: { approve: o.approve ?? true },
    });
    expect(decided.status).toBe(200);
    const back = new URL((decided.json() as { location: string }).location);
    return { back, verifier, shown: shown.json() as { app: string; scopes: string[] } };
  };

  const redeem = (
    clientId: string,
    code: string,
    verifier: string,
    extra: Record<string, string> = {},
  ) =>
    form('/oauth2/token', {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      code_verifier: verifier,
      client_id: clientId,
      ...extra,
    });

  const launchFor = async (
    who: SignedIn,
    clientId: string,
    o: { scope?: string; launch?: string } = {},
  ) => {
    const { back, verifier } = await consent(who, clientId, o);
    const res = await redeem(clientId, back.searchParams.get('code')!, verifier);
    expect(res.status).toBe(200);
    return res.json() as {
      access_token: string;
      refresh_token?: string;
      patient?: string;
      scope: string;
      id_token?: string;
      expires_in: number;
    };
  };

  const read = (token: string, path: string): Promise<TestResponse> =>
    t.request('GET', path, { token, headers: { accept: 'application/fhir+json' } });

  beforeAll(async () => {
    t = await startTestServer(engine, { clock: clock.fn });
    clinic = await buildClinic(t);
    fhirBase = `${new URL(t.server.url).origin}/fhir/R4`;
  }, 120_000);
  afterAll(async () => t.stop());

  it('describes itself: smart-configuration (S256 only) and the CapabilityStatement security extension', async () => {
    for (const path of [
      '/.well-known/smart-configuration',
      '/fhir/R4/.well-known/smart-configuration',
    ]) {
      const res = await t.request('GET', path, {
        token: null,
        headers: { accept: 'application/json' },
      });
      expect(res.status).toBe(200);
      const c = res.json() as Record<string, unknown>;
      expect(c.code_challenge_methods_supported).toEqual(['S256']);
      expect(c.token_endpoint).toMatch(/\/oauth2\/token$/);
      expect(c.capabilities).toEqual(
        expect.arrayContaining(['launch-standalone', 'launch-ehr', 'permission-v2']),
      );
    }
    const cap = (await t.request('GET', '/fhir/R4/metadata')).json() as unknown as {
      rest: { security: { extension: { url: string; extension: { url: string }[] }[] } }[];
    };
    const oauth = cap.rest[0]!.security.extension.find((e) => e.url.endsWith('/oauth-uris'))!;
    expect(oauth.extension.map((e) => e.url).sort()).toEqual([
      'authorize',
      'introspect',
      'revoke',
      'token',
    ]);
  });

  it('a patient launches standalone: own record only, read-only scopes cannot write, consent in plain words', async () => {
    const { clientId } = await register();
    const me = await signInRole(t, clock, clinic, 'patient');
    const { shown } = await consent(me, clientId);
    expect(shown.app).toBe('Synthetic Test App');
    expect(shown.scopes).toContain('Read and search your every kind of health record');
    const tok = await launchFor(me, clientId);
    expect(tok.patient).toBe(clinic.patients.own);
    expect(tok.expires_in).toBeLessThanOrEqual(600);
    expect(tok.refresh_token).toMatch(/^hvr_/);
    const claims = JSON.parse(
      Buffer.from(tok.id_token!.split('.')[1]!, 'base64url').toString(),
    ) as Record<string, unknown>;
    expect(claims.fhirUser).toBe(`Patient/${clinic.patients.own}`);

    const own = clinic.records.own['Observation:lab'].id;
    expect((await read(tok.access_token, `/fhir/R4/Observation/${own}`)).status).toBe(200);
    expect((await read(tok.access_token, `/fhir/R4/Patient/${clinic.patients.own}`)).status).toBe(
      200,
    );
    // IDOR: patient A's token never reads patient B.
    const other = await read(
      tok.access_token,
      `/fhir/R4/Observation/${clinic.records.other['Observation:lab'].id}`,
    );
    expect([403, 404]).toContain(other.status);
    expect(other.text).not.toContain('Testpatient-other');
    const otherPatient = await read(tok.access_token, `/fhir/R4/Patient/${clinic.patients.other}`);
    expect([403, 404]).toContain(otherPatient.status);
    const search = (await read(tok.access_token, '/fhir/R4/Observation')).json() as {
      entry?: { resource: { subject?: { reference: string } } }[];
    };
    for (const e of search.entry ?? [])
      expect(e.resource.subject?.reference).toBe(`Patient/${clinic.patients.own}`);
    // patient/*.rs cannot write, not even the person's own record.
    const body = (await read(tok.access_token, `/fhir/R4/Observation/${own}`)).json();
    const write = await t.request('PUT', `/fhir/R4/Observation/${own}`, {
      token: tok.access_token,
      body,
    });
    expect(write.status).toBe(403);
    const create = await t.request('POST', '/fhir/R4/Observation', {
      token: tok.access_token,
      body: { ...body, id: undefined },
    });
    expect(create.status).toBe(403);
  });

  it('refuses plain PKCE, a wrong verifier, another redirect URI and an unregistered one', async () => {
    const { clientId } = await register();
    const me = await signInRole(t, clock, clinic, 'patient');
    const { challenge } = pkce();
    const base = {
      response_type: 'code',
      client_id: clientId,
      redirect_uri: REDIRECT,
      scope: 'patient/*.rs',
      state: 's',
      aud: fhirBase,
    };
    const plain = await authorize({
      ...base,
      code_challenge: challenge,
      code_challenge_method: 'plain',
    });
    expect(plain.status).toBe(302);
    const plainBack = new URL(String(plain.headers.location));
    expect(plainBack.origin + plainBack.pathname).toBe(REDIRECT);
    expect(plainBack.searchParams.get('error')).toBe('invalid_request');
    const none = await authorize({ ...base, code_challenge: challenge });
    expect(new URL(String(none.headers.location)).searchParams.get('error')).toBe(
      'invalid_request',
    );
    // An unregistered redirect URI (even a prefix match) gets no redirect at all.
    const evil = await authorize({
      ...base,
      redirect_uri: `${REDIRECT}/../evil`,
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    expect(evil.status).toBe(400);
    expect(evil.headers.location).toBeUndefined();
    const wrongAud = await authorize({
      ...base,
      aud: 'https://elsewhere.test/fhir',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    expect(new URL(String(wrongAud.headers.location)).searchParams.get('error')).toBe(
      'invalid_request',
    );

    const first = await consent(me, clientId);
    const wrong = await redeem(clientId, first.back.searchParams.get('code')!, pkce().verifier);
    expect(wrong.status).toBe(400);
    expect(wrong.json()).toMatchObject({ error: 'invalid_grant' });
    // The code was spent by the failed attempt: the right verifier is too late now.
    expect(
      (await redeem(clientId, first.back.searchParams.get('code')!, first.verifier)).status,
    ).toBe(400);

    const second = await consent(me, clientId);
    const otherUri = await redeem(
      clientId,
      second.back.searchParams.get('code')!,
      second.verifier,
      {
        redirect_uri: 'https://app.example.test/other',
      },
    );
    expect(otherUri.json()).toMatchObject({ error: 'invalid_grant' });

    // A code is bound to its client.
    const { clientId: otherClient } = await register();
    const third = await consent(me, clientId);
    expect(
      (await redeem(otherClient, third.back.searchParams.get('code')!, third.verifier)).json(),
    ).toMatchObject({
      error: 'invalid_grant',
    });
  });

  it('redeems a code once: of parallel redemptions exactly one wins, and a replay revokes what it gave', async () => {
    const { clientId } = await register();
    const me = await signInRole(t, clock, clinic, 'patient');
    const { back, verifier } = await consent(me, clientId);
    const code = back.searchParams.get('code')!;
    expect(back.searchParams.get('state')).toBe('st-123');
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => redeem(clientId, code, verifier)),
    );
    const won = answers.filter((a) => a.status === 200);
    expect(won).toHaveLength(1);
    expect(answers.filter((a) => a.status === 400)).toHaveLength(5);
    // Replayed codes revoke the tokens of the first redemption (RFC 6749 §4.1.2).
    const { access_token } = won[0]!.json() as { access_token: string };
    expect((await read(access_token, `/fhir/R4/Patient/${clinic.patients.own}`)).status).toBe(401);
  });

  it('answers hostile input without a 5xx: NUL in client_id, state or the token form', async () => {
    const { clientId } = await register();
    const nulClient = await authorize({ client_id: 'a\u0000b', redirect_uri: REDIRECT });
    expect(nulClient.status).toBe(400);
    const nulState = await authorize({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: REDIRECT,
      scope: 'patient/*.rs',
      state: 'x\u0000y',
      aud: fhirBase,
      code_challenge: pkce().challenge,
      code_challenge_method: 'S256',
    });
    expect(nulState.status).toBe(302);
    expect(new URL(String(nulState.headers.location)).searchParams.get('error')).toBe(
      'invalid_request',
    );
    const nulToken = await form('/oauth2/token', {
      grant_type: 'authorization_code',
      client_id: '\u0000',
      code: '\u0000',
    });
    expect(nulToken.status).toBe(401);
  });

  it('declining returns error=access_denied with the state to the app', async () => {
    const { clientId } = await register();
    const me = await signInRole(t, clock, clinic, 'patient');
    const { back } = await consent(me, clientId, { approve: false });
    expect(back.origin + back.pathname).toBe(REDIRECT);
    expect(back.searchParams.get('error')).toBe('access_denied');
    expect(back.searchParams.get('state')).toBe('st-123');
    expect(back.searchParams.get('code')).toBeNull();
  });

  it('rotates refresh tokens, revokes the family on reuse, introspects and revokes; expired tokens are refused', async () => {
    const { clientId, clientSecret } = await register({ confidential: true });
    const basic = {
      authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
    };
    const me = await signInRole(t, clock, clinic, 'patient');
    const { back, verifier } = await consent(me, clientId);
    // A confidential client must authenticate.
    const anon = await redeem(clientId, back.searchParams.get('code')!, verifier);
    expect(anon.status).toBe(401);
    const again = await consent(me, clientId);
    const got = await form(
      '/oauth2/token',
      {
        grant_type: 'authorization_code',
        code: again.back.searchParams.get('code')!,
        redirect_uri: REDIRECT,
        code_verifier: again.verifier,
      },
      basic,
    );
    expect(got.status).toBe(200);
    const first = got.json() as { access_token: string; refresh_token: string };
    const path = `/fhir/R4/Patient/${clinic.patients.own}`;

    const intro = (await form('/oauth2/introspect', { token: first.access_token }, basic)).json();
    expect(intro).toMatchObject({
      active: true,
      client_id: clientId,
      patient: clinic.patients.own,
    });
    expect((await form('/oauth2/introspect', { token: 'hvs_nothing' }, basic)).json()).toEqual({
      active: false,
    });

    const rotated = await form(
      '/oauth2/token',
      { grant_type: 'refresh_token', refresh_token: first.refresh_token },
      basic,
    );
    expect(rotated.status).toBe(200);
    const second = rotated.json() as { access_token: string; refresh_token: string };
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect((await read(second.access_token, path)).status).toBe(200);
    // The old refresh token again: taken as stolen, the whole family ends.
    const reuse = await form(
      '/oauth2/token',
      { grant_type: 'refresh_token', refresh_token: first.refresh_token },
      basic,
    );
    expect(reuse.json()).toMatchObject({ error: 'invalid_grant' });
    expect((await read(second.access_token, path)).status).toBe(401);
    expect(
      (
        await form(
          '/oauth2/token',
          { grant_type: 'refresh_token', refresh_token: second.refresh_token },
          basic,
        )
      ).status,
    ).toBe(400);

    // Revocation (RFC 7009): refused on the next request.
    const third = await consent(me, clientId);
    const t3 = (
      await form(
        '/oauth2/token',
        {
          grant_type: 'authorization_code',
          code: third.back.searchParams.get('code')!,
          redirect_uri: REDIRECT,
          code_verifier: third.verifier,
        },
        basic,
      )
    ).json() as { access_token: string; refresh_token: string };
    expect((await read(t3.access_token, path)).status).toBe(200);
    expect((await form('/oauth2/revoke', { token: t3.access_token }, basic)).status).toBe(200);
    expect((await read(t3.access_token, path)).status).toBe(401);
    expect((await form('/oauth2/introspect', { token: t3.access_token }, basic)).json()).toEqual({
      active: false,
    });

    // Expiry: short-lived access tokens, on the injected clock.
    const fourth = await consent(me, clientId);
    const t4 = (
      await form(
        '/oauth2/token',
        {
          grant_type: 'authorization_code',
          code: fourth.back.searchParams.get('code')!,
          redirect_uri: REDIRECT,
          code_verifier: fourth.verifier,
        },
        basic,
      )
    ).json() as { access_token: string; refresh_token: string };
    expect((await read(t4.access_token, path)).status).toBe(200);
    clock.advance(11 * MINUTE);
    expect((await read(t4.access_token, path)).status).toBe(401);
    // The refresh token still works, and a revoked app's tokens stop at once.
    const t5 = (
      await form(
        '/oauth2/token',
        { grant_type: 'refresh_token', refresh_token: t4.refresh_token },
        basic,
      )
    ).json() as { access_token: string };
    expect((await read(t5.access_token, path)).status).toBe(200);
    expect(await t.haven.smart.revokeClient(clientId, clock.fn().toISOString())).toBe(true);
    expect((await read(t5.access_token, path)).status).toBe(401);
    expect((await form('/oauth2/introspect', { token: t5.access_token }, basic)).status).toBe(401);
  });

  it('an EHR launch gives the clinician the open patient: patient/ scopes reach that patient only, the care relation still decides', async () => {
    const { clientId } = await register();
    const doc = await signInRole(t, clock, clinic, 'physician');
    const issue = await api(t, 'POST', '/api/smart/launch', {
      jar: doc.jar,
      body: { clientId, patientId: clinic.patients.own },
    });
    expect(issue.status).toBe(200);
    const { launch, iss } = issue.json() as { launch: string; iss: string };
    expect(iss).toBe(fhirBase);
    const tok = await launchFor(doc, clientId, { scope: 'launch patient/Observation.rs', launch });
    expect(tok.patient).toBe(clinic.patients.own);
    expect(
      (
        await read(
          tok.access_token,
          `/fhir/R4/Observation/${clinic.records.own['Observation:lab'].id}`,
        )
      ).status,
    ).toBe(200);
    // Another of the doctor's patients is outside the launch context.
    const other = await read(
      tok.access_token,
      `/fhir/R4/Observation/${clinic.records.other['Observation:lab'].id}`,
    );
    expect([403, 404]).toContain(other.status);
    // The scopes reach the Observation type only.
    expect(
      (await read(tok.access_token, `/fhir/R4/Condition/${clinic.records.own.Condition.id}`))
        .status,
    ).toBe(403);
    // A launch is used once.
    const reused = await authorize({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: REDIRECT,
      scope: 'launch patient/Observation.rs',
      state: 's',
      aud: fhirBase,
      code_challenge: pkce().challenge,
      code_challenge_method: 'S256',
      launch,
    });
    expect(new URL(String(reused.headers.location)).searchParams.get('error')).toBe(
      'invalid_request',
    );
    // A launch for a patient outside the doctor's care gives a token that reads nothing there.
    const none = (
      await api(t, 'POST', '/api/smart/launch', {
        jar: doc.jar,
        body: { clientId, patientId: clinic.patients.none },
      })
    ).json() as { launch: string };
    const tNone = await launchFor(doc, clientId, {
      scope: 'launch patient/Observation.rs',
      launch: none.launch,
    });
    const blocked = await read(
      tNone.access_token,
      `/fhir/R4/Observation/${clinic.records.none['Observation:lab'].id}`,
    );
    expect([403, 404]).toContain(blocked.status);
  });

  it('lists the apps launchable from the chart: live ones with a launch URL, name and URL only', async () => {
    const add = (name: string, launchUrl?: string) =>
      registerSmartClient(
        t.haven.smart,
        { name, redirectUris: [REDIRECT], confidential: true, scopes: SCOPES, launchUrl },
        clock.fn(),
      );
    const live = await add('Synthetic Launchable App', 'https://app.example.org/launch');
    const gone = await add('Synthetic Revoked App', 'https://app.example.org/launch');
    await add('Synthetic Standalone App');
    expect(await t.haven.smart.revokeClient(gone.clientId, clock.fn().toISOString())).toBe(true);
    const doc = await signInRole(t, clock, clinic, 'physician');
    const res = await api(t, 'GET', '/api/smart/apps', { jar: doc.jar });
    expect(res.status).toBe(200);
    const { apps } = res.json() as { apps: Record<string, unknown>[] };
    const mine = apps.filter((a) => String(a.name).startsWith('Synthetic '));
    expect(mine).toEqual([
      {
        id: live.clientId,
        name: 'Synthetic Launchable App',
        launchUrl: 'https://app.example.org/launch',
      },
    ]);
    expect(res.text).not.toContain(String(live.clientSecret));
    // A revoked app's launch is refused too.
    const refused = await api(t, 'POST', '/api/smart/launch', {
      jar: doc.jar,
      body: { clientId: gone.clientId, patientId: clinic.patients.own },
    });
    expect(refused.status).toBe(404);
    // Signed out: refused.
    expect((await api(t, 'GET', '/api/smart/apps', {})).status).toBe(401);
  });

  it('user/ scopes meet the person’s access policy; a disabled person’s tokens stop', async () => {
    const { clientId } = await register();
    const doc = await signInRole(t, clock, clinic, 'physician');
    const tok = await launchFor(doc, clientId, { scope: 'user/Observation.rs' });
    expect(tok.patient).toBeUndefined();
    expect(
      (
        await read(
          tok.access_token,
          `/fhir/R4/Observation/${clinic.records.own['Observation:lab'].id}`,
        )
      ).status,
    ).toBe(200);
    expect([403, 404]).toContain(
      (
        await read(
          tok.access_token,
          `/fhir/R4/Observation/${clinic.records.none['Observation:lab'].id}`,
        )
      ).status,
    );
    await t.haven.people.users.disable(doc.user.userId);
    expect(
      (
        await read(
          tok.access_token,
          `/fhir/R4/Observation/${clinic.records.own['Observation:lab'].id}`,
        )
      ).status,
    ).toBe(401);
  });

  it('records authorize, consent, token issue, refresh and revoke in the audit trail, without secrets', async () => {
    const entries = await t.haven.auditRepo.entries(0, 1_000_000);
    const actions = new Set(entries.map((e) => e.action));
    for (const a of [
      'smart-authorize',
      'smart-consent-grant',
      'smart-consent-deny',
      'smart-token-issue',
      'smart-token-refresh',
      'smart-token-revoke',
      'smart-launch',
    ])
      expect(actions, a).toContain(a);
    const text = JSON.stringify(entries);
    expect(text).not.toMatch(/hv[sracq]_[A-Za-z0-9_-]{43}/);
  });
});
