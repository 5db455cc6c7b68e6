// Malformed config files: broken YAML, values of the wrong type, unknown keys (with the key they
// meant), secrets written into the file, alias bombs and paths that are not config files. Every
// one ends with exit 2 naming the file or the key, no stack trace, and no connection.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FIELDS } from '../../src/inputs/fields.js';
import { baseline, commandFor, dirlink, expectRefused, type Run } from './harness.js';
import { path as badPath } from './malformed.js';
import { RUNS, useWorld } from './properties.js';

const world = useWorld();
const CONFIG_FIELDS = FIELDS.filter((f) => f.configKey);
const KEYS = CONFIG_FIELDS.map((f) => f.configKey!);
const SECRET_VALUE_KEYS = CONFIG_FIELDS.filter((f) => f.type === 'secret').map((f) => f.configKey!.replace(/File$/, ''));
const SECTIONS = [...new Set(KEYS.map((k) => k.split('.')[0]!))];
/** The command a section's keys are exercised through (that of its first field); `check` for a section that does not exist. */
const commandOfSection = (section: string): string => {
  const f = CONFIG_FIELDS.find((x) => x.configKey!.startsWith(`${section}.`));
  return f ? commandFor(f.key) : 'check';
};

let n = 0;
/** Runs `command` (default `check`) with every input it takes valid from flags/variables, except what the file sets. */
async function withConfig(text: string, o: { ext?: string; json?: boolean; unset?: string[]; command?: string } = {}): Promise<{ r: Run; path: string; before: number }> {
  const w = world();
  const path = join(w.dir, `cfg-${n++}.${o.ext ?? 'yaml'}`);
  writeFileSync(path, text);
  const unset = CONFIG_FIELDS.filter((f) => o.unset?.includes(f.configKey!)).map((f) => f.key);
  const command = o.command ?? 'check';
  const { args, env } = baseline(w, unset, command);
  const before = w.traffic();
  const r = await dirlink([command, '--non-interactive', ...(o.json ? ['--json'] : []), ...args, '--config', path], env);
  return { r, path, before };
}

const value = fc.constantFrom('ldap://dc1.corp.example:389', 'cn=readonly,dc=example,dc=org', 'runai', 'uid', '5m', 'ad');
const key = fc.constantFrom(...KEYS.filter((k) => !/File$|startTls|restart/.test(k)));
const indent = (k: string, v: string) => `${k.split('.')[0]}:\n  ${k.split('.')[1]}: ${v}\n`;

describe('YAML that does not parse', () => {
  const broken = fc.oneof(
    fc.tuple(key, value).map(([k, v]) => `${k.split('.')[0]}:\n\t${k.split('.')[1]}: ${v}\n`), // tab indentation
    fc.tuple(key, value, fc.constantFrom('"', "'")).map(([k, v, q]) => indent(k, `${q}${v}`)), // unclosed quote
    fc.tuple(key, value, value).map(([k, a, b]) => `${indent(k, a)}  ${k.split('.')[1]}: ${b}\n`), // duplicate key
    fc.tuple(key, value).map(([k, v]) => `${indent(k, v)}${k.split('.')[0]}:\n  x: y\n`), // duplicate section
    fc.tuple(key, value, fc.constantFrom('{', '[', '{a: [', '[{')).map(([k, v, open]) => indent(k, `${open}${v}`)), // unclosed flow
    fc.tuple(key, value).map(([k, v]) => `${indent(k, v)} ${k.split('.')[0]}x: ${v}\n`), // bad indentation
    fc.tuple(key, fc.constantFrom('*nope', '!foo x', '!!nope x', '@x', '`x', 'a: b', '&', '*', '!<tag:x> y', '%x')).map(([k, v]) => indent(k, v)),
    fc.tuple(key, value).map(([k, v]) => `${indent(k, v)}---\n${indent(k, v)}`), // two documents
    fc.tuple(key, value).map(([k, v]) => `%FOO bar\n---\n${indent(k, v)}`), // unknown directive
    fc.integer({ min: 2_000, max: 20_000 }).map((d) => `ldap:\n  url: ${'['.repeat(d)}${']'.repeat(d)}\n`), // deep flow nesting
    fc.tuple(key, value).map(([k, v]) => `${k.split('.')[0]}:\n  ${k.split('.')[1]}: ${v}\n    more: ${v}\n`), // value then mapping
  );
  it(`${RUNS} broken files are exit 2 naming the file`, async () => {
    await fc.assert(
      fc.asyncProperty(broken, fc.boolean(), async (text, json) => {
        const { r, path, before } = await withConfig(text, { json });
        expectRefused(r, { origin: path, json, trafficBefore: before, traffic: world().traffic() });
        if (json) expect(JSON.parse(r.stdout).error).toMatchObject({ code: 'config.syntax', field: 'config' });
      }),
      { numRuns: RUNS },
    );
  });

  it(`${RUNS} alias bombs (billion laughs) and self-references are refused, not expanded`, async () => {
    const laughs = fc.tuple(fc.integer({ min: 4, max: 12 }), fc.integer({ min: 4, max: 12 })).map(([depth, width]) => {
      const lines = [`a0: &a0 [${Array(width).fill('"lol"').join(', ')}]`];
      for (let i = 1; i < depth; i++) lines.push(`a${i}: &a${i} [${Array(width).fill(`*a${i - 1}`).join(', ')}]`);
      return `${lines.join('\n')}\nldap:\n  url: *a${depth - 1}\n`;
    });
    const cycles = fc.tuple(fc.constantFrom(...KEYS.map((k) => k.split('.')[0]!)), fc.constantFrom('self', 'x', 'url')).map(([s, k]) => `${s}: &x\n  ${k}: *x\n`);
    await fc.assert(
      fc.asyncProperty(fc.oneof(laughs.map((t) => ({ t, bomb: true })), cycles.map((t) => ({ t, bomb: false }))), async ({ t, bomb }) => {
        const { r, path, before } = await withConfig(t, { json: true });
        expectRefused(r, { origin: path, json: true, trafficBefore: before, traffic: world().traffic() });
        // 4^4 and more expansions: stopped by the parser's alias limit, before anything is built
        if (bomb) expect(JSON.parse(r.stdout).error.message).toMatch(/not valid YAML: Excessive alias count/);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('values of the wrong type', () => {
  const wrong = (type: string) =>
    fc.oneof(
      ...(type === 'boolean' ? [fc.constantFrom('true', 'yes', 'on', '1'), fc.integer(), fc.constant(1)] : []),
      ...(type === 'string' || type === 'secret' ? [fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean()] : type === 'duration' ? [fc.boolean()] : []),
      fc.array(fc.string({ maxLength: 8 }), { minLength: 0, maxLength: 3 }),
      fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), fc.string({ maxLength: 6 }), { maxKeys: 3 }),
    );
  const cases = fc.constantFrom(...CONFIG_FIELDS).chain((f) => fc.tuple(fc.constant(f), wrong(f.type)));
  it(`${RUNS} keys given a number, list, mapping or boolean where they take something else are exit 2 naming the key`, async () => {
    await fc.assert(
      fc.asyncProperty(cases, fc.constantFrom('yaml', 'json'), fc.boolean(), async ([f, v], ext, json) => {
        const [section, leaf] = f.configKey!.split('.') as [string, string];
        const text = JSON.stringify({ [section]: { [leaf]: v } }); // JSON is YAML too
        const { r, before } = await withConfig(text, { ext, json, unset: [f.configKey!], command: commandFor(f.key) });
        expectRefused(r, { origin: f.configKey!, field: f.key, json, trafficBefore: before, traffic: world().traffic() });
      }),
      { numRuns: RUNS },
    );
  });
  it('a section that is a scalar or a list names the section', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...SECTIONS), fc.oneof(fc.string({ minLength: 1 }), fc.integer(), fc.array(fc.integer(), { minLength: 1 })), async (section, v) => {
        const { r, path, before } = await withConfig(JSON.stringify({ [section]: v }), { ext: 'json', command: commandOfSection(section) });
        expectRefused(r, { origin: path, trafficBefore: before, traffic: world().traffic() });
        expect(r.stderr).toContain(`${section} must be a mapping`);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('unknown keys', () => {
  const norm = (s: string) => s.toLowerCase().replace(/[-_ ]/g, '');
  const taken = new Set([...KEYS, ...SECRET_VALUE_KEYS].map((k) => norm(k.split('.')[1]!)));
  /** Edits between a and b (Levenshtein), to leave out typos as close to another key as to their own. */
  const edits = (a: string, b: string): number => {
    let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      const cur = [i];
      for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
    return prev[b.length]!;
  };
  const ambiguous = (section: string, leaf: string, edited: string) =>
    KEYS.filter((k) => k.startsWith(`${section}.`) && k !== `${section}.${leaf}`).some((k) => edits(norm(edited), norm(k.split('.')[1]!)) <= 1);
  /** One edit away from a real key: a deletion, a swap of neighbours, an extra or changed letter, a "_". */
  const typo = fc
    .tuple(fc.constantFrom(...KEYS), fc.nat(), fc.constantFrom('delete', 'swap', 'insert', 'replace', 'underscore'), fc.constantFrom(...'aeiourstxz'))
    .map(([k, at, how, c]) => {
      const [section, leaf] = k.split('.') as [string, string];
      const i = at % leaf.length;
      const edited =
        how === 'delete' ? leaf.slice(0, i) + leaf.slice(i + 1)
        : how === 'swap' ? (i + 1 < leaf.length ? leaf.slice(0, i) + leaf[i + 1] + leaf[i] + leaf.slice(i + 2) : `${leaf}${c}`)
        : how === 'insert' ? leaf.slice(0, i) + c + leaf.slice(i)
        : how === 'replace' ? leaf.slice(0, i) + (leaf[i] === c ? 'q' : c) + leaf.slice(i + 1)
        : leaf.slice(0, i) + '_' + leaf.slice(i);
      return { section, leaf, edited };
    })
    .filter(({ section, leaf, edited }) => leaf.length >= 4 && !taken.has(norm(edited)) && !ambiguous(section, leaf, edited));
  it(`${RUNS} one-edit typos of real keys are exit 2 and the hint names the key that was meant`, async () => {
    await fc.assert(
      fc.asyncProperty(typo, fc.boolean(), async ({ section, leaf, edited }, json) => {
        const { r, path, before } = await withConfig(`${section}:\n  ${edited}: "x"\n`, { json, command: commandOfSection(section) });
        expectRefused(r, { origin: path, json, trafficBefore: before, traffic: world().traffic() });
        const out = json ? (JSON.parse(r.stdout) as { error: { hint: string } }).error.hint : r.stderr;
        expect(out).toContain(`${section}.${leaf}`);
      }),
      { numRuns: RUNS },
    );
  });
  it(`${RUNS} keys in the wrong section or sections that do not exist are exit 2 naming them`, async () => {
    const misplaced = fc
      .tuple(fc.constantFrom(...KEYS), fc.constantFrom(...SECTIONS))
      .filter(([k, s]) => !KEYS.includes(`${s}.${k.split('.')[1]}`) && !SECRET_VALUE_KEYS.includes(`${s}.${k.split('.')[1]}`))
      .map(([k, s]) => ({ text: JSON.stringify({ [s]: { [k.split('.')[1]!]: 'x' } }), named: `${s}.${k.split('.')[1]}`, hint: `.${k.split('.')[1]}`, command: commandOfSection(s) }));
    const sections = fc
      .oneof(fc.constantFrom('ldpa', 'LDAP', 'Keycloak', 'k8s', 'kube', 'verfy', 'url', 'ldap.url', 'SCIM', 'scim2', 'researchers', 'entra', '__proto__', 'constructor', 'toString', ''), fc.string({ minLength: 1, maxLength: 12 }))
      .filter((s) => !SECTIONS.includes(s))
      .map((s) => ({ text: JSON.stringify({ [s]: { url: 'x' } }), named: undefined, hint: undefined, command: 'check' }));
    await fc.assert(
      fc.asyncProperty(fc.oneof(misplaced, sections), async ({ text, named, hint, command }) => {
        const { r, path, before } = await withConfig(text, { ext: 'json', command });
        expectRefused(r, { origin: path, trafficBefore: before, traffic: world().traffic() });
        if (named) expect(r.stderr).toContain(`unknown key "${named}"`);
        if (hint) expect(r.stderr).toContain(hint);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('secrets written into the config file', () => {
  const secret = fc.string({ unit: 'grapheme-ascii', minLength: 4, maxLength: 30 }).map((s) => `S3cr3t-${s}`);
  it(`${RUNS} secrets given inline are refused with the fix, and never repeated`, async () => {
    const inline = fc.tuple(fc.constantFrom(...SECRET_VALUE_KEYS), secret, fc.constantFrom('plain', 'list', 'mapping'));
    await fc.assert(
      fc.asyncProperty(inline, fc.boolean(), async ([k, s, shape], json) => {
        const v = shape === 'plain' ? s : shape === 'list' ? [s] : { value: s };
        const f = CONFIG_FIELDS.find((x) => x.configKey === `${k}File`)!;
        const [section, leaf] = k.split('.') as [string, string];
        const { r, before } = await withConfig(JSON.stringify({ [section]: { [leaf]: v } }), { ext: 'json', json, command: commandFor(f.key) });
        expectRefused(r, { origin: k, field: f.key, json, trafficBefore: before, traffic: world().traffic() });
        const text = r.stdout + r.stderr;
        expect(text).toContain(f.configKey!);
        expect(text).toContain(f.env!);
        expect(text).not.toContain(s);
      }),
      { numRuns: RUNS },
    );
  });
  it(`${RUNS} secrets typed where the file's path belongs are refused and never repeated`, async () => {
    const inFileKey = fc.tuple(fc.constantFrom(...CONFIG_FIELDS.filter((f) => f.type === 'secret')), secret);
    await fc.assert(
      fc.asyncProperty(inFileKey, fc.boolean(), async ([f, s], json) => {
        fc.pre(!existsSync(s));
        const [section, leaf] = f.configKey!.split('.') as [string, string];
        const { r, before } = await withConfig(JSON.stringify({ [section]: { [leaf]: s } }), { ext: 'json', json, unset: [f.configKey!], command: commandFor(f.key) });
        expectRefused(r, { origin: f.configKey!, field: f.key, json, trafficBefore: before, traffic: world().traffic() });
        expect(r.stdout + r.stderr).not.toContain(s);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('--config paths that are not a config file', () => {
  it(`${RUNS} paths (missing, directories, devices, NUL, very long) are exit 2 naming --config`, async () => {
    const w = world();
    await fc.assert(
      fc.asyncProperty(badPath({ ldapPort: w.ldap.port, httpPort: w.http.port, dir: w.dir }), async (p) => {
        // /dev/null is an empty file: an empty config is allowed, and then the baseline reaches the recorders
        fc.pre(p !== '/dev/null');
        const { args, env } = baseline(w);
        const before = w.traffic();
        const r = await dirlink(['check', '--non-interactive', ...args, '--config', p], env);
        expectRefused(r, { origin: '--config', trafficBefore: before, traffic: w.traffic() });
      }),
      { numRuns: RUNS },
    );
  });
});
