// `dirlink status`: the federation and its mappers as Keycloak has them (secrets masked), what
// differs from the Run:AI settings, and the deployment's rollout state. Never writes.
import type { Settings } from '../inputs/resolve.js';
import { defaultAttributes, desiredConfig } from '../keycloak/federation.js';
import { findFederation, findRealm } from '../keycloak/observe.js';
import type { Vendor } from '../ldap/types.js';
import type { Deps } from './context.js';
import { reportAuth0Leftovers } from './auth0-leftovers.js';
import { connectKube, loginKeycloak } from './steps.js';

// The settings the seed procedure asks for; connection values are whatever the realm has.
const RUNAI_KEYS = ['editMode', 'importEnabled', 'searchScope', 'vendor', 'usernameLDAPAttribute', 'authType', 'pagination', 'trustEmail'];

export async function status(s: Settings, deps: Deps, out: Record<string, unknown>): Promise<void> {
  const r = deps.reporter;
  const kc = await loginKeycloak(s, deps);
  const realm = await findRealm(kc, s.keycloak.realm);
  const { federation: fed, others } = await findFederation(kc, realm, s.keycloak.federationName);
  if (!fed) {
    r.record('keycloak.federation', `Federation "${s.keycloak.federationName}"`, 'warn', `not configured in realm "${realm.name}"${others.length ? ` (other LDAP federations: ${others.map((o) => o.name).join(', ')})` : ''}`);
    out.federation = null;
  } else {
    const mappers = await kc.listMappers(realm, fed.id!);
    const cfg = fed.config ?? {};
    const vendor = (cfg.vendor?.[0] ?? s.ldap.vendor) as Vendor;
    const attrs = defaultAttributes(vendor);
    const expectedUsername = s.ldap.usernameAttribute === defaultAttributes(s.ldap.vendor).username ? attrs.username : s.ldap.usernameAttribute;
    const expectedEmail = s.ldap.emailAttribute === defaultAttributes(s.ldap.vendor).email ? attrs.email : s.ldap.emailAttribute;
    const want = desiredConfig({
      name: fed.name ?? '', vendor, url: cfg.connectionUrl?.[0] ?? '', startTls: cfg.startTls?.[0] === 'true', bindDn: cfg.bindDn?.[0] ?? '',
      usersDn: cfg.usersDn?.[0] ?? '', usernameAttribute: expectedUsername, emailAttribute: expectedEmail, timeoutMs: s.ldap.timeoutMs,
    });
    const drift: string[] = [];
    for (const k of RUNAI_KEYS) if (JSON.stringify(cfg[k]) !== JSON.stringify(want[k])) drift.push(`${k} is ${cfg[k]?.[0] ?? '(unset)'}, Run:AI expects ${want[k]?.[0]}`);
    const email = mappers.find((m) => m.name === 'email');
    if (!email) drift.push('there is no "email" mapper');
    else if (email.config?.['ldap.attribute']?.[0] !== expectedEmail) drift.push(`email mapper reads ${email.config?.['ldap.attribute']?.[0]}, expected ${expectedEmail}`);
    if (mappers.filter((m) => m.config?.['user.model.attribute']?.[0] === 'email').length > 1) drift.push('more than one mapper writes email (Keycloak issue 35194)');

    r.record('keycloak.federation', `Federation "${fed.name}"`, drift.length ? 'warn' : 'ok', `${cfg.connectionUrl?.[0]} ${cfg.usersDn?.[0]} (id ${fed.id})`);
    for (const k of Object.keys(cfg).sort()) r.info(`${k.padEnd(26)} ${k === 'bindCredential' ? '**********' : (cfg[k] ?? []).join(', ')}`);
    r.info('mappers:');
    for (const m of mappers) r.info(`  ${String(m.name).padEnd(34)} ${m.providerId}${m.config?.['ldap.attribute'] ? `  ${m.config['user.model.attribute']?.[0]} ← ${m.config['ldap.attribute'][0]}` : ''}`);
    for (const d of drift) r.warn(d);
    out.federation = { id: fed.id, name: fed.name, config: { ...cfg, ...(cfg.bindCredential ? { bindCredential: ['**********'] } : {}) }, mappers: mappers.map((m) => ({ id: m.id, name: m.name, providerId: m.providerId, config: m.config })) };
    out.drift = drift;
  }
  if (s.kube.restart) {
    const { state } = await connectKube(s, deps);
    out.deployment = state;
    if (state.restartedAt) r.info(`last restart (kubectl.kubernetes.io/restartedAt): ${state.restartedAt}`);
  }
  reportAuth0Leftovers(s, deps, out);
}
