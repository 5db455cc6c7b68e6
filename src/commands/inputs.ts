// Completing the inputs for a command: the guided questions in interactive mode, and in every
// mode the vendor detected from the rootDSE when nobody named it (design.md: "detected, else ad").
import { askMissing } from '../inputs/ask.js';
import type { Command } from '../inputs/resolve.js';
import type { Inputs } from '../inputs/sources.js';
import { parseDuration } from '../inputs/validate.js';
import type { Discovery } from '../ldap/types.js';
import type { Deps } from './context.js';

function discoverFrom(deps: Deps) {
  return async (i: Inputs): Promise<Discovery | undefined> => {
    const str = (k: keyof Inputs) => (typeof i[k]?.value === 'string' ? (i[k]!.value as string) : undefined);
    const url = str('ldapUrl');
    const bindDn = str('bindDn');
    const bindPassword = str('bindPassword');
    if (!url || !bindDn || !bindPassword) return undefined;
    return deps.ldap.discover({
      url,
      bindDn,
      bindPassword,
      startTls: i.startTls?.value === true,
      caFile: str('caFile'),
      timeoutMs: parseDuration(str('ldapTimeout') ?? '10s'),
    });
  };
}

export async function resolveForCommand(command: Command, inputs: Inputs, deps: Deps, interactive: boolean): Promise<Inputs> {
  if (interactive && deps.prompter) {
    return askMissing(command, inputs, { prompter: deps.prompter, discover: discoverFrom(deps), say: (t) => deps.reporter.warn(t) });
  }
  if ((command === 'setup' || command === 'check') && !inputs.vendor) {
    const step = deps.reporter.step('ldap.discover', 'Directory type');
    try {
      const found = await discoverFrom(deps)(inputs);
      if (found?.vendor) {
        step.done('ok', `${found.vendorName ?? found.vendor} (from the rootDSE)`);
        return { ...inputs, vendor: { value: found.vendor, source: 'discovered', origin: 'rootDSE' } };
      }
      step.done('skipped', 'not detected: assuming Active Directory (--vendor to choose)');
    } catch {
      // the directory check that follows reports the failure layer by layer
      step.done('skipped', 'could not read the rootDSE: assuming Active Directory');
    }
  }
  return inputs;
}
