import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIELDS, describeSources, FIELD_BY_KEY } from '../../src/inputs/fields.js';
import { defaults, fromConfigFile, fromEnv, fromFlags, merge } from '../../src/inputs/sources.js';
import { requireComplete, toSettings, validateInputs } from '../../src/inputs/resolve.js';
import { checkDn, parseDuration, validators } from '../../src/inputs/validate.js';
import { UsageError } from '../../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'dirlink-inputs-'));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe('validators', () => {
  it('normalises LDAP URLs and names what is wrong', () => {
    expect(validators.ldapUrl('dc1.corp.example')).toEqual({ ok: true, value: 'ldap://dc1.corp.example:389' });
    expect(validators.ldapUrl('dc1:3268')).toEqual({ ok: true, value: 'ldap://dc1:3268' });
    expect(validators.ldapUrl('LDAPS://DC1.Corp')).toEqual({ ok: true, value: 'ldaps://dc1.corp:636' });
    expect(validators.ldapUrl('http://dc1')).toMatchObject({ ok: false, reason: expect.stringContaining('ldap:// or ldaps://') });
    expect(validators.ldapUrl('ldap://dc1:70000')).toMatchObject({ ok: false, reason: expect.stringContaining('1 to 65535') });
    expect(validators.ldapUrl('ldap://dc1:389/dc=x')).toMatchObject({ ok: false, reason: expect.stringContaining('--users-dn') });
    expect(validators.ldapUrl('ldap://a b')).toMatchObject({ ok: false });
  });

  it('checks DN syntax the way a server would', () => {
    expect(checkDn('OU=People,DC=example,DC=test')).toBeUndefined();
    expect(checkDn('CN=Smith\\, John,OU=People,DC=x')).toBeUndefined();
    expect(checkDn('cn=a+sn=b,dc=x')).toBeUndefined();
    expect(checkDn('CN=x#,DC=\\41b')).toBeUndefined();
    expect(checkDn('People')).toMatch(/no "="/);
    expect(checkDn('OU=People,')).toMatch(/separator/);
    expect(checkDn('OU=,DC=x')).toMatch(/empty value/);
    expect(checkDn('1bad=x')).toMatch(/not an attribute name/);
    expect(checkDn('CN=a\\')).toMatch(/backslash/);
  });

  it('accepts AD bind names besides DNs', () => {
    expect(validators.bindDn('svc@example.test').ok).toBe(true);
    expect(validators.bindDn('EXAMPLE\\svc').ok).toBe(true);
    expect(validators.bindDn('svc').ok).toBe(false);
  });

  it('parses durations and rejects nonsense', () => {
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('1m30s')).toBe(90_000);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('12')).toBe(12_000);
    for (const bad of ['', '0', '-5s', '5 m', '5x', '25h', 'm5']) expect(parseDuration(bad), bad).toBeUndefined();
  });

  it('checks Kubernetes names, realms, vendors and attributes', () => {
    expect(validators.k8sName('runai-backend').ok).toBe(true);
    expect(validators.k8sName('Runai').ok).toBe(false);
    expect(validators.realm('run ai').ok).toBe(false);
    expect(validators.vendor('AD')).toEqual({ ok: true, value: 'ad' });
    expect(validators.vendor('ldap').ok).toBe(false);
    expect(validators.attribute('sAMAccountName').ok).toBe(true);
    expect(validators.attribute('mail)(uid=*').ok).toBe(false);
    expect(validators.httpUrl('https://kc.example/admin/').ok).toBe(false);
    expect(validators.httpUrl('https://kc.example/auth/')).toEqual({ ok: true, value: 'https://kc.example/auth' });
  });
});

describe('sources and precedence', () => {
  it('flags > env > config > defaults', async () => {
    const cfg = file('p.yaml', 'ldap:\n  url: ldap://from-config\n  usersDn: OU=Config,DC=x\nkeycloak:\n  realm: cfgrealm\n');
    const merged = merge(
      defaults(),
      await fromConfigFile(cfg),
      fromEnv({ DIRLINK_LDAP_URL: 'ldap://from-env', DIRLINK_REALM: 'envrealm' }),
      fromFlags({ realm: 'flagrealm' }),
    );
    expect(merged.ldapUrl).toMatchObject({ value: 'ldap://from-env', source: 'env', origin: 'DIRLINK_LDAP_URL' });
    expect(merged.usersDn).toMatchObject({ source: 'config', origin: 'config ldap.usersDn' });
    expect(merged.realm).toMatchObject({ value: 'flagrealm', source: 'flag' });
    expect(merged.namespace).toMatchObject({ value: 'runai-backend', source: 'default' });
  });

  it('reads secrets from files named in the config, and refuses inline secrets', async () => {
    const pw = file('pw', 's3cret-from-file\n');
    const ok = await fromConfigFile(file('a.yaml', `ldap:\n  bindPasswordFile: ${pw}\n`));
    expect(ok.bindPassword?.value).toBe('s3cret-from-file');
    await expect(fromConfigFile(file('b.yaml', 'ldap:\n  bindPassword: hunter2\n'))).rejects.toMatchObject({
      code: 'config.secret-inline',
      exitCode: 2,
    });
  });

  it('stops on unknown keys, wrong types and bad syntax, naming the key', async () => {
    await expect(fromConfigFile(file('c.yaml', 'ldap:\n  urll: x\n'))).rejects.toMatchObject({ code: 'config.unknown-key', message: expect.stringContaining('ldap.urll') });
    await expect(fromConfigFile(file('d.yaml', 'ldap:\n  startTls: "yes"\n'))).rejects.toMatchObject({ code: 'config.type' });
    await expect(fromConfigFile(file('e.yaml', 'ldap: [\n'))).rejects.toMatchObject({ code: 'config.syntax' });
    await expect(fromConfigFile(file('f.json', '{"ldap": '))).rejects.toMatchObject({ code: 'config.syntax', message: expect.stringContaining('JSON') });
    await expect(fromConfigFile(join(dir, 'missing.yaml'))).rejects.toBeInstanceOf(UsageError);
  });

  it('a JSON syntax error says where, never quoting the file (a secret may be typed into it)', async () => {
    const quoted = fromConfigFile(file('g.json', '{"ldap": {"bindPasswordFile": hunter2-Secret}}'));
    await expect(quoted).rejects.toMatchObject({ code: 'config.syntax', message: expect.not.stringContaining('hunter2') });
    await expect(fromConfigFile(file('h.json', '{\n  "ldap": {"url": "x" "y"}}'))).rejects.toMatchObject({ message: expect.stringContaining('line 2, column 23') });
    const yamlQuoted = fromConfigFile(file('i.yaml', 'ldap:\n  bindPasswordFile: [hunter2-Secret\n'));
    await expect(yamlQuoted).rejects.toMatchObject({ code: 'config.syntax', message: expect.not.stringContaining('hunter2') });
  });

  it('the example template uses only known keys', async () => {
    const { readFileSync } = await import('node:fs');
    const text = readFileSync(new URL('../../templates/dirlink.example.yaml', import.meta.url), 'utf8');
    // secret files of the template do not exist here: drop those lines, keep every other key
    const p = file('template.yaml', text.replace(/^.*File:.*$/gm, ''));
    const inputs = await fromConfigFile(p);
    expect(Object.keys(inputs).length).toBeGreaterThan(10);
    expect(() => validateInputs(inputs)).not.toThrow();
  });
});

describe('missing and invalid inputs', () => {
  it('lists every missing field with its flag and variable', () => {
    let err: UsageError | undefined;
    try {
      requireComplete('setup', merge(defaults(), fromFlags({ ldapUrl: 'ldap://x' })));
    } catch (e) {
      err = e as UsageError;
    }
    expect(err?.exitCode).toBe(2);
    expect(err?.message).toContain('--bind-dn / DIRLINK_BIND_DN');
    expect(err?.message).toContain('--bind-password-file FILE / --bind-password-stdin / DIRLINK_BIND_PASSWORD');
    expect(err?.message).toContain('--users-dn');
    expect(err?.message).toContain('--keycloak-url');
    expect(err?.message).toContain('--keycloak-password-file FILE / DIRLINK_KEYCLOAK_PASSWORD');
    expect(err?.message).not.toContain('--ldap-url');
  });

  it('a client id makes the client secret required instead of the admin password', () => {
    expect(() => requireComplete('status', fromFlags({ keycloakUrl: 'http://k', keycloakClientId: 'dirlink' }))).toThrow(/client secret/);
  });

  it('reports all invalid values together, naming where each came from', () => {
    expect(() => validateInputs(merge(fromEnv({ DIRLINK_LDAP_URL: 'http://x' }), fromFlags({ usersDn: 'People' })))).toThrow(
      /LDAP URL \(DIRLINK_LDAP_URL\)[\s\S]*users DN \(--users-dn\)/,
    );
  });

  it('vendor defaults pick the attributes', () => {
    expect(toSettings(fromFlags({ vendor: 'ad' })).ldap).toMatchObject({ usernameAttribute: 'sAMAccountName', emailAttribute: 'userPrincipalName' });
    expect(toSettings(fromFlags({ vendor: 'other' })).ldap).toMatchObject({ usernameAttribute: 'uid', emailAttribute: 'mail' });
  });

  it('every LDAP operation waits 10 s by default; --ldap-timeout / DIRLINK_LDAP_TIMEOUT change it', () => {
    expect(toSettings(merge(defaults(), fromFlags({ vendor: 'ad' }))).ldap.timeoutMs).toBe(10_000);
    expect(toSettings(merge(defaults(), fromEnv({ DIRLINK_LDAP_TIMEOUT: '2.5s' }), fromFlags({ vendor: 'ad' }))).ldap.timeoutMs).toBe(2500);
  });

  it('every field can be given by flag or environment, and the README names them', () => {
    for (const f of FIELDS) expect(f.flag ?? f.env, f.key).toBeTruthy();
    expect(describeSources(FIELD_BY_KEY.ldapUrl)).toBe('--ldap-url / DIRLINK_LDAP_URL / config ldap.url');
  });
});
