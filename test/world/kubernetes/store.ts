// The emulator's state: apps/v1 Deployments, one cluster-wide resourceVersion counter (like etcd's
// revision), an event history that watches replay from, and a rollout controller that moves each
// deployment's status toward its spec one small step at a time, like the real deployment controller
// does with ReplicaSets and pods. All objects are plain JSON; callers get deep copies.
import { randomUUID } from 'node:crypto';

export interface DeploymentSeed {
  name: string;
  namespace: string;
  replicas?: number;
  paused?: boolean;
  image?: string;
  /** pod-template annotations to start with */
  templateAnnotations?: Record<string, string>;
}

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type Obj = { [k: string]: Json };
export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';
export interface StoredEvent { rv: number; type: EventType; object: Obj }
export interface ControllerSettings { mode: 'ok' | 'stuck' | 'deadline'; stepMs: number }

/** What the simulated ReplicaSets hold: old pods are all ready; new pods may not be yet. */
interface Pods { old: number; newReady: number; newNotReady: number; templateKey: string }

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

export function seedDeployment(s: DeploymentSeed): Obj {
  const labels = { app: s.name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: s.name, namespace: s.namespace, uid: randomUUID(), resourceVersion: '0', generation: 1,
      creationTimestamp: now(), labels, annotations: { 'deployment.kubernetes.io/revision': '1' },
    },
    spec: {
      replicas: s.replicas ?? 2,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels, ...(s.templateAnnotations ? { annotations: s.templateAnnotations } : {}) },
        spec: { containers: [{ name: 'app', image: s.image ?? 'registry.example/runai/backend:2.20.0', ports: [{ containerPort: 8080, protocol: 'TCP' }] }] },
      },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      ...(s.paused ? { paused: true } : {}),
    },
    status: {},
  };
}

// Kubernetes rounds maxSurge up and maxUnavailable down, and never lets both be 0.
function budgets(replicas: number): { surge: number; unavailable: number } {
  const surge = Math.ceil(replicas * 0.25);
  const unavailable = Math.floor(replicas * 0.25);
  return surge === 0 && unavailable === 0 ? { surge: 1, unavailable: 0 } : { surge, unavailable };
}

export class Store {
  rv = 0;
  readonly events: StoredEvent[] = [];
  /** events at or below this RV are gone (410 Gone for watches starting before it) */
  compactedRv = 0;
  readonly controller: ControllerSettings = { mode: 'ok', stepMs: 50 };
  private readonly objects = new Map<string, Obj>();
  private readonly pods = new Map<string, Pods>();
  private readonly listeners = new Set<(e: StoredEvent) => void>();
  private timer: NodeJS.Timeout | undefined;

  constructor(seeds: DeploymentSeed[]) {
    for (const s of seeds) {
      const d = seedDeployment(s);
      const key = `${s.namespace}/${s.name}`;
      const r = (d.spec as Obj).replicas as number;
      this.pods.set(key, { old: 0, newReady: r, newNotReady: 0, templateKey: JSON.stringify((d.spec as Obj).template) });
      (d.metadata as Obj).resourceVersion = String(++this.rv);
      this.objects.set(key, d);
      this.writeStatus(key, d, 'steady');
    }
    this.events.length = 0; // seeding is history from before anyone could watch
    this.compactedRv = 0;
  }

  namespaces(): string[] {
    const set = new Set(['default', 'kube-system', 'kube-public']);
    for (const d of this.objects.values()) set.add((d.metadata as Obj).namespace as string);
    return [...set].sort();
  }
  get(ns: string, name: string): Obj | undefined {
    const d = this.objects.get(`${ns}/${name}`);
    return d && clone(d);
  }
  list(ns: string | undefined): Obj[] {
    return [...this.objects.values()]
      .filter((d) => ns === undefined || (d.metadata as Obj).namespace === ns)
      .sort((a, b) => String((a.metadata as Obj).name).localeCompare(String((b.metadata as Obj).name)))
      .map(clone);
  }
  subscribe(fn: (e: StoredEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
  /** Forget history so watches from older resourceVersions get 410 Gone (like etcd compaction). */
  compact(): void {
    this.compactedRv = this.rv;
    this.events.length = 0;
  }

  /**
   * Replaces the object after a client write. Mirrors the apiserver's deployment strategy:
   * status is kept from the old object, generation bumps when spec or annotations change,
   * and a write that changes nothing keeps the resourceVersion.
   */
  update(ns: string, name: string, next: Obj, dryRun = false): Obj {
    const key = `${ns}/${name}`;
    const old = this.objects.get(key);
    if (!old) throw new Error('no such deployment');
    const n = clone(next);
    n.status = clone(old.status ?? {});
    const om = old.metadata as Obj;
    const nm = (n.metadata ?? {}) as Obj;
    // identity and server-owned fields cannot be set by a patch
    for (const k of ['name', 'namespace', 'uid', 'creationTimestamp', 'generation', 'resourceVersion']) {
      if (om[k] === undefined) delete nm[k]; else nm[k] = om[k] as Json;
    }
    n.metadata = nm;
    n.apiVersion = 'apps/v1';
    n.kind = 'Deployment';
    if (JSON.stringify(n) === JSON.stringify(old)) return clone(old);
    const specChanged = JSON.stringify(n.spec) !== JSON.stringify(old.spec);
    const annChanged = JSON.stringify(nm.annotations ?? null) !== JSON.stringify(om.annotations ?? null);
    if (specChanged || annChanged) nm.generation = (om.generation as number) + 1;
    if (dryRun) return n;
    this.commit(key, n);
    this.kick();
    return clone(n);
  }

  setPaused(ns: string, name: string, paused: boolean): void {
    const d = this.get(ns, name);
    if (!d) throw new Error(`no deployment ${ns}/${name}`);
    const spec = d.spec as Obj;
    if (paused) spec.paused = true; else delete spec.paused;
    this.update(ns, name, d);
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.listeners.clear();
  }

  private commit(key: string, d: Obj, type: EventType = 'MODIFIED'): void {
    (d.metadata as Obj).resourceVersion = String(++this.rv);
    this.objects.set(key, d);
    const ev: StoredEvent = { rv: this.rv, type, object: clone(d) };
    this.events.push(ev);
    for (const fn of [...this.listeners]) fn(ev);
  }

  /** Arms the controller loop; it stops by itself once every deployment is settled. */
  kick(restart = false): void {
    if (restart && this.timer) { clearTimeout(this.timer); this.timer = undefined; }
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      let busy = false;
      for (const key of this.objects.keys()) busy = this.step(key) || busy;
      if (busy) this.kick();
    }, Math.max(1, this.controller.stepMs));
    this.timer.unref();
  }

  /** One controller action for one deployment. Returns true while there is more to do. */
  private step(key: string): boolean {
    const d = clone(this.objects.get(key)!);
    const spec = d.spec as Obj;
    const st = d.status as Obj;
    const meta = d.metadata as Obj;
    const pods = this.pods.get(key)!;
    const want = (spec.replicas as number | undefined) ?? 1;
    const templateKey = JSON.stringify(spec.template);
    if ((st.observedGeneration as number | undefined) !== meta.generation) {
      // A new template starts a new ReplicaSet: every existing pod now belongs to an old one.
      if (templateKey !== pods.templateKey && !spec.paused) {
        pods.old += pods.newReady + pods.newNotReady;
        pods.newReady = 0;
        pods.newNotReady = 0;
        pods.templateKey = templateKey;
        const anns = (meta.annotations ?? {}) as Obj;
        anns['deployment.kubernetes.io/revision'] = String(Number(anns['deployment.kubernetes.io/revision'] ?? '0') + 1);
        meta.annotations = anns;
      }
      this.writeStatus(key, d, spec.paused ? 'paused' : 'progressing');
      return true;
    }
    if (spec.paused) return false;
    const mode = this.controller.mode;
    const progressing = ((st.conditions ?? []) as Obj[]).find((c) => c.type === 'Progressing');
    const settled = pods.old === 0 && pods.newNotReady === 0 && pods.newReady === want;
    if (settled) {
      if (progressing?.reason === 'NewReplicaSetAvailable') return false;
      this.writeStatus(key, d, 'steady');
      return false;
    }
    if (mode === 'deadline') {
      if (progressing?.reason === 'ProgressDeadlineExceeded') return false;
      this.writeStatus(key, d, 'deadline');
      return false;
    }
    const { surge, unavailable } = budgets(want);
    const total = pods.old + pods.newReady + pods.newNotReady;
    const ready = pods.old + pods.newReady;
    if (pods.newNotReady > 0 && mode === 'ok') { pods.newNotReady--; pods.newReady++; }
    else if (pods.old > 0 && (ready - 1 >= want - unavailable || pods.newReady >= want)) pods.old--;
    else if (pods.newReady + pods.newNotReady < want && total < want + surge) pods.newNotReady++;
    else if (pods.newReady + pods.newNotReady > want) { if (pods.newNotReady > 0) pods.newNotReady--; else pods.newReady--; }
    else if (mode === 'stuck') return false; // new pods never become ready; nothing else may move
    else return true;
    this.writeStatus(key, d, 'progressing');
    return true;
  }

  private writeStatus(key: string, d: Obj, phase: 'steady' | 'progressing' | 'paused' | 'deadline'): void {
    const pods = this.pods.get(key)!;
    const spec = d.spec as Obj;
    const meta = d.metadata as Obj;
    const want = (spec.replicas as number | undefined) ?? 1;
    const ready = pods.old + pods.newReady;
    const total = pods.old + pods.newReady + pods.newNotReady;
    const rs = `ReplicaSet "${meta.name as string}-${hash(pods.templateKey)}"`;
    const prev = ((d.status as Obj).conditions ?? []) as Obj[];
    const t = now();
    const cond = (type: string, status: string, reason: string, message: string): Obj => {
      const p = prev.find((c) => c.type === type);
      const same = p && p.status === status;
      return { type, status, lastUpdateTime: t, lastTransitionTime: same ? (p.lastTransitionTime as string) : t, reason, message };
    };
    const { unavailable } = budgets(want);
    const available = ready >= want - unavailable
      ? cond('Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.')
      : cond('Available', 'False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.');
    const progressing = {
      steady: cond('Progressing', 'True', 'NewReplicaSetAvailable', `${rs} has successfully progressed.`),
      progressing: cond('Progressing', 'True', 'ReplicaSetUpdated', `${rs} is progressing.`),
      paused: cond('Progressing', 'Unknown', 'DeploymentPaused', 'Deployment is paused'),
      deadline: cond('Progressing', 'False', 'ProgressDeadlineExceeded', `${rs} has timed out progressing.`),
    }[phase];
    const status: Obj = {
      observedGeneration: meta.generation as number,
      replicas: total, updatedReplicas: pods.newReady + pods.newNotReady,
      readyReplicas: ready, availableReplicas: ready,
      conditions: [available, progressing],
    };
    if (total - ready > 0) status.unavailableReplicas = total - ready;
    for (const k of ['readyReplicas', 'availableReplicas', 'updatedReplicas', 'replicas'] as const) if (status[k] === 0) delete status[k];
    d.status = status;
    this.commit(key, d);
  }
}

function hash(s: string): string {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return (h >>> 0).toString(36).slice(0, 10);
}
