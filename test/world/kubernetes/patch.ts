// The three patch flavours the apiserver accepts for a Deployment (plus apply, approximated).
// Strategic merge is JSON merge patch plus keyed merging of the list fields Deployments carry
// (containers by name, ports by containerPort, ...) and the `$patch` directive; that is all the
// clients in this project (kubectl rollout restart, dirlink, client-node) ever send.
import type { Json, Obj } from './store.js';

export type PatchKind = 'json' | 'merge' | 'strategic' | 'apply';

export const PATCH_TYPES: Record<string, PatchKind> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
};

export class PatchError extends Error {
  constructor(readonly code: number, readonly reason: string, message: string) { super(message); }
}

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

// patchMergeKey of the list fields found in a Deployment (k8s.io/api struct tags)
const MERGE_KEYS: Record<string, string> = {
  containers: 'name', initContainers: 'name', ephemeralContainers: 'name', volumes: 'name', env: 'name',
  volumeMounts: 'mountPath', volumeDevices: 'devicePath', ports: 'containerPort', imagePullSecrets: 'name',
  tolerations: 'key', hostAliases: 'ip', conditions: 'type', topologySpreadConstraints: 'topologyKey',
};

export function mergePatch(target: Json | undefined, patch: Json): Json {
  if (!isObj(patch)) return patch;
  const out: Obj = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

export function strategicMerge(target: Json | undefined, patch: Json, field = ''): Json {
  if (Array.isArray(patch)) {
    const key = MERGE_KEYS[field];
    if (!key || !Array.isArray(target) || !patch.every(isObj)) return patch;
    const out = [...target] as Json[];
    for (const item of patch as Obj[]) {
      const idx = out.findIndex((t) => isObj(t) && t[key] === item[key]);
      if (item.$patch === 'delete') { if (idx >= 0) out.splice(idx, 1); continue; }
      if (idx >= 0) out[idx] = strategicMerge(out[idx], item);
      else out.push(strategicMerge(undefined, item));
    }
    return out;
  }
  if (!isObj(patch)) return patch;
  if (patch.$patch === 'replace') { const { $patch: _, ...rest } = patch; return rest; }
  if (patch.$patch === 'delete') return null;
  const out: Obj = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$')) continue; // $setElementOrder, $retainKeys, $deleteFromPrimitiveList: ordering hints only
    if (v === null) delete out[k];
    else out[k] = strategicMerge(out[k], v, k);
  }
  return out;
}

interface Op { op: string; path: string; from?: string; value?: Json }

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new PatchError(422, 'Invalid', `the server rejected our request due to an error in our request`);
  return path.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function walk(doc: Json, parts: string[], opName: string): { parent: Obj | Json[]; key: string } {
  let cur: Json = doc;
  for (const p of parts.slice(0, -1)) {
    const next: Json | undefined = Array.isArray(cur) ? cur[Number(p)] : isObj(cur) ? cur[p] : undefined;
    if (next === undefined) throw new PatchError(422, 'Invalid', `${opName} operation does not apply: doc is missing path: "/${parts.join('/')}": missing value`);
    cur = next;
  }
  if (!isObj(cur) && !Array.isArray(cur)) throw new PatchError(422, 'Invalid', `${opName} operation does not apply: doc is missing path: "/${parts.join('/')}": missing value`);
  return { parent: cur, key: parts[parts.length - 1] ?? '' };
}

export function jsonPatch(doc: Obj, ops: Op[]): Obj {
  const root = JSON.parse(JSON.stringify(doc)) as Obj;
  const get = (path: string): Json => {
    const parts = pointer(path);
    if (parts.length === 0) return root;
    const { parent, key } = walk(root, parts, 'get');
    const v = Array.isArray(parent) ? parent[Number(key)] : parent[key];
    if (v === undefined) throw new PatchError(422, 'Invalid', `doc is missing key: ${path}: missing value`);
    return v;
  };
  const put = (path: string, value: Json, insert: boolean): void => {
    const { parent, key } = walk(root, pointer(path), 'add');
    if (Array.isArray(parent)) {
      const i = key === '-' ? parent.length : Number(key);
      parent.splice(i, insert ? 0 : 1, value);
    } else parent[key] = value;
  };
  const remove = (path: string): void => {
    const { parent, key } = walk(root, pointer(path), 'remove');
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else if (key in parent) delete parent[key];
    else throw new PatchError(422, 'Invalid', `remove operation does not apply: doc is missing path: "${path}": missing value`);
  };
  for (const o of ops) {
    if (!o || typeof o.op !== 'string' || typeof o.path !== 'string') throw new PatchError(400, 'BadRequest', 'error decoding patch: invalid operation');
    switch (o.op) {
      case 'add': put(o.path, o.value ?? null, true); break;
      case 'replace': get(o.path); remove(o.path); put(o.path, o.value ?? null, true); break;
      case 'remove': remove(o.path); break;
      case 'move': { const v = get(o.from ?? ''); remove(o.from ?? ''); put(o.path, v, true); break; }
      case 'copy': put(o.path, JSON.parse(JSON.stringify(get(o.from ?? ''))) as Json, true); break;
      case 'test':
        if (JSON.stringify(get(o.path)) !== JSON.stringify(o.value)) throw new PatchError(422, 'Invalid', `testing value ${o.path} failed: test failed`);
        break;
      default: throw new PatchError(400, 'BadRequest', `Unexpected kind: ${o.op}`);
    }
  }
  return root;
}

/** Applies a request body of the given kind; throws PatchError with the apiserver's wording. */
export function applyPatch(kind: PatchKind, current: Obj, body: string): Obj {
  let parsed: Json;
  try {
    parsed = JSON.parse(body) as Json;
  } catch (e) {
    throw new PatchError(400, 'BadRequest', `error decoding patch: ${(e as Error).message}`);
  }
  if (kind === 'json') {
    // the apiserver's text (patch.go, master); 1.20 said "... type jsonpatch.Patch"
    if (!Array.isArray(parsed)) {
      const what = isObj(parsed) ? 'object' : typeof parsed === 'string' ? 'string' : parsed === null ? 'null' : typeof parsed;
      throw new PatchError(400, 'BadRequest', `error decoding patch: json: cannot unmarshal ${what} into Go value of type []handlers.jsonPatchOp`);
    }
    return jsonPatch(current, parsed as unknown as Op[]);
  }
  if (!isObj(parsed)) throw new PatchError(400, 'BadRequest', `error decoding patch: json: cannot unmarshal ${Array.isArray(parsed) ? 'array' : typeof parsed} into Go value of type map[string]interface {}`);
  if (kind === 'strategic') return strategicMerge(current, parsed) as Obj;
  return mergePatch(current, parsed) as Obj; // merge; apply approximated as a merge of the applied config
}
