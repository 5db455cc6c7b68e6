// The researcher side: the kubeconfig user rendered from templates/, merging it into kubeconfig
// files (formatting kept, backups, atomic writes), the client checks, and the Auth0 detector.
import { chmodSync, lstatSync, mkdtempSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { KubeError, UsageError } from '../../src/errors.js';
import { auth0Users, migrationAdvice, tenantLogin, tenantLoginFinding } from '../../src/researcher/auth0.js';
import { clientProblems, redirectAllowed } from '../../src/researcher/client-check.js';
import { backupName, kubeconfigChain, mergeUser, writeKubeconfig, writeTarget } from '../../src/researcher/kubeconfig-file.js';
import { readTemplate, renderTemplate, researcherUser, type KubeconfigUser } from '../../src/researcher/template.js';
import type { ClientInfo } from '../../src/keycloak/types.js';
import { toSettings, validateInputs } from '../../src/inputs/resolve.js';
import { fromEnv, fromFlags, merge } from '../../src/inputs/sources.js';
import { validators } from '../../src/inputs/validate.js';

const dir = mkdtempSync(join(tmpdir(), 'dirlink-researcher-'));
let n = 0;
const file = (text: string | undefined, name = `kc-${++n}`) => {
  const p = join(dir, name);
  if (text !== undefined) writeFileSync(p, text, { mode: 0o600 });
  return p;
};

const input = { userName: 'runai-authenticated-user', realm: 'runai', clientId: 'runai-cli', authFlow: 'remote-browser' as const, keycloakUrl: 'https://runai.example.com/auth' };

// kubectl's own output style: sequences flush with their key, no quotes unless needed
const KUBECTL_STYLE = `apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: QUJD
    server: https://10.0.0.1:6443
  name: prod
contexts:
- context:
    cluster: prod
    namespace: team-a
    user: runai-authenticated-user
  name: prod
- context:
    cluster: prod
    user: admin
  name: prod-admin
current-context: prod
kind: Config
preferences: {}
users:
# handed out by Run:AI support with the LDAP connector
- name: runai-authenticated-user
  user:
    auth-provider:
      config:
        auth-flow: remote-browser
        client-id: AbCdEf123
        idp-issuer-url: https://runai-prod.auth0.com/
        realm: acme
        redirect-uri: https://app.run.ai/auth
      name: oidc
- name: admin
  user:
    client-certificate-data: QUJD
    client-key-data: REVG
`;

describe('the kubeconfig user template', () => {
  it('renders the self-hosted remote-browser user of the Run:AI docs', () => {
    expect(researcherUser(input)).toEqual({
      name: 'runai-authenticated-user',
      user: {
        'auth-provider': {
          name: 'oidc',
          config: {
            airgapped: 'true',
            'auth-flow': 'remote-browser',
            realm: 'runai',
            'client-id': 'runai-cli',
            'idp-issuer-url': 'https://runai.example.com/auth/realms/runai',
            'redirect-uri': 'https://runai.example.com/oauth-code',
          },
        },
      },
    });
  });

  it('leaves redirect-uri out of the cli flow and takes an explicit one for remote-browser', () => {
    const cli = researcherUser({ ...input, authFlow: 'cli' }).user['auth-provider'].config;
    expect(cli['auth-flow']).toBe('cli');
    expect(cli).not.toHaveProperty('redirect-uri');
    expect(researcherUser({ ...input, redirectUri: 'https://runai.corp/oauth-code' }).user['auth-provider'].config['redirect-uri']).toBe('https://runai.corp/oauth-code');
  });

  it('sets values as data: YAML-special characters cannot change the structure', () => {
    const u = researcherUser({ ...input, userName: 'a: b\n- c', realm: 'r#1' });
    expect(u.name).toBe('a: b\n- c');
    expect(u.user['auth-provider'].config.realm).toBe('r#1');
    expect(u.user['auth-provider'].config['idp-issuer-url']).toBe('https://runai.example.com/auth/realms/r%231');
  });

  it('the shipped template parses and uses every input; a stray placeholder is an error', () => {
    expect(() => parse(readTemplate())).not.toThrow();
    expect(readTemplate()).toContain('https://docs.run.ai/admin/runai-setup/self-hosted/k8s/researcher-authentication/');
    expect(() => renderTemplate('name: "{{nope}}"\n', {})).toThrow(/unknown placeholder \{\{nope\}\}/);
    expect(() => renderTemplate('name: "{{a}}"\n', { a: 'x', b: 'y' })).toThrow(/does not use \{\{b\}\}/);
  });
});

describe('merging into a kubeconfig', () => {
  const entry = researcherUser(input);

  it('replaces the user of the same name in place and leaves every other line as it was', () => {
    const m = mergeUser(KUBECTL_STYLE, entry, { file: 'f' });
    expect(m).toMatchObject({ changed: true, replaced: true });
    const before = KUBECTL_STYLE.split('\n');
    const after = m.text.split('\n');
    // everything up to the replaced user (comment included) and the admin user after it are byte-identical
    const start = before.indexOf('- name: runai-authenticated-user');
    expect(after.slice(0, start + 1)).toEqual(before.slice(0, start + 1));
    expect(after.slice(-5)).toEqual(before.slice(-5));
    const cfg = parse(m.text);
    expect(cfg.users).toHaveLength(2);
    expect(cfg.users[0]).toEqual(entry);
    expect(cfg.users[1].name).toBe('admin');
  });

  it('is idempotent: merging the same user again changes nothing', () => {
    const once = mergeUser(KUBECTL_STYLE, entry, { file: 'f', context: 'prod-admin' });
    const twice = mergeUser(once.text, entry, { file: 'f', context: 'prod-admin' });
    expect(twice).toMatchObject({ changed: false, replaced: true, context: { name: 'prod-admin', previousUser: 'runai-authenticated-user' } });
    expect(twice.text).toBe(once.text);
  });

  it('adds a new user, points a context at it, and names the contexts when one is missing', () => {
    const m = mergeUser(KUBECTL_STYLE, { ...entry, name: 'researcher' }, { file: 'f', context: 'prod-admin' });
    const cfg = parse(m.text);
    expect(cfg.users.map((u: KubeconfigUser) => u.name)).toEqual(['runai-authenticated-user', 'admin', 'researcher']);
    expect(cfg.contexts[1].context).toEqual({ cluster: 'prod', user: 'researcher' });
    expect(m.context).toEqual({ name: 'prod-admin', previousUser: 'admin' });
    const err = (() => {
      try {
        mergeUser(KUBECTL_STYLE, entry, { file: 'f', context: 'staging' });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).hint).toContain('prod, prod-admin');
  });

  it('keeps an indented style, starts files that are empty or hold only comments, and handles users: null', () => {
    const indented = 'apiVersion: v1\nkind: Config\nusers:\n  - name: other\n    user:\n      token: abc\n';
    expect(mergeUser(indented, entry, { file: 'f' }).text.startsWith(indented)).toBe(true);
    for (const text of [undefined, '', '# nothing yet\n', 'apiVersion: v1\nkind: Config\nusers: null\n']) {
      const cfg = parse(mergeUser(text, entry, { file: 'f' }).text);
      expect(cfg).toMatchObject({ apiVersion: 'v1', kind: 'Config', users: [entry] });
    }
  });

  it('a JSON kubeconfig stays JSON with its indentation', () => {
    const json = JSON.stringify({ apiVersion: 'v1', kind: 'Config', users: [{ name: 'emulator-user', user: { token: 't' } }], contexts: [{ name: 'c', context: { user: 'emulator-user' } }] }, null, 4);
    const m = mergeUser(json, entry, { file: 'f', context: 'c' });
    const cfg = JSON.parse(m.text);
    expect(cfg.users[1]).toEqual(entry);
    expect(cfg.contexts[0].context.user).toBe('runai-authenticated-user');
    expect(m.text).toContain('\n    "apiVersion"');
    expect(mergeUser(m.text, entry, { file: 'f', context: 'c' }).changed).toBe(false);
  });

  it('refuses a file that is not a kubeconfig, naming it (exit 5)', () => {
    for (const bad of ['users: [\n', '- a\n- b\n']) {
      expect(() => mergeUser(bad, entry, { file: '/x/config' })).toThrow(KubeError);
      expect(() => mergeUser(bad, entry, { file: '/x/config' })).toThrow(/\/x\/config/);
    }
  });
});

describe('where and how the file is written', () => {
  it('follows kubectl: the file defining the user, else the first existing, else the last of the chain', () => {
    const a = file('apiVersion: v1\nusers:\n- name: someone\n  user: {}\n');
    const b = file('apiVersion: v1\nusers:\n- name: runai-authenticated-user\n  user: {}\n');
    const missing = join(dir, 'missing');
    expect(writeTarget([missing, a, b], 'runai-authenticated-user')).toBe(b);
    expect(writeTarget([missing, a, b], 'new-user')).toBe(a);
    expect(writeTarget([missing, join(dir, 'missing-2')], 'x')).toBe(join(dir, 'missing-2'));
    expect(kubeconfigChain(`${a}${delimiter}${b}`, {})).toEqual([a, b]);
    expect(kubeconfigChain(undefined, { HOME: '/home/r' })).toEqual(['/home/r/.kube/config']);
  });

  it('keeps a backup with the same bytes and mode, writes with the original mode, and never leaves a temporary file', () => {
    const f = file(KUBECTL_STYLE);
    chmodSync(f, 0o640);
    const now = new Date('2026-07-21T12:00:00.123Z');
    const w = writeKubeconfig(f, 'new: text\n', now);
    expect(w.backup).toBe(`${f}.dirlink-backup-20260721T120000Z`);
    expect(readFileSync(w.backup!, 'utf8')).toBe(KUBECTL_STYLE);
    expect(statSync(w.backup!).mode & 0o777).toBe(0o640);
    expect(readFileSync(f, 'utf8')).toBe('new: text\n');
    expect(statSync(f).mode & 0o777).toBe(0o640);
    // a second write in the same second gets its own backup
    expect(writeKubeconfig(f, 'newer: text\n', now).backup).toBe(`${f}.dirlink-backup-20260721T120000Z-2`);
    expect(backupName(f, now)).toBe(`${f}.dirlink-backup-20260721T120000Z-3`);
    expect(readdirSync(dir).filter((x) => x.endsWith('.tmp'))).toEqual([]);
  });

  it('writes through a symlink to its target, and creates a missing file 0600 in a new directory', () => {
    const target = file('a: 1\n');
    const link = join(dir, 'link');
    symlinkSync(target, link);
    writeKubeconfig(link, 'a: 2\n', new Date());
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(target, 'utf8')).toBe('a: 2\n');
    const fresh = join(dir, 'home', '.kube', 'config');
    const w = writeKubeconfig(fresh, 'a: 3\n', new Date());
    expect(w.backup).toBeUndefined();
    expect(statSync(fresh).mode & 0o777).toBe(0o600);
  });

  it('a place it cannot write to is exit 5 naming the path', () => {
    // a regular file where the directory should be: fails for root too, unlike a chmod
    const notADir = file('x');
    const err = (() => {
      try {
        writeKubeconfig(join(notADir, 'config'), 'a: 2\n', new Date());
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(KubeError);
    expect((err as KubeError).message).toContain(notADir);
    expect((err as KubeError).field).toBe('kubeconfig');
  });
});

describe("the researchers' client", () => {
  const client: ClientInfo = { id: 'x', enabled: true, publicClient: true, standardFlowEnabled: true, directAccessGrantsEnabled: false, redirectUris: [] };

  it('matches redirect URIs as Keycloak does: exact, trailing wildcard, relative to the root URL', () => {
    const uri = 'https://runai.example.com/oauth-code';
    expect(redirectAllowed(uri, { redirectUris: [uri] })).toBe(true);
    expect(redirectAllowed(uri, { redirectUris: ['https://runai.example.com/*'] })).toBe(true);
    expect(redirectAllowed(uri, { redirectUris: ['*'] })).toBe(true);
    expect(redirectAllowed(uri, { redirectUris: ['/oauth-code'], rootUrl: 'https://runai.example.com/' })).toBe(true);
    expect(redirectAllowed(uri, { redirectUris: ['/oauth-code'] })).toBe(false);
    expect(redirectAllowed(uri, { redirectUris: ['https://runai.example.com/oauth-code/x', 'https://other/*'] })).toBe(false);
  });

  it('names each setting that would stop the login', () => {
    const uri = 'https://runai.example.com/oauth-code';
    expect(clientProblems({ ...client, redirectUris: [uri] }, 'runai-cli', 'remote-browser', uri)).toEqual([]);
    const p = clientProblems({ ...client, publicClient: false, standardFlowEnabled: false }, 'runai-cli', 'remote-browser', uri);
    expect(p).toHaveLength(3);
    expect(p.join('\n')).toMatch(/confidential[\s\S]*Standard flow[\s\S]*does not allow the redirect URI https:\/\/runai.example.com\/oauth-code \(Valid redirect URIs: none\)/);
    expect(clientProblems(client, 'runai', 'cli', undefined)).toEqual([expect.stringContaining('Direct access grants off')]);
    expect(clientProblems({ ...client, directAccessGrantsEnabled: true }, 'runai', 'cli', undefined)).toEqual([]);
  });
});

describe('Auth0 connector leftovers', () => {
  it('finds the connector-era user of a kubeconfig with every reason, and nothing in a Keycloak-era one', () => {
    const found = auth0Users(parse(KUBECTL_STYLE), '/k');
    expect(found).toEqual([
      {
        kind: 'kubeconfig-user',
        file: '/k',
        name: 'runai-authenticated-user',
        reasons: ['idp-issuer-url https://runai-prod.auth0.com/ is Auth0', "redirect-uri https://app.run.ai/auth is the Auth0 connector's"],
      },
    ]);
    const merged = parse(mergeUser(KUBECTL_STYLE, researcherUser(input), { file: 'f' }).text);
    expect(auth0Users(merged, '/k')).toEqual([]);
  });

  it('recognises the older shapes: no issuer (the CLI built-in SaaS login), exec plugins, tenant usernames', () => {
    const cfg = {
      users: [
        { name: 'old', user: { 'auth-provider': { name: 'oidc', config: { 'auth-flow': 'remote-browser', 'client-id': 'x' } } } },
        { name: 'kubelogin', user: { exec: { command: 'kubectl', args: ['oidc-login', 'get-token', '--oidc-issuer-url=https://acme.eu.auth0.com/'] } } },
        { name: 'basic', user: { username: 'ACME/alice', password: 'p' } },
        { name: 'keycloak', user: { 'auth-provider': { name: 'oidc', config: researcherUser(input).user['auth-provider'].config } } },
        { name: 'token', user: { token: 'abc' } },
        null,
        { name: 'broken', user: 'x' },
      ],
    };
    const found = auth0Users(cfg, '/k');
    expect(found.map((f) => f.name)).toEqual(['old', 'kubelogin', 'basic']);
    expect(found[0]!.reasons[0]).toContain('auth-flow remote-browser without idp-issuer-url or realm');
    expect(found[1]!.reasons[0]).toBe('exec plugin kubectl uses https://acme.eu.auth0.com/ (Auth0)');
    expect(found[2]!.reasons[0]).toContain('<TENANT>/<user>');
    expect(auth0Users({ users: 'nope' }, '/k')).toEqual([]);
    expect(auth0Users(null, '/k')).toEqual([]);
    // app.run.ai's Keycloak issuer (…/auth/realms/x) is not the connector's redirect
    expect(auth0Users({ users: [{ name: 'saas', user: { 'auth-provider': { config: { 'auth-flow': 'remote-browser', realm: 'x', 'idp-issuer-url': 'https://app.run.ai/auth/realms/x', 'redirect-uri': 'https://app.run.ai/oauth-code' } } } }] }, '/k')).toEqual([]);
  });

  it('tells tenant-prefixed login names from plain ones', () => {
    expect(tenantLogin('ACME/alice')).toEqual({ tenant: 'ACME', user: 'alice' });
    for (const plain of ['alice', 'alice@corp.example', 'CORP\\alice', 'a/b/c', '/alice', 'ACME/']) expect(tenantLogin(plain), plain).toBeUndefined();
    expect(tenantLoginFinding('ACME/alice', '--verify-user ACME/alice')?.reasons[0]).toContain('the login name is "alice"');
    expect(tenantLoginFinding('alice', 'x')).toBeUndefined();
    expect(migrationAdvice('sAMAccountName', 'https://kc/auth').join('\n')).toMatch(/plain sAMAccountName[\s\S]*Run:AI UI[\s\S]*dirlink kubeconfig --keycloak-url https:\/\/kc\/auth --write \(/);
    expect(migrationAdvice('uid', 'https://kc', ['runai-authenticated-user', 'r2', 'r2'])[2]).toContain(
      'dirlink kubeconfig --keycloak-url https://kc --write ; dirlink kubeconfig --keycloak-url https://kc --write --user-name r2 (',
    );
  });
});

describe('the researcher inputs', () => {
  it('default to the Run:AI names and validate flow and redirect URI where they enter', () => {
    expect(toSettings(fromFlags({ keycloakUrl: 'https://kc' })).researcher).toEqual({ clientId: 'runai-cli', userName: 'runai-authenticated-user', authFlow: 'remote-browser', redirectUri: undefined });
    expect(toSettings(validateInputs(fromEnv({ DIRLINK_AUTH_FLOW: 'CLI', DIRLINK_CLI_CLIENT_ID: 'runai' }))).researcher).toMatchObject({ authFlow: 'cli', clientId: 'runai' });
    expect(validators.authFlow('browser')).toMatchObject({ ok: false, reason: 'must be remote-browser or cli' });
    expect(validators.redirectUri(' https://runai.corp/oauth-code ')).toEqual({ ok: true, value: 'https://runai.corp/oauth-code' });
    expect(validators.redirectUri('ftp://x/y')).toMatchObject({ ok: false });
    expect(() => validateInputs(merge(fromFlags({ redirectUri: 'not a url' })))).toThrow(/redirect URI \(--redirect-uri\)/);
  });
});
