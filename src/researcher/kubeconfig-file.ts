// Reading and merging kubeconfig files without @kubernetes/client-node (≈115 MB of memory for what
// is a small YAML file): the `yaml` package's Document keeps comments, key order and scalar styles,
// so merging one user entry leaves the rest of a person's kubeconfig as it was. Writes are atomic
// (temporary file + rename, original mode) and keep a timestamped backup of the file they replace.
import { chmodSync, closeSync, constants, copyFileSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, realpathSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { isMap, isSeq, parseDocument, type Document, type ToStringOptions, type YAMLMap } from 'yaml';
import { KubeError, UsageError } from '../errors.js';
import type { KubeconfigUser } from './template.js';

// the loading order is the Kubernetes step's (kubectl's rules live in one place)
export { kubeconfigChain } from '../kubernetes/kubeconfig.js';

function configError(code: string, message: string, hint: string, cause?: unknown): KubeError {
  return new KubeError(code, message, { field: 'kubeconfig', hint, cause });
}

/** True when the text is a JSON document (kubeconfigs may be JSON; writing it back as JSON keeps it so). */
const isJson = (text: string) => /^\s*\{/.test(text);

/** Parses a kubeconfig (YAML or JSON) into a Document; an unreadable one is exit 5 with the file named. */
export function parseKubeconfig(text: string, file: string): Document {
  const doc = parseDocument(text, { uniqueKeys: false });
  if (doc.errors.length) {
    throw configError('kube.config', `the kubeconfig ${file} is not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}`, 'Fix it (kubectl config view --kubeconfig FILE shows what kubectl makes of it), or name another file.');
  }
  if (doc.contents !== null && !isMap(doc.contents)) {
    throw configError('kube.config', `the kubeconfig ${file} is not a mapping (apiVersion, kind, clusters, contexts, users)`, 'Name a kubeconfig file.');
  }
  return doc;
}

/** The file's parsed content as plain data, or undefined when it does not exist. */
export function readKubeconfigData(file: string): Record<string, unknown> | undefined {
  if (!existsSync(file)) return undefined;
  const doc = parseKubeconfig(readFileSync(file, 'utf8'), file);
  return (doc.toJS() ?? {}) as Record<string, unknown>;
}

const named = (list: unknown, name: string): boolean =>
  Array.isArray(list) && list.some((e) => (e as { name?: unknown } | null)?.name === name);

/**
 * Where a new or changed user goes, by kubectl's rule for `kubectl config set-credentials`: the file
 * that already defines the user, else the first file that exists, else the last one of the chain.
 */
export function writeTarget(chain: string[], userName: string): string {
  for (const f of chain) {
    if (existsSync(f) && named(readKubeconfigData(f)?.users, userName)) return f;
  }
  return chain.find((f) => existsSync(f)) ?? chain[chain.length - 1]!;
}

export interface MergeResult {
  text: string;
  /** false: the file already had this user (and context) exactly; nothing needs writing */
  changed: boolean;
  /** a user with this name existed and was replaced */
  replaced: boolean;
  /** the context pointed at the user, and the user it pointed at before */
  context?: { name: string; previousUser?: string };
}

/**
 * The formatting options that reproduce this file best (kubectl writes "- " flush with the parent
 * key, other tools indent it), so that only the merged entry differs in the written file.
 */
function styleOf(doc: Document, original: string): ToStringOptions {
  const lines = new Set(original.split('\n'));
  let best: ToStringOptions = { lineWidth: 0, indentSeq: false };
  let bestScore = -1;
  for (const indent of [2, 4]) {
    for (const indentSeq of [false, true]) {
      const o: ToStringOptions = { lineWidth: 0, indent, indentSeq };
      const out = doc.toString(o);
      if (out === original) return o;
      const score = out.split('\n').filter((l) => lines.has(l)).length;
      if (score > bestScore) {
        best = o;
        bestScore = score;
      }
    }
  }
  return best;
}

function contextNames(contexts: unknown): string[] {
  return Array.isArray(contexts) ? contexts.map((c) => String((c as { name?: unknown } | null)?.name ?? '')).filter(Boolean) : [];
}

function noContext(file: string, name: string, names: string[]): UsageError {
  return new UsageError('kubeconfig.context-missing', `${file} has no context named "${name}"`, {
    hint: names.length ? `use one of: ${names.join(', ')} (--context), or leave --context out and point a context at the user later` : 'leave --context out, or name a kubeconfig that has the context',
    data: { contexts: names },
  });
}

/** JSON kubeconfigs stay JSON, with the file's own indentation. */
function mergeJson(text: string, entry: KubeconfigUser, file: string, context?: string): MergeResult {
  let cfg: Record<string, unknown>;
  try {
    cfg = JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw configError('kube.config', `the kubeconfig ${file} is not valid JSON: ${(e as Error).message}`, 'Fix it, or name another file.');
  }
  const users = Array.isArray(cfg.users) ? (cfg.users as KubeconfigUser[]) : [];
  const at = users.findIndex((u) => u?.name === entry.name);
  let changed = false;
  if (at < 0) {
    users.push(entry);
    changed = true;
  } else if (!isDeepStrictEqual(users[at]!.user, entry.user)) {
    users[at] = { ...users[at]!, user: entry.user };
    changed = true;
  }
  cfg.users = users;
  let ctx: MergeResult['context'];
  if (context) {
    const list = Array.isArray(cfg.contexts) ? (cfg.contexts as { name?: string; context?: { user?: string } }[]) : [];
    const c = list.find((x) => x?.name === context);
    if (!c) throw noContext(file, context, contextNames(list));
    ctx = { name: context, previousUser: c.context?.user };
    if (c.context?.user !== entry.name) {
      c.context = { ...c.context, user: entry.name };
      changed = true;
    }
  }
  const indent = /\n( +)"/.exec(text)?.[1]?.length ?? 2;
  return { text: `${JSON.stringify(cfg, null, indent)}\n`, changed, replaced: at >= 0, context: ctx };
}

/**
 * Merges the user into a kubeconfig's text (undefined: a new file). A user of the same name is
 * replaced in place (its position and comments stay); everything else is left as parsed.
 */
export function mergeUser(text: string | undefined, entry: KubeconfigUser, o: { file: string; context?: string }): MergeResult {
  if (text !== undefined && isJson(text)) return mergeJson(text, entry, o.file, o.context);
  const source = text ?? '';
  const doc = source.trim() === '' ? parseDocument('apiVersion: v1\nkind: Config\npreferences: {}\n') : parseKubeconfig(source, o.file);
  // a file of comments only: start the mapping under them
  if (doc.contents === null) doc.contents = doc.createNode({ apiVersion: 'v1', kind: 'Config' }) as YAMLMap;
  const style = source.trim() === '' ? { lineWidth: 0, indentSeq: false } : styleOf(doc, source);
  const before = (doc.toJS() ?? {}) as { users?: unknown };

  let changed = source.trim() === '';
  let replaced = false;
  const users = doc.get('users', true);
  if (isSeq(users)) {
    const item = users.items.find((u) => isMap(u) && u.get('name') === entry.name) as YAMLMap | undefined;
    if (item) {
      replaced = true;
      const now = (before.users as { name?: unknown; user?: unknown }[]).find((u) => u?.name === entry.name)?.user;
      if (!isDeepStrictEqual(now, entry.user)) {
        item.set('user', doc.createNode(entry.user));
        changed = true;
      }
    } else {
      users.add(doc.createNode(entry));
      changed = true;
    }
  } else {
    // no users yet (or `users: null`, as kubectl writes for an empty list)
    doc.set('users', doc.createNode([entry]));
    changed = true;
  }

  let ctx: MergeResult['context'];
  if (o.context) {
    const contexts = doc.get('contexts', true);
    const list = isSeq(contexts) ? contexts.items.filter(isMap) : [];
    const c = list.find((x) => x.get('name') === o.context);
    if (!c) throw noContext(o.file, o.context, list.map((x) => String(x.get('name') ?? '')).filter(Boolean));
    const previousUser = c.getIn(['context', 'user']);
    ctx = { name: o.context, previousUser: typeof previousUser === 'string' ? previousUser : undefined };
    if (previousUser !== entry.name) {
      if (isMap(c.get('context', true))) c.setIn(['context', 'user'], entry.name);
      else c.set('context', doc.createNode({ user: entry.name }));
      changed = true;
    }
  }
  return { text: doc.toString(style), changed, replaced, context: ctx };
}

/** `config.dirlink-backup-20260721T120000Z` (then -2, -3 … when that name is taken). */
export function backupName(file: string, now: Date): string {
  const ts = now.toISOString().replace(/\.\d+Z$/, 'Z').replace(/[-:]/g, '');
  let name = `${file}.dirlink-backup-${ts}`;
  for (let n = 2; existsSync(name); n++) name = `${file}.dirlink-backup-${ts}-${n}`;
  return name;
}

export interface WriteResult {
  /** the file written (a symlink's target, so the link stays a link) */
  file: string;
  backup?: string;
  mode: number;
}

/**
 * Backs the file up (same bytes, same mode), then replaces it atomically: a temporary file in the
 * same directory, flushed, given the original mode, renamed over it. A reader (kubectl in another
 * terminal) sees the old file or the new one, never half of one.
 */
export function writeKubeconfig(file: string, text: string, now: Date): WriteResult {
  const exists = existsSync(file);
  const target = exists ? realpathSync(file) : file;
  const mode = exists ? statSync(target).mode & 0o7777 : 0o600;
  const fail = (what: string, e: unknown) =>
    configError('kube.config-write', `cannot ${what} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, `Check the permissions of ${dirname(target)}, or name another file with --write FILE.`, e);

  let backup: string | undefined;
  if (exists) {
    backup = backupName(target, now);
    try {
      copyFileSync(target, backup, constants.COPYFILE_EXCL);
      chmodSync(backup, mode);
    } catch (e) {
      throw fail(`back up ${target} to ${backup}`, e);
    }
  } else {
    try {
      // ~/.kube the way kubectl creates it
      mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
    } catch (e) {
      throw fail(`create ${dirname(target)}`, e);
    }
  }
  const tmp = join(dirname(target), `.${basename(target)}.dirlink-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  try {
    const fd = openSync(tmp, 'wx', mode);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    chmodSync(tmp, mode); // the umask may have narrowed the mode given to open
    renameSync(tmp, target);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      /* never created */
    }
    throw fail(`write ${target}`, e);
  }
  return { file: target, backup, mode };
}
