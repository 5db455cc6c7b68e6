// `dirlink scim-check`: tests a SCIM 2.0 endpoint the way Entra ID's provisioning does, for
// organisations that push users from Entra instead of letting Keycloak read LDAP. One step line
// per check (with the cause and the fix under a warning or failure), the full report under
// "scim" in --json, and exit 7 when any check failed.
import { CancelledError, ScimError } from '../errors.js';
import type { Settings } from '../inputs/resolve.js';
import { runScimCheck } from '../scim/check.js';
import type { ScimCheck } from '../scim/types.js';
import type { Deps } from './context.js';

export async function scimCheck(s: Settings, o: { writeTest: boolean }, deps: Deps, out: Record<string, unknown>): Promise<void> {
  const r = deps.reporter;
  r.heading(`SCIM endpoint ${s.scim.url}${o.writeTest ? ' (with the write test)' : ''}`);
  const report = await runScimCheck({
    url: s.scim.url,
    token: s.scim.token,
    timeoutMs: s.scim.timeoutMs,
    testDomain: s.scim.testDomain,
    writeTest: o.writeTest,
    signal: deps.signal,
    observe: (id, title) => {
      const step = r.step(id, title);
      return (c: ScimCheck) => {
        step.done(c.status, c.message);
        if (c.request) r.detail(`${c.request.method} ${c.request.path}${c.request.status !== undefined ? ` → ${c.request.status}${c.request.contentType ? ` ${c.request.contentType}` : ''}` : ''}`);
        if (c.hint) r.info(`  → ${c.hint}`);
      };
    },
  });
  out.scim = report;
  const leftOver = report.testUser?.created === true && report.testUser.deleted !== true;
  if (deps.signal?.aborted) {
    // Ctrl-C is a cancellation (130), not a verdict on the endpoint; the clean-up has run by now
    throw new CancelledError(`interrupted (Ctrl-C)${leftOver ? `: the test user ${report.testUser!.userName} is still on the server` : ''}`, {
      hint: leftOver ? `delete ${report.testUser!.userName} on the SCIM server by hand` : undefined,
      data: leftOver ? { testUserLeftOver: report.testUser } : undefined,
    });
  }
  if (report.ok) return;

  const failed = report.checks.filter((c) => c.status === 'fail');
  const first = failed[0]!;
  throw new ScimError(`${first.id}.${first.reason ?? 'failed'}`, `${first.title}: ${first.message}${failed.length > 1 ? ` (and ${failed.length - 1} more failed check${failed.length > 2 ? 's' : ''} above)` : ''}`, {
    hint: first.hint,
    field: first.field,
    data: { failed: failed.map((c) => c.id), ...(leftOver ? { testUserLeftOver: report.testUser } : {}) },
  });
}
