// One entry per command; each gets typed settings and the adapters.
import type { Settings, Command } from '../inputs/resolve.js';
import type { Deps } from './context.js';

export async function dispatch(command: Command, s: Settings, opts: Record<string, unknown>, deps: Deps, out: Record<string, unknown>): Promise<void> {
  switch (command) {
    case 'setup':
    case 'check': {
      const { setup } = await import('./setup.js');
      await setup(
        s,
        { dryRun: command === 'check' || opts.dryRun === true, yes: opts.yes === true, forceRestart: opts.forceRestart === true, rotateBindPassword: opts.rotateBindPassword === true },
        deps,
        out,
      );
      return;
    }
    case 'status': {
      const { status } = await import('./status.js');
      await status(s, deps, out);
      return;
    }
    case 'verify': {
      const { verify } = await import('./verify-command.js');
      await verify(s, deps, out);
      return;
    }
    case 'undo': {
      const { undo } = await import('./undo.js');
      await undo(s, { snapshot: typeof opts.snapshot === 'string' ? opts.snapshot : undefined, yes: opts.yes === true }, deps, out);
      return;
    }
    case 'kubeconfig': {
      const { kubeconfig } = await import('./kubeconfig.js');
      await kubeconfig(s, { write: opts.write === true ? true : typeof opts.write === 'string' ? opts.write : undefined, context: typeof opts.context === 'string' ? opts.context : undefined, json: opts.json === true }, deps, out);
      return;
    }
    case 'scim-check': {
      const { scimCheck } = await import('./scim-check.js');
      await scimCheck(s, { writeTest: opts.writeTest === true }, deps, out);
      return;
    }
  }
}
