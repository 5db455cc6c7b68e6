// How progress reaches people: a step line per pipeline step (a live line on a TTY, plain lines in
// CI and logs), colour only on a TTY without NO_COLOR, and in --json mode the same lines on stderr
// so that stdout carries exactly one JSON object. Every write goes through the Redactor.
import { Chalk, type ChalkInstance } from 'chalk';
import type { Redactor } from './redact.js';
import type { Plan } from '../plan/plan.js';
import { formatPlan } from './plan-text.js';

export type StepStatus = 'ok' | 'warn' | 'fail' | 'skipped';

export interface StepRecord {
  id: string;
  title: string;
  status: StepStatus;
  message: string;
  ms: number;
}

export interface StepHandle {
  /**
   * A transient progress text; on a TTY it rewrites the line. Without a TTY (CI, logs) it is
   * printed only when `plain` is set (long waits), so logs stay short.
   */
  progress(text: string, plain?: boolean): void;
  done(status: StepStatus, message: string): StepRecord;
}

export interface Sink {
  write(text: string): void;
  isTTY: boolean;
}

export interface ReporterOptions {
  /** where human lines go: stdout normally, stderr in --json mode */
  sink: Sink;
  color: boolean;
  verbose: boolean;
  redactor: Redactor;
  now?: () => number;
}

const SYMBOL: Record<StepStatus | 'run', string> = { ok: '✔', warn: '!', fail: '✖', skipped: '-', run: '…' };

export class Reporter {
  readonly steps: StepRecord[] = [];
  private readonly c: ChalkInstance;
  private readonly now: () => number;
  private live = false;

  constructor(private readonly o: ReporterOptions) {
    this.c = new Chalk({ level: o.color ? 1 : 0 });
    this.now = o.now ?? (() => performance.now());
  }

  private write(text: string): void {
    this.endLive();
    this.o.sink.write(this.o.redactor.redact(text) + '\n');
  }

  private endLive(): void {
    if (this.live) {
      this.o.sink.write('\n');
      this.live = false;
    }
  }

  private paint(status: StepStatus | 'run', text: string): string {
    const c = this.c;
    const sym = SYMBOL[status];
    const colored = status === 'ok' ? c.green(sym) : status === 'warn' ? c.yellow(sym) : status === 'fail' ? c.red(sym) : c.dim(sym);
    return `${colored} ${text}`;
  }

  step(id: string, title: string): StepHandle {
    const started = this.now();
    const tty = this.o.sink.isTTY;
    let lastProgress = '';
    if (tty) {
      this.endLive();
      this.o.sink.write(this.paint('run', title));
      this.live = true;
    }
    return {
      progress: (text, plain = false) => {
        if (text === lastProgress) return;
        if (!tty && !plain && !this.o.verbose) return;
        lastProgress = text;
        if (tty) {
          this.o.sink.write(`\r\x1b[2K${this.paint('run', `${title} — ${this.o.redactor.redact(text)}`)}`);
          this.live = true;
        } else {
          this.write(`  ${title}: ${text}`);
        }
      },
      done: (status, message) => {
        const ms = Math.round(this.now() - started);
        const rec: StepRecord = { id, title, status, message: this.o.redactor.redact(message), ms };
        this.steps.push(rec);
        if (tty && this.live) {
          this.o.sink.write('\r\x1b[2K');
          this.live = false;
        }
        const time = this.o.verbose || ms >= 1000 ? this.c.dim(` (${ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`})`) : '';
        this.write(this.paint(status, message ? `${title}: ${message}` : title) + time);
        return rec;
      },
    };
  }

  /** records a step that has no duration of its own (e.g. a skipped one) */
  record(id: string, title: string, status: StepStatus, message: string): StepRecord {
    return this.step(id, title).done(status, message);
  }

  info(text: string): void {
    this.write(`  ${text}`);
  }

  warn(text: string): void {
    this.write(`  ${this.c.yellow('!')} ${text}`);
  }

  detail(text: string): void {
    if (this.o.verbose) this.write(this.c.dim(`  ${text}`));
  }

  heading(text: string): void {
    this.write(`\n${this.c.bold(text)}`);
  }

  plan(plan: Plan): void {
    this.write(formatPlan(plan, this.c));
  }

  blank(): void {
    this.write('');
  }
}
