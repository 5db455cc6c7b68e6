// Pure judgements of SCIM answers: each takes what came back (or why nothing did) and says ok, warn
// or fail with the cause and the fix. Sources: RFC 7643/7644 and what Microsoft Entra ID's
// provisioning service does (Test Connection = GET /Users?filter=userName eq "<guid>", 404 fails it,
// writes go as application/scim+json, updates and disables go as PATCH with "op":"Replace").
import type { CheckStatus, ScimResponse, TransportFailure } from './types.js';

export const URN = {
  listResponse: 'urn:ietf:params:scim:api:messages:2.0:ListResponse',
  error: 'urn:ietf:params:scim:api:messages:2.0:Error',
  patchOp: 'urn:ietf:params:scim:api:messages:2.0:PatchOp',
  serviceProviderConfig: 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig',
  user: 'urn:ietf:params:scim:schemas:core:2.0:User',
} as const;

export interface Verdict {
  status: CheckStatus;
  message: string;
  hint?: string;
  reason?: string;
  /** the input to change, when one is to blame */
  field?: 'scimUrl' | 'scimToken' | 'scimTimeout' | 'scimTestDomain';
}

const ok = (message: string): Verdict => ({ status: 'ok', message });
const EMPTY_LIST = `{"schemas":["${URN.listResponse}"],"totalResults":0,"Resources":[]}`;
const TENANT_URL_HINT = 'the Tenant URL is the base that /Users, /Schemas and /ServiceProviderConfig hang off, e.g. https://app.example.com/scim/v2';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const schemasOf = (v: unknown): string[] => (isObject(v) && Array.isArray(v.schemas) ? v.schemas.filter((s): s is string => typeof s === 'string') : []);
const hasSchema = (v: unknown, urn: string) => schemasOf(v).some((s) => s.toLowerCase() === urn.toLowerCase());
/** SCIM attribute names are case-insensitive (RFC 7643 §2.1). */
function attr(obj: Json, name: string): unknown {
  const key = Object.keys(obj).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : obj[key];
}

/** What the server said about a failure, in one short line: a SCIM Error's detail, else the start of the body. */
export function serverDetail(res: ScimResponse): string | undefined {
  if (isObject(res.json)) {
    const d = attr(res.json, 'detail') ?? attr(res.json, 'message') ?? attr(res.json, 'error_description') ?? attr(res.json, 'error');
    if (typeof d === 'string' && d.trim()) return d.trim().slice(0, 200);
  }
  const text = res.text.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
  return text ? text.slice(0, 120) + (text.length > 120 ? '…' : '') : undefined;
}

const withDetail = (res: ScimResponse) => {
  const d = serverDetail(res);
  return d ? ` ("${d}")` : '';
};

/** No HTTP answer at all: say which layer failed and what fixes it. */
export function explainTransport(f: TransportFailure, baseUrl: string, timeoutMs: number): Verdict {
  const host = (() => {
    try {
      return new URL(baseUrl).host;
    } catch {
      return baseUrl;
    }
  })();
  switch (f.kind) {
    case 'timeout':
      return {
        status: 'fail', reason: 'timeout', field: 'scimTimeout',
        message: `no answer from ${host} within ${timeoutMs < 1000 ? `${timeoutMs} ms` : `${timeoutMs / 1000} s`}`,
        hint: 'Entra gives up on endpoints that hang as well: check that the service behind the URL is up and answers the /Users query quickly (raise --timeout only if it is merely slow)',
      };
    case 'tls': {
      const code = f.code ?? 'TLS error';
      const untrusted = /SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|CERT_UNTRUSTED/.test(code);
      const hint = untrusted
        ? "Entra only trusts certificates from public CAs: give the endpoint one (e.g. Let's Encrypt). If instead a proxy on this machine re-signs TLS, trust its CA here with NODE_EXTRA_CA_CERTS=/path/ca.pem"
        : /EXPIRED/.test(code) ? 'renew the certificate of the endpoint'
        : /ALTNAME|HOSTNAME/.test(code) ? `the certificate does not name ${host}: use the host name the certificate was issued for, or reissue it`
        : /EPROTO|WRONG_VERSION|SSL/.test(code) ? 'that port does not speak TLS: use the https port of the endpoint (or http:// if it really is plain HTTP)'
        : 'fix the TLS setup of the endpoint';
      return { status: 'fail', reason: 'tls', field: 'scimUrl', message: `TLS failed with ${host}: ${code}${untrusted ? ' (certificate not trusted)' : ''}`, hint };
    }
    case 'dns':
      return { status: 'fail', reason: 'dns', field: 'scimUrl', message: `host name ${host} not found (${f.code})`, hint: 'check the host in --url' };
    case 'refused':
      return { status: 'fail', reason: 'refused', field: 'scimUrl', message: `connection to ${host} refused (${f.code})`, hint: 'check the host and port in --url and that the SCIM service is listening there' };
    case 'reset':
      return { status: 'fail', reason: 'reset', field: 'scimUrl', message: `${host} closed the connection without an answer (${f.code})`, hint: 'a proxy or the service dropped the request: its logs say why' };
    case 'aborted':
      return { status: 'fail', reason: 'aborted', message: 'interrupted' };
    default:
      return { status: 'fail', reason: 'network', field: 'scimUrl', message: `request to ${host} failed: ${f.detail}${f.code ? ` (${f.code})` : ''}`, hint: 'check --url and that this machine can reach the endpoint' };
  }
}

/** A non-2xx answer, in words; `what` is the action, e.g. "answer the Test Connection query". */
export function explainStatus(res: ScimResponse, what: string): Verdict {
  const s = res.status;
  if (s >= 300 && s < 400) {
    return {
      status: 'fail', reason: 'redirect', field: 'scimUrl',
      message: `HTTP ${s}: redirects${res.location ? ` to ${res.location}` : ''} instead of answering`,
      hint: `give the final URL as the Tenant URL: a redirect loses or re-routes the Authorization header (${TENANT_URL_HINT})`,
    };
  }
  if (s === 401) {
    return {
      status: 'fail', reason: 'unauthorized', field: 'scimToken',
      message: `HTTP 401: the endpoint rejected the token${withDetail(res)}`,
      hint: "the token is wrong, expired or revoked (or sent to the wrong tenant's URL): generate a new one in the application and use the same value as Entra's Secret Token (here: --scim-token-file, --scim-token-stdin or DIRLINK_SCIM_TOKEN)",
    };
  }
  if (s === 403) {
    return {
      status: 'fail', reason: 'forbidden', field: 'scimToken',
      message: `HTTP 403: the token was recognised but may not ${what}${withDetail(res)}`,
      hint: 'give the token (API key) the SCIM provisioning permission or role in the application; if the endpoint has an IP allow-list, it must admit this machine and Entra\'s provisioning service',
    };
  }
  if (s === 404) {
    return { status: 'fail', reason: 'not-found', field: 'scimUrl', message: `HTTP 404${withDetail(res)}`, hint: `check --url: ${TENANT_URL_HINT}` };
  }
  if (s === 405 || s === 501) {
    return { status: 'fail', reason: 'not-supported', message: `HTTP ${s}: the endpoint does not support the request to ${what}${withDetail(res)}`, hint: 'Entra needs GET, POST, PATCH and DELETE on /Users (RFC 7644 §3)' };
  }
  if (s === 406) {
    return {
      status: 'fail', reason: 'not-acceptable',
      message: `HTTP 406 Not Acceptable${withDetail(res)}`,
      hint: 'Entra sends no SCIM Accept header (MicrosoftDocs azure-docs#94189): answer application/scim+json whatever the Accept header says',
    };
  }
  if (s === 415) {
    return { status: 'fail', reason: 'unsupported-media-type', message: `HTTP 415 Unsupported Media Type${withDetail(res)}`, hint: 'Entra sends request bodies as application/scim+json: accept that Content-Type (and application/json)' };
  }
  if (s === 429) {
    return { status: 'fail', reason: 'throttled', message: `HTTP 429: the endpoint throttled the request${withDetail(res)}`, hint: "raise the endpoint's rate limit for the provisioning client: Entra sends bursts of requests during a provisioning cycle" };
  }
  if (s >= 500) {
    return { status: 'fail', reason: 'server-error', message: `HTTP ${s}: the endpoint failed to ${what}${withDetail(res)}`, hint: "the endpoint's own logs say why" };
  }
  return { status: 'fail', reason: `http-${s}`, message: `HTTP ${s} where 200 was expected${withDetail(res)}`, hint: `the endpoint must ${what}` };
}

/** RFC 7644 §3.1/§8.1: SCIM answers are application/scim+json; Entra's own validator insists on it. */
export function judgeContentType(res: ScimResponse): Verdict {
  if (res.contentType === 'application/scim+json') return ok('application/scim+json');
  if (res.contentType === 'application/json') {
    return {
      status: 'warn', reason: 'content-type-json',
      message: 'Content-Type is application/json',
      hint: "Entra's provisioning reads it, but RFC 7644 defines application/scim+json and the Microsoft SCIM Validator rejects application/json: answer with Content-Type: application/scim+json",
    };
  }
  return {
    status: 'fail', reason: 'content-type',
    message: res.contentType ? `Content-Type is ${res.contentType}, not application/scim+json` : 'the answer has no Content-Type',
    hint: 'answer every SCIM request with Content-Type: application/scim+json (RFC 7644 §3.1)',
  };
}

/** The body must be JSON whatever else is wrong; an HTML page usually is a login page or a proxy. */
function notJson(res: ScimResponse): Verdict {
  const html = /<html|<!doctype/i.test(res.text);
  return {
    status: 'fail', reason: html ? 'html-page' : 'not-json',
    message: res.text.trim() === '' ? `HTTP ${res.status} with an empty body` : `the answer is not JSON${html ? ' (an HTML page)' : ''}: "${serverDetail(res) ?? ''}"`,
    hint: html
      ? `an HTML page means a login page, a proxy or a web UI answered instead of the SCIM API: ${TENANT_URL_HINT}`
      : 'answer with a SCIM JSON document (RFC 7644 §3.4.2)',
    field: html ? 'scimUrl' : undefined,
  };
}

/**
 * Entra's Test Connection: a filter on a userName nobody has must give 200 and an empty
 * ListResponse. 404 fails it (Microsoft Q&A 1611014); users in the answer mean the filter is ignored.
 */
export function judgeTestConnection(res: ScimResponse): Verdict {
  if (res.status === 404) {
    const scimError = hasSchema(res.json, URN.error) || (isObject(res.json) && attr(res.json, 'status') !== undefined);
    const fix = `Entra's Test Connection fails on 404: answer 200 with an empty ListResponse ${EMPTY_LIST}`;
    return {
      status: 'fail', reason: 'not-found-on-filter', field: scimError ? undefined : 'scimUrl',
      message: `HTTP 404 for a filter that matches nobody${withDetail(res)}`,
      hint: scimError ? fix : `${fix}. If /Users does not exist at this URL at all, the URL is wrong: ${TENANT_URL_HINT}`,
    };
  }
  if (res.status < 200 || res.status >= 300) return explainStatus(res, 'answer the Test Connection query');
  if (res.json === undefined) return notJson(res);
  if (res.status !== 200) {
    return { status: 'fail', reason: 'status', message: `HTTP ${res.status} where Entra expects 200`, hint: `answer a query with 200 and a ListResponse, e.g. ${EMPTY_LIST}` };
  }
  return judgeEmptyList(res.json);
}

/** The ListResponse of a query that matches nobody. */
export function judgeEmptyList(body: unknown): Verdict {
  if (!isObject(body)) return { status: 'fail', reason: 'not-list', message: `the answer is JSON but not an object${Array.isArray(body) ? ' (a bare array)' : ''}`, hint: `answer with a ListResponse, e.g. ${EMPTY_LIST}` };
  const problems: string[] = [];
  if (!hasSchema(body, URN.listResponse)) problems.push(`"schemas" does not contain ${URN.listResponse}`);
  const total = attr(body, 'totalResults');
  if (typeof total !== 'number') problems.push(total === undefined ? 'totalResults is missing' : `totalResults is ${JSON.stringify(total)}, not a number`);
  const resources = attr(body, 'Resources');
  if (resources !== undefined && !Array.isArray(resources)) problems.push('Resources is not an array');
  if (problems.length > 0) {
    return {
      status: 'fail', reason: !hasSchema(body, URN.listResponse) ? 'no-list-schema' : 'no-total-results',
      message: `not a valid ListResponse: ${problems.join('; ')}`,
      hint: `Entra reads totalResults and Resources of a ListResponse to decide whether the user exists: answer ${EMPTY_LIST}`,
    };
  }
  const n = Math.max(total as number, Array.isArray(resources) ? resources.length : 0);
  if (n > 0) {
    return {
      status: 'fail', reason: 'filter-ignored',
      message: `returned ${n} user${n === 1 ? '' : 's'} for a userName nobody has: the filter is ignored`,
      hint: 'Entra would take a returned user as the match and update that person instead of creating a new one: implement filter=userName eq "…" (RFC 7644 §3.4.2.2) and return only matching users',
    };
  }
  return ok('200, empty ListResponse (totalResults 0)');
}

/** RFC 7643 §5: what the endpoint says it supports. Entra does not read it, so problems only warn. */
export function judgeServiceProviderConfig(res: ScimResponse): Verdict {
  if (res.status === 404) {
    return { status: 'warn', reason: 'missing', message: 'HTTP 404: no /ServiceProviderConfig', hint: "Entra's Test Connection does not read it, but RFC 7644 §4 requires it and SCIM clients use it to learn about PATCH and filter support" };
  }
  if (res.status < 200 || res.status >= 300) return { ...explainStatus(res, 'read /ServiceProviderConfig'), status: 'warn' };
  if (!isObject(res.json)) return { ...notJson(res), status: 'warn' };
  const body = res.json;
  const problems: string[] = [];
  const hints: string[] = [];
  if (!hasSchema(body, URN.serviceProviderConfig)) {
    problems.push(`"schemas" lacks ${URN.serviceProviderConfig}`);
    hints.push('add the ServiceProviderConfig schema URN to "schemas"');
  }
  const supported = (name: string) => {
    const v = attr(body, name);
    return isObject(v) && attr(v, 'supported') === true;
  };
  if (!supported('patch')) {
    problems.push('patch.supported is not true');
    hints.push('Entra sends every update and every disable as PATCH (RFC 7644 §3.5.2): support it and advertise patch.supported = true');
  }
  if (!supported('filter')) {
    problems.push('filter.supported is not true');
    hints.push('Entra finds users with filter=userName eq "…": support it and advertise filter.supported = true');
  }
  const schemes = attr(body, 'authenticationSchemes');
  const bearer = Array.isArray(schemes) && schemes.some((s) => isObject(s) && /oauthbearertoken|bearer/i.test(`${attr(s, 'type') ?? ''} ${attr(s, 'name') ?? ''}`));
  if (!bearer) {
    problems.push('no bearer-token scheme in authenticationSchemes');
    hints.push('Entra authenticates with a bearer token (its Secret Token): list {"type":"oauthbearertoken"} in authenticationSchemes');
  }
  if (problems.length > 0) return { status: 'warn', reason: 'incomplete', message: problems.join('; '), hint: hints.join('; ') };
  const filter = attr(body, 'filter') as Json;
  const max = attr(filter, 'maxResults');
  const extras = ['bulk', 'sort', 'etag', 'changePassword'].filter(supported);
  return ok(`PATCH, filter${typeof max === 'number' ? ` (max ${max} results)` : ''}, bearer token${extras.length ? `; also ${extras.join(', ')}` : ''}`);
}

/**
 * RFC 7643 §7: the User schema as /Schemas lists it. Entra's provisioning does not read it; the
 * Microsoft SCIM Validator's "discover schema" mode does. The attribute that matters here is
 * emails[type eq "work"].value, where the Lightrun-style Entra setup puts the userPrincipalName.
 */
export function judgeSchemas(res: ScimResponse): Verdict {
  const validator = "Entra's provisioning does not need it, but the Microsoft SCIM Validator's schema discovery reads it (RFC 7644 §4)";
  if (res.status === 404) return { status: 'warn', reason: 'missing', message: 'HTTP 404: no /Schemas', hint: validator };
  if (res.status < 200 || res.status >= 300) return { ...explainStatus(res, 'read /Schemas'), status: 'warn' };
  if (res.json === undefined) return { ...notJson(res), status: 'warn' };
  const list = Array.isArray(res.json) ? res.json : isObject(res.json) ? attr(res.json, 'Resources') : undefined;
  if (!Array.isArray(list)) return { status: 'warn', reason: 'not-list', message: '/Schemas is not a ListResponse of schemas', hint: `answer /Schemas with a ListResponse (RFC 7644 §4); ${validator}` };
  const user = list.find((s) => isObject(s) && typeof attr(s, 'id') === 'string' && (attr(s, 'id') as string).toLowerCase() === URN.user.toLowerCase());
  if (!isObject(user)) return { status: 'warn', reason: 'no-user-schema', message: `/Schemas lists ${list.length} schema(s), none of them ${URN.user}`, hint: validator };
  const attrs = (v: unknown): Json[] => (Array.isArray(v) ? v.filter(isObject) : []);
  const named = (list: Json[], name: string) => list.find((a) => typeof attr(a, 'name') === 'string' && (attr(a, 'name') as string).toLowerCase() === name.toLowerCase());
  const top = attrs(attr(user, 'attributes'));
  const problems: string[] = [];
  if (!named(top, 'userName')) problems.push('no userName attribute (Entra matches users on it)');
  const emails = named(top, 'emails');
  if (!emails) problems.push('no emails attribute');
  else {
    const sub = attrs(attr(emails, 'subAttributes'));
    if (!named(sub, 'value')) problems.push('emails has no "value" sub-attribute');
    const type = named(sub, 'type');
    if (!type) problems.push('emails has no "type" sub-attribute');
    else {
      const canon = attr(type, 'canonicalValues');
      if (Array.isArray(canon) && canon.length > 0 && !canon.some((c) => typeof c === 'string' && c.toLowerCase() === 'work')) {
        problems.push(`emails.type does not allow "work" (canonicalValues ${JSON.stringify(canon)})`);
      }
    }
  }
  if (problems.length > 0) {
    return {
      status: 'warn', reason: 'user-schema',
      message: `User schema: ${problems.join('; ')}`,
      hint: 'the Entra mapping emails[type eq "work"].value ← userPrincipalName (and userName) needs these attributes in the User schema (RFC 7643 §4.1)',
    };
  }
  return ok(`User schema has userName and emails[type eq "work"].value (${top.length} attributes)`);
}

/** Without the token the endpoint must refuse; if it answers, the Secret Token protects nothing. */
export function judgeWithoutToken(res: ScimResponse): Verdict {
  if (res.status === 401 || res.status === 403) return ok(`refused without a token (HTTP ${res.status})`);
  if (res.status >= 200 && res.status < 300) {
    return {
      status: 'warn', reason: 'open',
      message: `answered HTTP ${res.status} without a token`,
      hint: 'anyone who can reach the endpoint can read (and probably change) users: require the bearer token on every request, unless a network control in front of it is meant to do that job',
    };
  }
  return { status: 'warn', reason: 'unexpected', message: `answered HTTP ${res.status} without a token (expected 401)`, hint: 'answer requests without a valid bearer token with 401 (RFC 7644 §3.12), so clients can tell a bad token from other errors' };
}

/** The user as POST /Users answered it: an id to come back to, and the UPN kept as the work email. */
export function judgeCreated(res: ScimResponse, upn: string): Verdict & { id?: string } {
  if (res.status === 400 || res.status === 409) {
    const conflict = res.status === 409;
    return {
      status: 'fail', reason: conflict ? 'conflict' : 'rejected', field: conflict ? undefined : 'scimTestDomain',
      message: `HTTP ${res.status}: the endpoint refused to create ${upn}${withDetail(res)}`,
      hint: conflict
        ? 'a user with this userName already exists: rerun (a new random name is used each time)'
        : 'if the endpoint only accepts users of your own domains, pass --scim-test-domain <your UPN domain>; otherwise the message above names the attribute it did not accept',
    };
  }
  if (res.status < 200 || res.status >= 300) return explainStatus(res, 'create users');
  if (!isObject(res.json)) return notJson(res);
  const id = attr(res.json, 'id');
  const idStr = typeof id === 'string' && id !== '' ? id : typeof id === 'number' ? String(id) : undefined;
  const problems: string[] = [];
  const hints: string[] = [];
  let status: CheckStatus = 'ok';
  if (!idStr) {
    status = 'fail';
    problems.push('the answer has no "id"');
    hints.push('Entra stores the id from the create answer to update and delete the user later: return the created resource with its id (RFC 7644 §3.3)');
  }
  const emails = attr(res.json, 'emails');
  const list = Array.isArray(emails) ? emails.filter(isObject) : [];
  const same = (v: unknown) => typeof v === 'string' && v.toLowerCase() === upn.toLowerCase();
  const work = list.find((e) => same(attr(e, 'value')) && String(attr(e, 'type') ?? '').toLowerCase() === 'work');
  if (!work) {
    if (list.some((e) => same(attr(e, 'value')))) {
      if (status === 'ok') status = 'warn';
      problems.push('the UPN was kept as an email but not with type "work"');
      hints.push('keep the type of each email: Entra writes the UPN to emails[type eq "work"].value');
    } else {
      status = 'fail';
      problems.push(`emails[type eq "work"].value is not ${upn} in the answer`);
      hints.push('the endpoint dropped or changed the UPN-style address Entra maps to emails[type eq "work"].value: accept and return emails with type and value (RFC 7643 §4.1.2)');
    }
  }
  if (res.status !== 201) {
    if (status === 'ok') status = 'warn';
    problems.push(`HTTP ${res.status} instead of 201 Created`);
    hints.push('answer a create with 201 Created (RFC 7644 §3.3)');
  }
  if (status === 'ok') return { ...ok(`HTTP 201, id ${idStr}, the UPN kept as emails[type eq "work"].value`), id: idStr };
  return { status, reason: status === 'fail' ? (idStr ? 'email-not-kept' : 'no-id') : 'create-details', message: problems.join('; '), hint: hints.join('; '), id: idStr };
}

/** The filter, now for a user that exists: exactly that one user, or Entra creates duplicates. */
export function judgeFound(res: ScimResponse, id: string | undefined, upn: string): Verdict & { id?: string } {
  if (res.status < 200 || res.status >= 300) return explainStatus(res, 'answer a filter query');
  if (!isObject(res.json)) return notJson(res);
  const resources = attr(res.json, 'Resources');
  const list = Array.isArray(resources) ? resources.filter(isObject) : [];
  const total = attr(res.json, 'totalResults');
  if (list.length === 0) {
    return {
      status: 'fail', reason: 'not-found-after-create',
      message: `filter userName eq "${upn}" finds nobody right after the create${typeof total === 'number' ? ` (totalResults ${total})` : ''}`,
      hint: 'Entra looks users up this way before every change; when the lookup misses, it creates the user again: make the filter match userName exactly (case-insensitively, RFC 7643 §2.1)',
    };
  }
  const ids = list.map((u) => String(attr(u, 'id') ?? ''));
  // only a user whose userName is the test user's may be taken as it (and later deleted)
  const named = String(attr(list[0]!, 'userName') ?? '').toLowerCase() === upn.toLowerCase();
  if (list.length > 1 || !named || (id !== undefined && ids[0] !== id)) {
    return {
      status: 'fail', reason: 'wrong-match',
      message: `filter userName eq "${upn}" returned ${list.length} user(s)${id !== undefined ? `, ${ids.includes(id) ? 'including' : 'not'} the one created (id ${id})` : ''}`,
      hint: 'return exactly the users whose userName matches the filter: Entra would otherwise update the wrong person',
    };
  }
  return { ...ok(`found exactly the new user (id ${ids[0]})`), id: ids[0] || id };
}

/** PATCH active=false, the way Entra disables a user ("op":"Replace": Entra capitalises op values). */
export function judgePatched(res: ScimResponse): Verdict {
  if (res.status === 204) return ok('HTTP 204: active set to false');
  if (res.status === 400 || res.status === 405 || res.status === 501) {
    return {
      status: 'fail', reason: 'patch-rejected',
      message: `HTTP ${res.status}: PATCH {"op":"Replace","path":"active","value":false} refused${withDetail(res)}`,
      hint: 'Entra sends every update and every disable as PATCH, with op values capitalised ("Replace"): support PATCH (RFC 7644 §3.5.2) and compare op case-insensitively',
    };
  }
  if (res.status < 200 || res.status >= 300) return explainStatus(res, 'update users with PATCH');
  if (isObject(res.json) && attr(res.json, 'active') === true) {
    return { status: 'warn', reason: 'patch-ignored', message: 'PATCH answered, but the user is still active', hint: 'apply the PatchOp: Entra disables users by replacing active with false' };
  }
  return ok(`HTTP ${res.status}: active set to false`);
}

export function judgeDeleted(res: ScimResponse): Verdict {
  if (res.status === 204 || res.status === 200) return ok(`HTTP ${res.status}`);
  if (res.status === 404) return { status: 'warn', reason: 'already-gone', message: 'HTTP 404: the user was already gone', hint: 'answer DELETE of an existing user with 204 (RFC 7644 §3.6)' };
  return explainStatus(res, 'delete users');
}

/** After DELETE the user must be gone (RFC 7644 §3.6: later GETs answer 404). */
export function judgeGone(res: ScimResponse): Verdict {
  if (res.status === 404) return ok('HTTP 404: gone');
  if (res.status >= 200 && res.status < 300) {
    return { status: 'warn', reason: 'still-there', message: `HTTP ${res.status}: the deleted user is still returned`, hint: 'after DELETE the user must no longer be returned (RFC 7644 §3.6); a soft delete should hide it' };
  }
  return { ...explainStatus(res, 'answer GET /Users/{id}'), status: 'warn' };
}

/** The worse of two statuses (fail > warn > ok > skipped). */
export function worst(a: CheckStatus, b: CheckStatus): CheckStatus {
  const rank: Record<CheckStatus, number> = { skipped: 0, ok: 1, warn: 2, fail: 3 };
  return rank[a] >= rank[b] ? a : b;
}
