// What setup has done of its plan so far. Once a write has been sent, a failure (or Ctrl-C) must not
// leave the user guessing: the error is restated with the actions applied and not applied, and
// with how to finish (design.md: "nothing is half-applied without saying so").
import { DirlinkError, ExitCode, isDirlinkError } from '../errors.js';

export class Progress {
  readonly applied: string[] = [];

  constructor(private readonly planned: readonly string[]) {}

  done(action: string): void {
    this.applied.push(action);
  }

  get notApplied(): string[] {
    return this.planned.filter((a) => !this.applied.includes(a));
  }

  /**
   * `e` with the progress added: the message lists what was applied and what was not, the hint
   * how to finish, data.applied / data.notApplied the same for --json. `rest` says what a rerun
   * does when something was applied.
   */
  report(e: unknown, rest: string): unknown {
    if (!isDirlinkError(e) || this.planned.length === 0) return e;
    const applied = this.applied;
    const notApplied = this.notApplied;
    const cancelled = e.exitCode === ExitCode.cancelled;
    const said = applied.length === 0 ? 'Nothing was changed.' : `Applied: ${applied.join('; ')}. Not applied: ${notApplied.join('; ') || 'nothing'}.`;
    // nothing applied: the message says so and the error's own hint is the whole story
    const next = applied.length > 0 ? `${cancelled ? 'To finish, run dirlink setup again' : 'Once that is fixed, run dirlink setup again'}: ${rest}` : '';
    const hint = [e.hint?.replace(/\.?$/, '.'), next].filter(Boolean).join(' ');
    return new DirlinkError(e.exitCode, e.code, `${/[.!?]$/.test(e.message) ? e.message : `${e.message}.`} ${said}`, {
      ...(hint ? { hint } : {}),
      field: e.field,
      // the underlying error only: a cancellation has none, so --verbose prints no stack for it
      cause: e.cause,
      data: { ...e.data, applied, notApplied },
    });
  }
}
