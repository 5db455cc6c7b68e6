// Where values come from: flags > environment > config file > defaults (prompts fill the rest in
// interactive mode). Each value remembers its source, so errors can say "from DIRLINK_LDAP_URL".
import { closeSync, openSync, readSync } from 'node:fs';
import { FIELDS, FIELD_BY_KEY, type Field, type FieldKey } from './fields.js';
import { UsageError, shown } from '../errors.js';

export type Source = 'flag' | 'env' | 'config' | 'default' | 'prompt' | 'discovered';

export interface Value {
  value: string | boolean;
  source: Source;
  /** e.g. "--ldap-url", "DIRLINK_LDAP_URL", "config ldap.url" */
  origin: string;
}

export type Inputs = Partial<Record<FieldKey, Value>>;

/** Secrets are passwords and client secrets; a config file is a few dozen lines. */
export const MAX_SECRET_BYTES = 64 * 1024;
const MAX_CONFIG_BYTES = 1024 * 1024;

/**
 * Reads a whole file, but no more than `max` bytes: a wrong path such as /dev/zero or /dev/urandom
 * (a device, not a file) would otherwise be read until memory runs out. Beyond `max` it throws
 * with code EFBIG. Pipes and process substitutions (`<(pass show x)`) still work.
 */
export function readLimited(path: string, max: number): string {
  const fd = openSync(path, 'r');
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      // every byte kept is one read() just wrote: no need to zero the chunk first
      const chunk = Buffer.allocUnsafe(16 * 1024);
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      total += n;
      if (total > max) throw Object.assign(new Error(`more than ${max} bytes`), { code: 'EFBIG' });
      chunks.push(chunk.subarray(0, n));
    }
    return Buffer.concat(chunks).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

const tooBig = (e: unknown) => (e as NodeJS.ErrnoException).code === 'EFBIG';

/**
 * Reads a secret from the file named by `origin` (a flag such as --bind-password-file, or a config
 * key); errors name that origin, since the same secret can come from several places.
 * Strips the one trailing newline an editor or `echo` leaves in a secret file.
 */
export function readSecretFile(path: string, field: Field, origin = field.flag ?? field.key): string {
  let text: string;
  try {
    text = readLimited(path, MAX_SECRET_BYTES);
  } catch (e) {
    if (tooBig(e)) {
      throw new UsageError('input.secret-file', `${origin}: ${shown(path)} is larger than ${MAX_SECRET_BYTES / 1024} KiB, which no ${field.label} is`, {
        field: field.key,
        hint: `give ${origin} the file that holds only the ${field.label}`,
      });
    }
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    // A value that names no existing file may be the secret itself, typed where its file's path
    // belongs: it is not repeated in the message.
    if (!['EACCES', 'EISDIR', 'EPERM'].includes(code)) {
      throw new UsageError('input.secret-file', `${origin}: no ${field.label} file by that name (${code}; the value is not shown in case it is the ${field.label} itself)`, {
        field: field.key,
        hint: `${origin} takes the path of a file holding the ${field.label}${field.env ? `; or set ${field.env}` : ''}`,
      });
    }
    throw new UsageError('input.secret-file', `${origin}: cannot read the ${field.label} file ${shown(path)} (${code})`, {
      field: field.key,
      hint: `check the path given to ${origin}`,
    });
  }
  const value = text.replace(/\r?\n$/, '');
  if (value === '') {
    throw new UsageError('input.secret-empty', `${origin}: the ${field.label} file ${shown(path)} is empty`, { field: field.key, hint: `put the secret in ${shown(path)}` });
  }
  return value;
}

function parseBoolean(raw: string, field: Field, origin: string): boolean {
  const v = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off', ''].includes(v)) return false;
  throw new UsageError('input.invalid', `${origin}: "${shown(raw)}" is not a boolean for ${field.label}`, { field: field.key, hint: 'use true or false' });
}

export function fromEnv(env: NodeJS.ProcessEnv): Inputs {
  const out: Inputs = {};
  for (const f of FIELDS) {
    if (!f.env) continue;
    const raw = env[f.env];
    if (raw === undefined || raw === '') continue;
    out[f.key] = { value: f.type === 'boolean' ? parseBoolean(raw, f, f.env) : raw, source: 'env', origin: f.env };
  }
  return out;
}

// The config file mirrors the field table; anything else is a typo worth stopping for.
const CONFIG_KEYS = new Map(FIELDS.filter((f) => f.configKey).map((f) => [f.configKey!, f]));
const SECRET_VALUE_KEYS = new Map(FIELDS.filter((f) => f.type === 'secret' && f.configKey).map((f) => [f.configKey!.replace(/File$/, ''), f]));

const SECTIONS = [...new Set([...CONFIG_KEYS.keys()].map((k) => k.split('.')[0]!))];

/** Optimal-string-alignment distance: edits, with a swap of two neighbours counting as one. */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/** The known name a typo most likely meant (case, "-" and "_" ignored), if it is close enough. */
export function nearest(typo: string, known: readonly string[]): string | undefined {
  const norm = (x: string) => x.toLowerCase().replace(/[-_ ]/g, '');
  const t = norm(typo).slice(0, 64);
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const n = norm(k);
    // "usernameAttr" for usernameAttribute, "username" for user: a cut-short or padded name counts as one edit
    const contained = Math.min(t.length, n.length) >= 3 && (n.includes(t) || t.includes(n));
    const dist = contained ? Math.min(1, distance(t, n)) : distance(t, n);
    if (dist < bestD) [best, bestD] = [k, dist];
  }
  return bestD <= Math.max(1, Math.floor(t.length / 3)) ? best : undefined;
}

/** "did you mean ...": the key in the same section, else the same name in another section. */
function unknownKeyHint(section: string, name: string): string {
  const leaves = [...CONFIG_KEYS.keys()].filter((k) => k.startsWith(`${section}.`)).map((k) => k.slice(section.length + 1));
  const secrets = [...SECRET_VALUE_KEYS.keys()].filter((k) => k.startsWith(`${section}.`)).map((k) => k.slice(section.length + 1));
  const here = nearest(name, [...secrets, ...leaves]);
  const secret = here && SECRET_VALUE_KEYS.get(`${section}.${here}`);
  if (secret) return `if this is the ${secret.label}: it does not go in the config file; put it in a file and set ${secret.configKey}, or use ${secret.env}`;
  if (here) return `did you mean ${section}.${here}?`;
  const elsewhere = [...CONFIG_KEYS.keys()].find((k) => nearest(name, [k.split('.')[1]!]) !== undefined);
  if (elsewhere) return `did you mean ${elsewhere}? (it belongs in the ${elsewhere.split('.')[0]} section)`;
  return `the ${section} keys are ${leaves.join(', ')}`;
}

const kindOf = (v: unknown) =>
  Array.isArray(v) ? 'a list' : v instanceof Uint8Array ? 'binary data' : v === null ? 'null' : typeof v === 'object' ? 'a mapping' : typeof v === 'string' ? 'a string' : `a ${typeof v}`;

/**
 * The file's [section.key, value] pairs. The format is exactly two levels deep, so the walk is
 * too: a mapping where a value belongs is a type error, not something to descend into (a
 * self-referencing YAML alias or 100,000 nested JSON objects would overflow the stack), and an
 * empty mapping under an unknown key is still an unknown key.
 */
function entries(doc: Record<string, unknown>, path: string): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (const [section, body] of Object.entries(doc)) {
    if (!SECTIONS.includes(section)) {
      const meant = nearest(section, SECTIONS);
      const flat = CONFIG_KEYS.has(section) ? section : undefined;
      throw new UsageError('config.unknown-key', `${shown(path)}: unknown section "${shown(section)}"`, {
        field: 'config',
        hint: flat
          ? `nest the key: "${flat.split('.')[0]}:" and under it "  ${flat.split('.')[1]}: ..." (see templates/dirlink.example.yaml)`
          : meant
            ? `did you mean ${meant}?`
            : `the sections are ${SECTIONS.join(', ')} (see templates/dirlink.example.yaml)`,
      });
    }
    if (body === null || body === undefined) continue;
    if (typeof body !== 'object' || Array.isArray(body)) {
      throw new UsageError('config.type', `${shown(path)}: ${section} must be a mapping of ${section}.* keys, not ${kindOf(body)}`, {
        field: 'config',
        hint: `write it as "${section}:" followed by indented keys (see templates/dirlink.example.yaml)`,
      });
    }
    for (const [k, v] of Object.entries(body as Record<string, unknown>)) out.push([`${section}.${k}`, v]);
  }
  return out;
}

/**
 * Where JSON.parse stopped, without its message: V8 quotes the text around the error
 * (`Unexpected token 'h', ..."ordFile": hunter2"...`), which may be a secret typed into the file.
 * (yaml's first message line names only the problem and its line and column.)
 */
function jsonSyntax(e: Error, text: string): string {
  const at = /position (\d+)/.exec(e.message);
  if (!at) return 'a syntax error (the parser\'s quote of the file is not repeated: it may hold a secret)';
  const before = text.slice(0, Number(at[1]));
  const line = before.split('\n').length;
  return `a syntax error at line ${line}, column ${before.length - before.lastIndexOf('\n')}`;
}

export async function fromConfigFile(path: string): Promise<Inputs> {
  let text: string;
  try {
    text = readLimited(path, MAX_CONFIG_BYTES);
  } catch (e) {
    throw new UsageError('config.unreadable', `cannot read the config file ${shown(path)} (${tooBig(e) ? 'larger than 1 MiB' : ((e as NodeJS.ErrnoException).code ?? 'error')})`, {
      field: 'config',
      hint: 'check the path given to --config',
    });
  }
  let doc: unknown;
  try {
    // an editor on Windows may start the file with a byte-order mark, which JSON.parse rejects
    if (/\.json$/i.test(path)) doc = JSON.parse(text.replace(/^\uFEFF/, ''));
    else {
      const { parseDocument } = await import('yaml');
      // parseDocument, not parse: parse() prints warnings (an unresolved tag such as !foo) through
      // process.emitWarning and carries on; here a warning is as fatal as an error.
      const parsed = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
      const problem = parsed.errors[0] ?? parsed.warnings[0];
      if (problem) throw problem;
      doc = parsed.toJS({ maxAliasCount: 100 });
    }
  } catch (e) {
    const msg = /\.json$/i.test(path) ? jsonSyntax(e as Error, text) : (e as Error).message.split('\n')[0];
    throw new UsageError('config.syntax', `the config file ${shown(path)} is not valid ${/\.json$/i.test(path) ? 'JSON' : 'YAML'}: ${shown(msg ?? '', 300)}`, {
      field: 'config',
      hint: 'see templates/dirlink.example.yaml for the format',
    });
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    throw new UsageError('config.shape', `the config file ${shown(path)} must be a mapping of sections (${SECTIONS.join(", ")})`, { field: 'config' });
  }
  const out: Inputs = {};
  for (const [key, raw] of entries(doc as Record<string, unknown>, path)) {
    const origin = `config ${key}`;
    const secret = SECRET_VALUE_KEYS.get(key);
    if (secret) {
      throw new UsageError('config.secret-inline', `${shown(path)}: ${key} would keep a secret in the config file`, {
        field: secret.key,
        hint: `put it in a file and set ${secret.configKey}, or use ${secret.env}`,
      });
    }
    const f = CONFIG_KEYS.get(key);
    if (!f) {
      const [section, ...rest] = key.split('.');
      throw new UsageError('config.unknown-key', `${shown(path)}: unknown key "${shown(key)}"`, {
        field: 'config',
        hint: unknownKeyHint(section!, rest.join('.')),
      });
    }
    if (raw === null || raw === undefined) continue;
    if (f.type === 'boolean') {
      if (typeof raw !== 'boolean') throw new UsageError('config.type', `${shown(path)}: ${key} must be true or false, not ${kindOf(raw)}`, { field: f.key });
      out[f.key] = { value: raw, source: 'config', origin };
    } else if (f.type === 'secret') {
      if (typeof raw !== 'string') throw new UsageError('config.type', `${shown(path)}: ${key} must be a file path, not ${kindOf(raw)}`, { field: f.key });
      out[f.key] = { value: readSecretFile(raw, f, origin), source: 'config', origin };
    } else {
      if (typeof raw !== 'string' && !(typeof raw === 'number' && f.type === 'duration')) {
        throw new UsageError('config.type', `${shown(path)}: ${key} must be a string, not ${kindOf(raw)}`, { field: f.key });
      }
      out[f.key] = { value: String(raw), source: 'config', origin };
    }
  }
  return out;
}

/**
 * Values given on the command line; `secretFiles` are already read by the CLI edge. `spelled`
 * names the flag a value was typed with when it was not the field's own (an alias such as
 * scim-check's --url), so an error names what the user typed.
 */
export function fromFlags(flags: Partial<Record<FieldKey, string | boolean>>, spelled: Partial<Record<FieldKey, string>> = {}): Inputs {
  const out: Inputs = {};
  for (const [key, value] of Object.entries(flags) as [FieldKey, string | boolean | undefined][]) {
    if (value === undefined) continue;
    const f = FIELD_BY_KEY[key];
    out[key] = { value, source: 'flag', origin: spelled[key] ?? f.flag ?? key };
  }
  return out;
}

export function defaults(): Inputs {
  const out: Inputs = {};
  for (const f of FIELDS) {
    if (f.default !== undefined) out[f.key] = { value: f.default, source: 'default', origin: 'default' };
  }
  return out;
}

/** Later arguments win: merge(defaults, config, env, flags). */
export function merge(...layers: Inputs[]): Inputs {
  return Object.assign({}, ...layers) as Inputs;
}
