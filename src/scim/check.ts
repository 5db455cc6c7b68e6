// The scim-check sequence. First what Entra's Test Connection does (the filter query with the
// token), then discovery (/ServiceProviderConfig, /Schemas), then whether the token is required at
// all; with --write-test a create → lookup → PATCH → DELETE → gone round trip of a UPN-style user.
// A test user that was created is always deleted, also when a later step fails or the run is
// interrupted, and the report says so when the delete itself failed.
import { scimRequest, type ScimOutcome, type ScimRequest } from './http.js';
import { disablePatch, testConnectionUserName, testUser, testUserName, userFilter } from './test-user.js';
import type { ScimCheck, ScimReport, ScimResponse, ScimTestUser } from './types.js';
import {
  explainTransport,
  judgeContentType,
  judgeCreated,
  judgeDeleted,
  judgeFound,
  judgeGone,
  judgePatched,
  judgeSchemas,
  judgeServiceProviderConfig,
  judgeTestConnection,
  judgeWithoutToken,
  worst,
  type Verdict,
} from './verdicts.js';

export interface ScimCheckOptions {
  /** the Tenant URL, normalised (no trailing slash) */
  url: string;
  token: string;
  timeoutMs: number;
  testDomain: string;
  writeTest: boolean;
  /** Ctrl-C: stops the checks, never the clean-up of the test user */
  signal?: AbortSignal;
  /** called as each check starts; the returned function receives its outcome */
  observe?: (id: string, title: string) => (c: ScimCheck) => void;
  /** the HTTP layer (tests of the sequence pass their own) */
  request?: (baseUrl: string, req: ScimRequest) => Promise<ScimOutcome>;
}

/** Failures after which nothing else can be learnt from this endpoint. */
const FATAL = new Set(['timeout', 'tls', 'dns', 'refused', 'reset', 'aborted', 'network', 'unauthorized', 'forbidden', 'redirect', 'html-page']);

export async function runScimCheck(o: ScimCheckOptions): Promise<ScimReport> {
  const request = o.request ?? scimRequest;
  const checks: ScimCheck[] = [];
  const observe = o.observe ?? (() => () => {});

  /** One request and its judgement, reported as one check. */
  async function run(
    id: string,
    title: string,
    req: Omit<ScimRequest, 'timeoutMs' | 'signal'> & { shown?: string; cleanup?: boolean },
    judge: (res: ScimResponse) => Verdict,
  ): Promise<{ check: ScimCheck; res?: ScimResponse; verdict: Verdict }> {
    const done = observe(id, title);
    // the clean-up of the test user must run even after Ctrl-C: only the timeout bounds it
    const outcome = await request(o.url, { ...req, timeoutMs: o.timeoutMs, signal: req.cleanup ? undefined : o.signal });
    const verdict = outcome.ok ? judge(outcome.res) : explainTransport(outcome.failure, o.url, o.timeoutMs);
    const check: ScimCheck = {
      id,
      title,
      status: verdict.status,
      message: verdict.message,
      ...(verdict.hint && verdict.status !== 'ok' ? { hint: verdict.hint } : {}),
      ...(verdict.reason && verdict.status !== 'ok' ? { reason: verdict.reason } : {}),
      ...(verdict.field && verdict.status !== 'ok' ? { field: verdict.field } : {}),
      request: {
        method: req.method,
        path: req.shown ?? req.path,
        ...(outcome.ok ? { status: outcome.res.status, contentType: outcome.res.contentType || undefined } : {}),
      },
      ms: Math.round(outcome.ok ? outcome.res.ms : outcome.failure.ms),
    };
    checks.push(check);
    done(check);
    return { check, res: outcome.ok ? outcome.res : undefined, verdict };
  }

  function skip(id: string, title: string, message: string): void {
    const check: ScimCheck = { id, title, status: 'skipped', message, ms: 0 };
    checks.push(check);
    observe(id, title)(check);
  }

  // what later checks say when they cannot run: the reason is on the failed check's own line
  const stopReason = (v: Verdict, title: string) => (v.status === 'fail' && FATAL.has(v.reason ?? '') ? `${title} failed (${v.reason})` : undefined);
  const interrupted = () => (o.signal?.aborted ? 'interrupted' : undefined);

  // 1. Entra's Test Connection: the token, and a userName nobody has (a GUID, as Entra sends).
  const probe = testConnectionUserName();
  const tc = await run(
    'scim.test-connection',
    'Test Connection',
    { method: 'GET', path: '/Users', query: { filter: userFilter(probe) }, shown: '/Users?filter=userName eq "<random GUID>"', token: o.token, accept: null },
    (res) => {
      const body = judgeTestConnection(res);
      if (res.status < 200 || res.status >= 300 || res.json === undefined) return body;
      const ct = judgeContentType(res);
      if (ct.status === 'ok') return { ...body, message: `${body.message}, ${ct.message}` };
      return {
        status: worst(body.status, ct.status),
        reason: body.status === 'fail' ? body.reason : ct.reason,
        message: `${body.message}; ${ct.message}`,
        hint: [body.status !== 'ok' ? body.hint : undefined, ct.hint].filter(Boolean).join('; '),
      };
    },
  );
  let stop = stopReason(tc.verdict, 'Test Connection');

  const later = (id: string, title: string) => skip(id, title, `not run: ${stop ?? interrupted()}`);

  // 2. Discovery. Entra does not need it, so it only warns; it does tell a wrong URL from a bad server.
  if (stop || interrupted()) later('scim.service-provider-config', 'ServiceProviderConfig');
  else stop = stopReason((await run('scim.service-provider-config', 'ServiceProviderConfig', { method: 'GET', path: '/ServiceProviderConfig', token: o.token }, judgeServiceProviderConfig)).verdict, 'ServiceProviderConfig');
  if (stop || interrupted()) later('scim.schemas', 'Schemas');
  else stop = stopReason((await run('scim.schemas', 'Schemas', { method: 'GET', path: '/Schemas', token: o.token }, judgeSchemas)).verdict, 'Schemas');

  // 3. The same query without the token must be refused.
  if (stop || interrupted()) later('scim.token-required', 'Token required');
  else {
    const v = (await run('scim.token-required', 'Token required', { method: 'GET', path: '/Users', query: { filter: userFilter(testConnectionUserName()) }, shown: '/Users?filter=… (no Authorization header)' }, judgeWithoutToken)).verdict;
    stop = stopReason(v, 'Token required');
  }

  let user: ScimTestUser | undefined;
  if (o.writeTest) {
    const upn = testUserName(o.testDomain);
    user = { userName: upn, created: false };
    const writeTitles: [string, string][] = [
      ['scim.create', 'Create test user'],
      ['scim.lookup', 'Find it by userName'],
      ['scim.patch', 'Disable it (PATCH)'],
      ['scim.delete', 'Delete it'],
      ['scim.gone', 'Gone after delete'],
    ];
    if (stop || interrupted()) {
      for (const [id, title] of writeTitles) later(id, title);
    } else {
      await writeTest(upn, user);
    }
  }

  async function writeTest(upn: string, u: ScimTestUser): Promise<void> {
    const created = await run('scim.create', `Create test user ${upn}`, { method: 'POST', path: '/Users', token: o.token, body: testUser(upn) }, (res) => {
      const v = judgeCreated(res, upn);
      // a 2xx that is not a JSON resource proves nothing was created (the look-up below decides)
      if (res.status >= 200 && res.status < 300 && res.json !== undefined) u.created = true;
      if (v.id) u.id = v.id;
      return v;
    });
    // A create that timed out, failed on the server side or answered nonsense may still have
    // stored the user: look it up so that it can be deleted.
    const r = created.res;
    const maybeStored = !u.created && (r === undefined || r.status >= 500 || (r.status >= 200 && r.status < 300));
    const lookupTitle = 'Find it by userName';
    if (u.created || maybeStored) {
      await run(
        'scim.lookup',
        lookupTitle,
        { method: 'GET', path: '/Users', query: { filter: userFilter(upn) }, shown: `/Users?filter=userName eq "${upn}"`, token: o.token, cleanup: maybeStored },
        (res) => {
          const v = judgeFound(res, u.id, upn);
          if (maybeStored) {
            if (v.id) {
              u.created = true;
              u.id = v.id;
              return { status: 'fail', reason: 'half-created', message: `the failed create stored the user anyway (id ${v.id})`, hint: 'a create that fails must not store the user: Entra retries it and would hit a conflict' };
            }
            if (v.reason === 'not-found-after-create') return { status: 'ok', message: 'the failed create stored nothing' };
            return { status: 'warn', reason: 'unknown', message: `cannot tell whether the failed create stored ${upn}: ${v.message}`, hint: `look for ${upn} on the server and delete it if it is there` };
          }
          if (!u.id && v.id) u.id = v.id;
          return v;
        },
      );
    } else {
      skip('scim.lookup', lookupTitle, 'not run: the test user was not created');
    }

    if (u.created && u.id && !maybeStored && !interrupted()) {
      await run('scim.patch', 'Disable it (PATCH)', { method: 'PATCH', path: `/Users/${encodeURIComponent(u.id)}`, token: o.token, body: disablePatch() }, judgePatched);
    } else {
      skip('scim.patch', 'Disable it (PATCH)', `not run: ${interrupted() ?? (u.created ? 'no id to address the user with' : 'the test user was not created')}`);
    }

    // Always: a created user with an id is deleted, whatever happened above.
    if (u.created && u.id) {
      const del = await run('scim.delete', 'Delete it', { method: 'DELETE', path: `/Users/${encodeURIComponent(u.id)}`, token: o.token, cleanup: true }, (res) => {
        const v = judgeDeleted(res);
        u.deleted = v.status !== 'fail';
        if (v.status !== 'fail') return v;
        return {
          ...v,
          reason: 'delete-failed',
          message: `${v.message}: the test user ${upn} (id ${u.id}) is still on the server`,
          hint: `delete it by hand (DELETE ${o.url}/Users/${u.id}), then fix DELETE, which Entra sends when a user is deleted there: ${v.hint ?? ''}`,
        };
      });
      if (del.check.status === 'fail' && del.res === undefined) {
        u.deleted = false;
        del.check.message = `${del.check.message}: the test user ${upn} (id ${u.id}) may still be on the server`;
        del.check.hint = `delete it by hand (DELETE ${o.url}/Users/${u.id}); ${del.check.hint ?? ''}`;
      }
      if (u.deleted) await run('scim.gone', 'Gone after delete', { method: 'GET', path: `/Users/${encodeURIComponent(u.id)}`, token: o.token, cleanup: true }, judgeGone);
      else skip('scim.gone', 'Gone after delete', 'not run: the delete failed');
    } else if (u.created) {
      u.deleted = false;
      const check: ScimCheck = {
        id: 'scim.delete',
        title: 'Delete it',
        status: 'fail',
        reason: 'no-id',
        message: `the test user ${upn} was created but no id came back, so it cannot be deleted`,
        hint: `delete ${upn} by hand, and return the id in the create answer (Entra needs it to update and delete users)`,
        ms: 0,
      };
      checks.push(check);
      observe(check.id, check.title)(check);
      skip('scim.gone', 'Gone after delete', 'not run: nothing was deleted');
    } else {
      skip('scim.delete', 'Delete it', 'not run: nothing was created');
      skip('scim.gone', 'Gone after delete', 'not run: nothing was created');
    }
  }

  const failed = checks.filter((c) => c.status === 'fail');
  const warned = checks.filter((c) => c.status === 'warn');
  const ok = failed.length === 0;
  const summary = ok
    ? `SCIM check passed: Entra's Test Connection will succeed${o.writeTest ? ', and create, lookup, PATCH and delete of a user work' : ' (add --write-test to also try create, PATCH and delete)'}${warned.length ? `; ${warned.length} warning${warned.length === 1 ? '' : 's'} above` : ''}.`
    : `SCIM check failed: ${failed.length} of ${checks.filter((c) => c.status !== 'skipped').length} checks failed.`;
  return { url: o.url, ok, writeTest: o.writeTest, checks, ...(user ? { testUser: user } : {}), summary };
}
