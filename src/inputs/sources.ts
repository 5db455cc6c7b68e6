// Where values come from: flags > environment > config file > defaults (prompts fill the rest in
// interactive mode). Each value remembers its source, so errors can say "from DIRLINK_LDAP_URL".
import { readFileSync } from 'node:fs';
import { FIELDS, FIELD_BY_KEY, type Field, type FieldKey } from './fields.js';
import { UsageError } from '../errors.js';

export type Source = 'flag' | 'env' | 'config' | 'default' | 'prompt' | 'discovered';

export interface Value {
  value: string | boolean;
  source: Source;
  /** e.g. "--ldap-url", "DIRLINK_LDAP_URL", "config ldap.url" */
  origin: string;
}

export type Inputs = Partial<Record<FieldKey, Value>>;

/** Strips the one trailing newline an editor or `echo` leaves in a secret file. */
export function readSecretFile(path: string, field: Field): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError('input.secret-file', `cannot read the ${field.label} file ${path} (${(e as NodeJS.ErrnoException).code ?? 'error'})`, {
      field: field.key,
      hint: `check the path given to ${field.flag}`,
    });
  }
  const value = text.replace(/\r?\n$/, '');
  if (value === '') {
    throw new UsageError('input.secret-empty', `the ${field.label} file ${path} is empty`, { field: field.key, hint: `put the secret in ${path}` });
  }
  return value;
}

function parseBoolean(raw: string, field: Field, origin: string): boolean {
  const v = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off', ''].includes(v)) return false;
  throw new UsageError('input.invalid', `${origin}: "${raw}" is not a boolean for ${field.label}`, { field: field.key, hint: 'use true or false' });
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

function flatten(obj: Record<string, unknown>, prefix = ''): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) out.push(...flatten(v as Record<string, unknown>, key));
    else out.push([key, v]);
  }
  return out;
}

export async function fromConfigFile(path: string): Promise<Inputs> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError('config.unreadable', `cannot read the config file ${path} (${(e as NodeJS.ErrnoException).code ?? 'error'})`, {
      field: 'config',
      hint: 'check the path given to --config',
    });
  }
  let doc: unknown;
  try {
    if (/\.json$/i.test(path)) doc = JSON.parse(text);
    else {
      const { parse } = await import('yaml');
      doc = parse(text, { prettyErrors: true, uniqueKeys: true });
    }
  } catch (e) {
    const msg = (e as Error).message.split('\n')[0];
    throw new UsageError('config.syntax', `the config file ${path} is not valid ${/\.json$/i.test(path) ? 'JSON' : 'YAML'}: ${msg}`, {
      field: 'config',
      hint: 'see templates/dirlink.example.yaml for the format',
    });
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    throw new UsageError('config.shape', `the config file ${path} must be a mapping of sections (ldap, keycloak, kubernetes, verify, researcher)`, { field: 'config' });
  }
  const out: Inputs = {};
  for (const [key, raw] of flatten(doc as Record<string, unknown>)) {
    const origin = `config ${key}`;
    const secret = SECRET_VALUE_KEYS.get(key);
    if (secret) {
      throw new UsageError('config.secret-inline', `${path}: ${key} would keep a secret in the config file`, {
        field: secret.key,
        hint: `put it in a file and set ${secret.configKey}, or use ${secret.env}`,
      });
    }
    const f = CONFIG_KEYS.get(key);
    if (!f) {
      throw new UsageError('config.unknown-key', `${path}: unknown key "${key}"`, {
        field: 'config',
        hint: `known keys: ${[...CONFIG_KEYS.keys()].join(', ')}`,
      });
    }
    if (raw === null || raw === undefined) continue;
    if (f.type === 'boolean') {
      if (typeof raw !== 'boolean') throw new UsageError('config.type', `${path}: ${key} must be true or false`, { field: f.key });
      out[f.key] = { value: raw, source: 'config', origin };
    } else if (f.type === 'secret') {
      if (typeof raw !== 'string') throw new UsageError('config.type', `${path}: ${key} must be a file path`, { field: f.key });
      out[f.key] = { value: readSecretFile(raw, f), source: 'config', origin };
    } else {
      if (typeof raw !== 'string' && !(typeof raw === 'number' && f.type === 'duration')) {
        throw new UsageError('config.type', `${path}: ${key} must be a string`, { field: f.key });
      }
      out[f.key] = { value: String(raw), source: 'config', origin };
    }
  }
  return out;
}

/** Values given on the command line; `secretFiles` are already read by the CLI edge. */
export function fromFlags(flags: Partial<Record<FieldKey, string | boolean>>): Inputs {
  const out: Inputs = {};
  for (const [key, value] of Object.entries(flags) as [FieldKey, string | boolean | undefined][]) {
    if (value === undefined) continue;
    const f = FIELD_BY_KEY[key];
    out[key] = { value, source: 'flag', origin: f.flag ?? key };
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
