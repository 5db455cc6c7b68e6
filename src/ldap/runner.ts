// Runs the layers in order and records one LayerResult per layer. After the first failure the
// remaining layers are reported as skipped, so every report has the same ladder.
import { CancelledError } from '../errors.js';
import type { LayerId, LayerResult, LdapField } from './types.js';
import { LayerFailure, TimeoutError, errorText, raiseTimeout, redact, scrub, seconds } from './util.js';

export interface Outcome {
  status?: 'ok' | 'warn';
  message: string;
  hint?: string;
  field?: LdapField;
  code?: string;
  data?: Record<string, unknown>;
  /** extra warnings for ProbeReport.warnings (a warn layer's message is added automatically) */
  warnings?: string[];
}

export interface StepOptions {
  /** what to say when the layer times out */
  timeout?: { message: string; hint: string; field: LdapField };
}

const LABEL: Record<LayerId, string> = {
  dns: 'DNS resolution', tcp: 'TCP connect', tls: 'TLS handshake', bind: 'bind',
  rootdse: 'rootDSE read', 'users-dn': 'users DN lookup', search: 'user search', attributes: 'attribute check',
};

export class Runner {
  readonly layers: LayerResult[] = [];
  readonly warnings: string[] = [];
  failed?: LayerResult;

  constructor(
    readonly timeoutMs: number,
    private readonly secret: string,
    private readonly onLayer?: (l: LayerResult) => void,
    readonly signal?: AbortSignal,
  ) {}

  /** Runs one layer; returns true when it passed (ok or warn). */
  async step(id: LayerId, fn: () => Promise<Outcome>, opts: StepOptions = {}): Promise<boolean> {
    if (this.failed) {
      this.push({ id, status: 'skipped', message: `skipped: ${LABEL[this.failed.id]} failed`, ms: 0 });
      return false;
    }
    if (this.signal?.aborted) throw new CancelledError('LDAP check cancelled');
    const t0 = performance.now();
    let r: LayerResult;
    try {
      const o = await fn();
      r = { id, status: o.status ?? 'ok', message: o.message, ms: 0 };
      if (o.hint) r.hint = o.hint;
      if (o.field) r.field = o.field;
      if (o.code) r.code = o.code;
      if (o.data) r.data = o.data;
      if (o.warnings) this.warnings.push(...o.warnings);
      else if (r.status === 'warn') this.warnings.push(o.message);
    } catch (e) {
      if (e instanceof CancelledError) throw e;
      r = { id, status: 'fail', message: '', ms: 0 };
      if (e instanceof LayerFailure) {
        const f = e.failure;
        Object.assign(r, { message: f.message, code: f.code });
        if (f.hint) r.hint = f.hint;
        if (f.field) r.field = f.field;
        if (f.data) r.data = f.data;
      } else if (e instanceof TimeoutError) {
        const t = opts.timeout;
        r.code = `ldap.${id}.timeout`;
        r.message = t?.message ?? `${LABEL[id]} timed out after ${seconds(e.ms)}`;
        r.hint = `${t?.hint ?? 'The server accepted the connection but did not answer in time.'} ${raiseTimeout(e.ms)}`;
        r.field = t?.field ?? 'ldapUrl';
        r.data = { timeoutMs: e.ms };
      } else {
        r.code = `ldap.${id}.failed`;
        r.message = `${LABEL[id]} failed: ${redact(errorText(e), this.secret)}`;
        r.field = 'ldapUrl';
      }
      this.failed = r;
    }
    r.ms = Math.round(performance.now() - t0);
    this.push(r);
    return r.status !== 'fail';
  }

  skip(id: LayerId, message: string): void {
    this.push({ id, status: 'skipped', message, ms: 0 });
  }

  private push(r: LayerResult): void {
    const clean = scrub(r, this.secret);
    this.layers.push(clean);
    this.onLayer?.(clean);
  }
}
