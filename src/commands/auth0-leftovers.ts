// The migration warning of `check` and `status` (and setup, which shares check's pipeline): Auth0
// connector leftovers in the kubeconfig dirlink was given, and a --verify-user in the connector's
// <TENANT>/<user> form. Reads local files only; a finding is a warning, never a failure.
import { existsSync } from 'node:fs';
import { isDirlinkError } from '../errors.js';
import type { Settings } from '../inputs/resolve.js';
import { auth0Users, migrationAdvice, tenantLoginFinding, type Auth0Finding } from '../researcher/auth0.js';
// not researcher/kubeconfig-file.js: its `yaml` (kept for comment-preserving writes) costs a check ≈35 ms to load
import { kubeconfigChain, readKubeconfigFile } from '../kubernetes/kubeconfig.js';
import type { Deps } from './context.js';

export function reportAuth0Leftovers(s: Settings, deps: Deps, out: Record<string, unknown>): Auth0Finding[] {
  const r = deps.reporter;
  const files = kubeconfigChain(s.kube.kubeconfig, deps.env).filter((f) => existsSync(f));
  const findings: Auth0Finding[] = [];
  for (const file of files) {
    try {
      findings.push(...auth0Users(readKubeconfigFile(file), file));
    } catch (e) {
      // the Kubernetes step reports a broken kubeconfig where it matters; here it only limits the scan
      r.detail(`Auth0 leftovers: could not read ${file}: ${isDirlinkError(e) ? e.message : String(e)}`);
    }
  }
  const login = tenantLoginFinding(s.verify?.user, `--verify-user ${s.verify?.user ?? ''}`);
  if (login) findings.push(login);
  out.migration = { kubeconfigs: files, findings };

  if (findings.length === 0) {
    r.detail(`Auth0 leftovers: none${files.length ? ` in ${files.join(', ')}` : ' (no kubeconfig file)'}`);
    return findings;
  }
  const users = findings.filter((f) => f.kind === 'kubeconfig-user');
  const summary = [
    users.length ? `${users.length} kubeconfig ${users.length === 1 ? 'user still logs' : 'users still log'} in through the Auth0 connector` : '',
    login ? 'a login name in the <TENANT>/<user> form' : '',
  ].filter(Boolean).join('; ');
  r.record('migration.auth0', 'Auth0 connector leftovers', 'warn', summary);
  for (const f of findings) r.warn(f.kind === 'kubeconfig-user' ? `user "${f.name}" in ${f.file}: ${f.reasons.join('; ')}` : f.reasons.join('; '));
  r.info('with the Keycloak federation:');
  for (const line of migrationAdvice(s.ldap.usernameAttribute, s.keycloak.url, users.map((u) => u.name))) r.info(`  - ${line}`);
  return findings;
}
