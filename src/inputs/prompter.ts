// The only module that knows @inquirer/prompts. The pipeline talks to the Prompter interface,
// so tests pass a scripted prompter and no module is mocked. Ctrl-C at a prompt becomes a
// CancelledError (exit 130): the key (the terminal is raw, so it reaches inquirer as a key) and a
// SIGINT signal (kill -INT, a process-group signal), which reaches the prompt through `signal`.
import { CancelledError } from '../errors.js';

export interface Question {
  /** stable name (a field key, or "confirm"), used by scripted prompters in tests */
  name: string;
  message: string;
  default?: string;
  /** true, or the reason to show before asking again */
  validate?: (value: string) => true | string;
}

export interface Choice<T extends string> {
  value: T;
  name: string;
  description?: string;
}

export interface Prompter {
  input(q: Question): Promise<string>;
  password(q: Question): Promise<string>;
  select<T extends string>(q: { name: string; message: string; choices: Choice<T>[]; default?: T }): Promise<T>;
  confirm(q: { name: string; message: string; default?: boolean }): Promise<boolean>;
}

function cancelled(e: unknown): never {
  const name = (e as Error)?.name;
  if (name === 'ExitPromptError' || name === 'AbortPromptError') throw new CancelledError('cancelled at a prompt: nothing was changed');
  throw e;
}

/** Prompts on the given streams (stderr in --json mode keeps stdout for the JSON object); `signal` ends the open prompt. */
export function inquirerPrompter(io: { input: NodeJS.ReadableStream; output: NodeJS.WritableStream; signal?: AbortSignal }): Prompter {
  const ctx = { input: io.input, output: io.output, clearPromptOnDone: false, signal: io.signal } as Parameters<typeof import('@inquirer/prompts').input>[1];
  const lib = () => import('@inquirer/prompts');
  return {
    async input(q) {
      const { input } = await lib();
      return input({ message: q.message, default: q.default, validate: q.validate }, ctx).catch(cancelled);
    },
    async password(q) {
      const { password } = await lib();
      return password({ message: q.message, mask: '*', validate: q.validate }, ctx).catch(cancelled);
    },
    async select(q) {
      const { select } = await lib();
      return select({ message: q.message, choices: q.choices, default: q.default }, ctx).catch(cancelled) as Promise<typeof q.default & string>;
    },
    async confirm(q) {
      const { confirm } = await lib();
      return confirm({ message: q.message, default: q.default }, ctx).catch(cancelled);
    },
  };
}
