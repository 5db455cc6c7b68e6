// The pure parts of scim-check: input validation, the judges of SCIM answers, the classification
// of network failures, and the sequence's clean-up discipline (run against a scripted HTTP layer).
import { describe, expect, it } from 'vitest';
import { validators } from '../../src/inputs/validate.js';
import { runScimCheck } from '../../src/scim/check.js';
import { classifyTransportError, mediaType, scimUrl, type ScimOutcome, type ScimRequest } from '../../src/scim/http.js';
import { disablePatch, testUser, testUserName, userFilter } from '../../src/scim/test-user.js';
import type { ScimResponse } from '../../src/scim/types.js';
import {
  explainStatus,
  explainTransport,
  judgeContentType,
  judgeCreated,
  judgeFound,
  judgeSchemas,
  judgeServiceProviderConfig,
  judgeTestConnection,
  judgeWithoutToken,
  URN,
} from '../../src/scim/verdicts.js';

const res = (status: number, body?: unknown, contentType = 'application/scim+json'): ScimResponse => {
  const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status, contentType, text, json, ms: 1 };
};
const list = (resources: unknown[], extra: Record<string, unknown> = {}) => ({ schemas: [URN.listResponse], totalResults: resources.length, Resources: resources, ...extra });

describe('inputs', () => {
  it('takes a SCIM base URL the way Entra does and names what is wrong', () => {
    expect(validators.scimUrl('https://app.example.com/scim/v2/')).toEqual({ ok: true, value: 'https://app.example.com/scim/v2' });
    expect(validators.scimUrl('https://app.example.com/scim/v2/Users')).toMatchObject({ ok: false, reason: expect.stringContaining('without /Users') });
    expect(validators.scimUrl('https://app.example.com/scim?x=1')).toMatchObject({ ok: false, reason: expect.stringContaining('query') });
    expect(validators.scimUrl('https://u:p@app.example.com/scim')).toMatchObject({ ok: false, reason: expect.stringContaining('--scim-token-file') });
    expect(validators.scimUrl('ftp://app.example.com')).toMatchObject({ ok: false, reason: expect.stringContaining('https://') });
    expect(validators.scimUrl('app.example.com/scim')).toMatchObject({ ok: false });
  });

  it('takes a UPN domain with or without the @', () => {
    expect(validators.domain('@Corp.Example.COM')).toEqual({ ok: true, value: 'corp.example.com' });
    expect(validators.domain('localhost')).toMatchObject({ ok: false });
    expect(validators.domain('corp example.com')).toMatchObject({ ok: false });
  });
});

describe('requests shaped like Entra', () => {
  it('writes the filter as Entra sends it and escapes quotes', () => {
    expect(scimUrl('https://h/scim/v2/', '/Users', { filter: userFilter('a"b@x.com') })).toBe('https://h/scim/v2/Users?filter=userName+eq+%22a%5C%22b%40x.com%22');
  });

  it('builds a UPN-style user whose work email is its userName, and the PatchOp Entra disables with', () => {
    const upn = testUserName('corp.example.com', '0a1b2c3d');
    expect(upn).toBe('dirlink-scimcheck-0a1b2c3d@corp.example.com');
    expect(testUser(upn)).toMatchObject({ schemas: [URN.user], userName: upn, active: true, emails: [{ type: 'work', value: upn, primary: true }] });
    expect(disablePatch()).toEqual({ schemas: [URN.patchOp], Operations: [{ op: 'Replace', path: 'active', value: false }] });
    expect(testUserName('example.com')).toMatch(/^dirlink-scimcheck-[0-9a-f]{8}@example\.com$/);
  });

  it('reduces Content-Type to the media type', () => {
    expect(mediaType('Application/SCIM+JSON; charset=utf-8')).toBe('application/scim+json');
    expect(mediaType(null)).toBe('');
  });
});

describe('network failures', () => {
  const fetchFailed = (cause: unknown) => new TypeError('fetch failed', { cause });
  const coded = (code: string, message = code) => Object.assign(new Error(message), { code });

  it('sorts fetch errors into what the user can act on', () => {
    const how = { timedOut: false, aborted: false };
    expect(classifyTransportError(fetchFailed(coded('ECONNREFUSED')), how, 1)).toMatchObject({ kind: 'refused', code: 'ECONNREFUSED' });
    expect(classifyTransportError(fetchFailed(coded('ENOTFOUND')), how, 1)).toMatchObject({ kind: 'dns' });
    expect(classifyTransportError(fetchFailed(coded('DEPTH_ZERO_SELF_SIGNED_CERT')), how, 1)).toMatchObject({ kind: 'tls' });
    expect(classifyTransportError(fetchFailed(coded('ERR_TLS_CERT_ALTNAME_INVALID')), how, 1)).toMatchObject({ kind: 'tls' });
    expect(classifyTransportError(fetchFailed(coded('UND_ERR_SOCKET')), how, 1)).toMatchObject({ kind: 'reset' });
    expect(classifyTransportError(fetchFailed(new AggregateError([coded('ECONNREFUSED')], 'all failed')), how, 1)).toMatchObject({ kind: 'refused' });
    expect(classifyTransportError(new DOMException('signal timed out', 'TimeoutError'), { timedOut: true, aborted: false }, 1)).toMatchObject({ kind: 'timeout' });
    expect(classifyTransportError(new DOMException('aborted', 'AbortError'), { timedOut: false, aborted: true }, 1)).toMatchObject({ kind: 'aborted' });
  });

  it('explains an untrusted certificate with what Entra needs', () => {
    const v = explainTransport({ kind: 'tls', code: 'SELF_SIGNED_CERT_IN_CHAIN', detail: 'x', ms: 1 }, 'https://scim.example.com/v2', 10_000);
    expect(v).toMatchObject({ status: 'fail', reason: 'tls', field: 'scimUrl' });
    expect(v.message).toContain('certificate not trusted');
    expect(v.hint).toMatch(/public CAs.*NODE_EXTRA_CA_CERTS/);
    expect(explainTransport({ kind: 'timeout', detail: 'x', ms: 1 }, 'https://h/scim', 1500)).toMatchObject({ reason: 'timeout', field: 'scimTimeout', message: 'no answer from h within 1.5 s' });
  });
});

describe("Entra's Test Connection", () => {
  it('passes 200 with an empty ListResponse, also without Resources (RFC 7644 §3.4.2)', () => {
    expect(judgeTestConnection(res(200, list([])))).toMatchObject({ status: 'ok' });
    expect(judgeTestConnection(res(200, { schemas: [URN.listResponse], totalResults: 0 }))).toMatchObject({ status: 'ok' });
  });

  it('fails 404 with the fix Entra needs', () => {
    const scim404 = judgeTestConnection(res(404, { schemas: [URN.error], status: '404', detail: 'User not found' }));
    expect(scim404).toMatchObject({ status: 'fail', reason: 'not-found-on-filter' });
    expect(scim404.hint).toMatch(/^Entra's Test Connection fails on 404: answer 200 with an empty ListResponse/);
    // a 404 page that is not SCIM may also mean the URL is wrong: say both
    const page404 = judgeTestConnection(res(404, 'Cannot GET /Users', 'text/html'));
    expect(page404).toMatchObject({ reason: 'not-found-on-filter', field: 'scimUrl' });
    expect(page404.hint).toContain('Tenant URL');
  });

  it('fails a ListResponse without totalResults or schemas, and one that ignores the filter', () => {
    expect(judgeTestConnection(res(200, { schemas: [URN.listResponse], Resources: [] }))).toMatchObject({ status: 'fail', reason: 'no-total-results' });
    expect(judgeTestConnection(res(200, { totalResults: 0, Resources: [] }))).toMatchObject({ status: 'fail', reason: 'no-list-schema' });
    expect(judgeTestConnection(res(200, { schemas: [URN.listResponse], totalResults: '0' }))).toMatchObject({ status: 'fail', message: expect.stringContaining('not a number') });
    expect(judgeTestConnection(res(200, list([{ id: '1', userName: 'alice' }])))).toMatchObject({ status: 'fail', reason: 'filter-ignored' });
    expect(judgeTestConnection(res(200, [], 'application/scim+json'))).toMatchObject({ status: 'fail', message: expect.stringContaining('bare array') });
  });

  it('fails non-JSON answers, an HTML page as a wrong URL', () => {
    expect(judgeTestConnection(res(200, '<!DOCTYPE html><html><body>Sign in</body></html>', 'text/html'))).toMatchObject({ status: 'fail', reason: 'html-page', field: 'scimUrl' });
    expect(judgeTestConnection(res(200, 'ok', 'text/plain'))).toMatchObject({ status: 'fail', reason: 'not-json' });
    expect(judgeTestConnection(res(204))).toMatchObject({ status: 'fail' });
  });

  it('tells a rejected token from a token without the permission', () => {
    expect(judgeTestConnection(res(401, { schemas: [URN.error], detail: 'expired' }))).toMatchObject({ reason: 'unauthorized', field: 'scimToken', message: expect.stringContaining('"expired"') });
    const forbidden = explainStatus(res(403, {}), 'create users');
    expect(forbidden).toMatchObject({ reason: 'forbidden', field: 'scimToken', message: expect.stringContaining('may not create users') });
    expect(explainStatus(res(302, ''), 'x')).toMatchObject({ reason: 'redirect' });
    expect(explainStatus(res(406, ''), 'x').hint).toContain('Accept');
  });

  it('judges the Content-Type: scim+json ok, json a warning, anything else a failure', () => {
    expect(judgeContentType(res(200, {}, 'application/scim+json')).status).toBe('ok');
    expect(judgeContentType(res(200, {}, 'application/json'))).toMatchObject({ status: 'warn', hint: expect.stringContaining('SCIM Validator') });
    expect(judgeContentType(res(200, {}, 'text/html'))).toMatchObject({ status: 'fail', reason: 'content-type' });
    expect(judgeContentType(res(200, {}, ''))).toMatchObject({ status: 'fail', message: 'the answer has no Content-Type' });
  });
});

describe('discovery and the token', () => {
  const spc = {
    schemas: [URN.serviceProviderConfig],
    patch: { supported: true },
    filter: { supported: true, maxResults: 200 },
    authenticationSchemes: [{ type: 'oauthbearertoken', name: 'OAuth Bearer Token' }],
  };

  it('reads what the ServiceProviderConfig promises; gaps only warn (Entra does not read it)', () => {
    expect(judgeServiceProviderConfig(res(200, spc))).toMatchObject({ status: 'ok', message: expect.stringContaining('max 200 results') });
    const noPatch = judgeServiceProviderConfig(res(200, { ...spc, patch: { supported: false } }));
    expect(noPatch).toMatchObject({ status: 'warn', message: 'patch.supported is not true' });
    expect(noPatch.hint).toContain('PATCH');
    expect(judgeServiceProviderConfig(res(200, { ...spc, authenticationSchemes: [{ type: 'httpbasic' }] }))).toMatchObject({ status: 'warn', message: expect.stringContaining('bearer') });
    expect(judgeServiceProviderConfig(res(404, {}))).toMatchObject({ status: 'warn', reason: 'missing' });
    expect(judgeServiceProviderConfig(res(500, {}))).toMatchObject({ status: 'warn' });
  });

  it('finds emails[type eq "work"].value in the User schema', () => {
    const user = (emails: unknown) => ({
      id: URN.user,
      attributes: [{ name: 'userName' }, ...(emails ? [emails] : [])],
    });
    const sub = (canon?: string[]) => ({ name: 'emails', subAttributes: [{ name: 'value' }, { name: 'type', ...(canon ? { canonicalValues: canon } : {}) }] });
    expect(judgeSchemas(res(200, list([user(sub(['work', 'home']))])))).toMatchObject({ status: 'ok' });
    expect(judgeSchemas(res(200, list([user(sub())])))).toMatchObject({ status: 'ok' });
    expect(judgeSchemas(res(200, list([user(sub(['home']))])))).toMatchObject({ status: 'warn', message: expect.stringContaining('does not allow "work"') });
    expect(judgeSchemas(res(200, list([user(undefined)])))).toMatchObject({ status: 'warn', message: expect.stringContaining('no emails attribute') });
    expect(judgeSchemas(res(200, list([{ id: 'urn:other' }])))).toMatchObject({ status: 'warn', reason: 'no-user-schema' });
    expect(judgeSchemas(res(404, {}))).toMatchObject({ status: 'warn', reason: 'missing' });
  });

  it('wants requests without the token refused', () => {
    expect(judgeWithoutToken(res(401, {})).status).toBe('ok');
    expect(judgeWithoutToken(res(200, list([])))).toMatchObject({ status: 'warn', reason: 'open' });
    expect(judgeWithoutToken(res(500, {}))).toMatchObject({ status: 'warn', reason: 'unexpected' });
  });
});

describe('the write test', () => {
  const upn = 'dirlink-scimcheck-0a1b2c3d@example.com';

  it('wants an id and the UPN kept as the work email', () => {
    expect(judgeCreated(res(201, { id: 'u1', userName: upn, emails: [{ type: 'work', value: upn }] }), upn)).toMatchObject({ status: 'ok', id: 'u1' });
    expect(judgeCreated(res(201, { userName: upn, emails: [{ type: 'work', value: upn }] }), upn)).toMatchObject({ status: 'fail', reason: 'no-id' });
    expect(judgeCreated(res(201, { id: 'u1', userName: upn }), upn)).toMatchObject({ status: 'fail', reason: 'email-not-kept', id: 'u1' });
    expect(judgeCreated(res(201, { id: 'u1', emails: [{ value: upn.toUpperCase() }] }), upn)).toMatchObject({ status: 'warn', message: expect.stringContaining('not with type "work"') });
    expect(judgeCreated(res(200, { id: 'u1', emails: [{ type: 'work', value: upn }] }), upn)).toMatchObject({ status: 'warn', message: expect.stringContaining('201') });
    expect(judgeCreated(res(400, { schemas: [URN.error], detail: 'domain not allowed' }), upn)).toMatchObject({ status: 'fail', field: 'scimTestDomain', hint: expect.stringContaining('--scim-test-domain') });
  });

  it('only takes a looked-up user as the test user when its userName is the test user’s', () => {
    expect(judgeFound(res(200, list([{ id: 'u1', userName: upn }])), 'u1', upn)).toMatchObject({ status: 'ok', id: 'u1' });
    expect(judgeFound(res(200, list([{ id: 'x9', userName: 'alice@corp.example' }])), undefined, upn)).toMatchObject({ status: 'fail', reason: 'wrong-match' });
    expect(judgeFound(res(200, list([{ id: 'x9', userName: 'alice@corp.example' }])), undefined, upn).id).toBeUndefined();
    expect(judgeFound(res(200, list([])), 'u1', upn)).toMatchObject({ status: 'fail', reason: 'not-found-after-create' });
  });
});

describe('the sequence', () => {
  /** A scripted SCIM server: answers by method and path; `fail` makes chosen requests misbehave. */
  function scripted(fail: (req: ScimRequest) => ScimOutcome | undefined = () => undefined) {
    const users = new Map<string, Record<string, unknown>>();
    const seen: { method: string; path: string; signalled: boolean }[] = [];
    let next = 1;
    const ok = (status: number, body?: unknown): ScimOutcome => ({ ok: true, res: res(status, body) });
    const request = async (_base: string, req: ScimRequest): Promise<ScimOutcome> => {
      seen.push({ method: req.method, path: req.path, signalled: req.signal !== undefined });
      const f = fail(req);
      if (f) return f;
      if (req.path === '/ServiceProviderConfig') return ok(200, { schemas: [URN.serviceProviderConfig], patch: { supported: true }, filter: { supported: true }, authenticationSchemes: [{ type: 'oauthbearertoken' }] });
      if (req.path === '/Schemas') return ok(200, list([{ id: URN.user, attributes: [{ name: 'userName' }, { name: 'emails', subAttributes: [{ name: 'value' }, { name: 'type' }] }] }]));
      if (req.path === '/Users' && req.method === 'GET') {
        if (!req.token) return ok(401, {});
        const name = /"(.*)"/.exec(req.query!.filter!)![1];
        return ok(200, list([...users.values()].filter((u) => u.userName === name)));
      }
      if (req.path === '/Users' && req.method === 'POST') {
        const id = `u${next++}`;
        const u = { ...(req.body as Record<string, unknown>), id };
        users.set(id, u);
        return ok(201, u);
      }
      const id = req.path.split('/')[2]!;
      if (req.method === 'PATCH') return ok(200, { ...users.get(id), active: false });
      if (req.method === 'DELETE') return users.delete(id) ? ok(204) : ok(404, {});
      return users.has(id) ? ok(200, users.get(id)) : ok(404, {});
    };
    return { request, users, seen };
  }
  const base = { url: 'https://scim.example.com/v2', token: 'tkn', timeoutMs: 1000, testDomain: 'example.com', writeTest: true };

  it('runs every check in order and leaves nothing behind', async () => {
    const s = scripted();
    const report = await runScimCheck({ ...base, request: s.request });
    expect(report.ok).toBe(true);
    expect(report.checks.map((c) => [c.id, c.status])).toEqual([
      ['scim.test-connection', 'ok'],
      ['scim.service-provider-config', 'ok'],
      ['scim.schemas', 'ok'],
      ['scim.token-required', 'ok'],
      ['scim.create', 'ok'],
      ['scim.lookup', 'ok'],
      ['scim.patch', 'ok'],
      ['scim.delete', 'ok'],
      ['scim.gone', 'ok'],
    ]);
    expect(report.testUser).toMatchObject({ created: true, deleted: true });
    expect(s.users.size).toBe(0);
  });

  it('deletes the test user even when the PATCH fails on the network', async () => {
    const s = scripted((req) => (req.method === 'PATCH' ? { ok: false, failure: { kind: 'reset', code: 'ECONNRESET', detail: 'socket hang up', ms: 1 } } : undefined));
    const report = await runScimCheck({ ...base, request: s.request });
    expect(report.ok).toBe(false);
    expect(report.checks.find((c) => c.id === 'scim.patch')).toMatchObject({ status: 'fail', reason: 'reset' });
    expect(report.checks.find((c) => c.id === 'scim.delete')).toMatchObject({ status: 'ok' });
    expect(s.users.size).toBe(0);
  });

  it('after Ctrl-C skips the rest but still deletes, without the aborted signal', async () => {
    const ctrlC = new AbortController();
    const s = scripted((req) => {
      if (req.method === 'POST') queueMicrotask(() => ctrlC.abort());
      return undefined;
    });
    const report = await runScimCheck({ ...base, request: s.request, signal: ctrlC.signal });
    expect(report.checks.find((c) => c.id === 'scim.patch')).toMatchObject({ status: 'skipped', message: 'not run: interrupted' });
    expect(report.checks.find((c) => c.id === 'scim.delete')).toMatchObject({ status: 'ok' });
    expect(s.seen.find((r) => r.method === 'DELETE')?.signalled).toBe(false);
    expect(s.users.size).toBe(0);
  });

  it('says so when the delete fails, naming the user left behind', async () => {
    const s = scripted((req) => (req.method === 'DELETE' ? { ok: true, res: res(500, { schemas: [URN.error], detail: 'read-only' }) } : undefined));
    const report = await runScimCheck({ ...base, request: s.request });
    const del = report.checks.find((c) => c.id === 'scim.delete')!;
    expect(del).toMatchObject({ status: 'fail', reason: 'delete-failed' });
    expect(del.message).toMatch(/dirlink-scimcheck-[0-9a-f]{8}@example\.com \(id u1\) is still on the server/);
    expect(del.hint).toContain('DELETE https://scim.example.com/v2/Users/u1');
    expect(report.testUser).toMatchObject({ created: true, deleted: false });
    expect(report.checks.find((c) => c.id === 'scim.gone')?.status).toBe('skipped');
  });

  it('cleans up after a create that failed on the server but stored the user', async () => {
    const s = scripted();
    const inner = s.request;
    const request = async (b: string, req: ScimRequest): Promise<ScimOutcome> => {
      const r = await inner(b, req);
      return req.method === 'POST' ? { ok: true, res: res(500, { detail: 'oops' }) } : r;
    };
    const report = await runScimCheck({ ...base, request });
    expect(report.checks.find((c) => c.id === 'scim.lookup')).toMatchObject({ status: 'fail', reason: 'half-created' });
    expect(report.checks.find((c) => c.id === 'scim.delete')).toMatchObject({ status: 'ok' });
    expect(s.users.size).toBe(0);
  });

  it('never deletes a user it did not create when the create gave no id', async () => {
    const s = scripted();
    s.users.set('alice', { id: 'alice', userName: 'alice@corp.example' });
    const request = async (b: string, req: ScimRequest): Promise<ScimOutcome> => {
      if (req.method === 'POST') return { ok: true, res: res(201, { userName: 'x' }) };
      if (req.method === 'GET' && req.path === '/Users' && req.query?.filter?.includes('dirlink-scimcheck')) return { ok: true, res: res(200, list([{ id: 'alice', userName: 'alice@corp.example' }])) };
      return s.request(b, req);
    };
    const report = await runScimCheck({ ...base, request });
    expect(report.checks.find((c) => c.id === 'scim.delete')).toMatchObject({ status: 'fail', reason: 'no-id' });
    expect(s.seen.some((r) => r.method === 'DELETE')).toBe(false);
    expect(s.users.has('alice')).toBe(true);
  });

  it('stops at an unreachable endpoint and says why the rest did not run', async () => {
    const s = scripted(() => ({ ok: false, failure: { kind: 'refused', code: 'ECONNREFUSED', detail: 'x', ms: 1 } }));
    const report = await runScimCheck({ ...base, request: s.request });
    expect(s.seen).toHaveLength(1);
    expect(report.checks[0]).toMatchObject({ status: 'fail', reason: 'refused' });
    expect(report.checks.slice(1).every((c) => c.status === 'skipped' && c.message === 'not run: Test Connection failed (refused)')).toBe(true);
  });
});
