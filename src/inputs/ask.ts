// The guided wizard's questions. It asks only for what flags, environment and config left open
// (plus a confirmation of discovered defaults), validates each answer where it is typed, and
// uses what the directory says about itself (rootDSE, where the users are) as the defaults.
import { isDirlinkError } from '../errors.js';
import { defaultAttributes } from '../keycloak/federation.js';
import type { Discovery } from '../ldap/types.js';
import { FIELD_BY_KEY, type FieldKey } from './fields.js';
import type { Prompter } from './prompter.js';
import { missing, type Command } from './resolve.js';
import type { Inputs, Source } from './sources.js';
import type { Vendor } from '../ldap/types.js';

export interface AskDeps {
  prompter: Prompter;
  /** reads the rootDSE and finds where users live; throws LdapError with `field` on failure */
  discover: (i: Inputs) => Promise<Discovery | undefined>;
  /** a line shown to the user between questions */
  say: (text: string) => void;
}

const askedBySource = (s: Source | undefined) => s === undefined || s === 'default' || s === 'discovered';

function set(inputs: Inputs, key: FieldKey, value: string | boolean, source: Source = 'prompt'): void {
  inputs[key] = { value, source, origin: source === 'prompt' ? 'prompt' : source };
}

async function askField(inputs: Inputs, key: FieldKey, p: Prompter, def?: string): Promise<void> {
  const f = FIELD_BY_KEY[key];
  const validate = (v: string) => {
    if (!f.validate) return v.trim() === '' ? 'must not be empty' : true;
    const verdict = f.validate(v);
    return verdict.ok ? true : `${f.label} ${verdict.reason}`;
  };
  const q = { name: key, message: `${f.label[0]!.toUpperCase()}${f.label.slice(1)}`, default: def, validate };
  const raw = f.type === 'secret' ? await p.password({ ...q, default: undefined }) : await p.input(q);
  const verdict = f.validate?.(raw);
  set(inputs, key, verdict && verdict.ok ? verdict.value : raw);
}

/** LDAP connection questions, then discovery; re-asks the field a failed bind points at (3 tries). */
async function askLdap(inputs: Inputs, d: AskDeps): Promise<Discovery | undefined> {
  for (const key of ['ldapUrl', 'bindDn', 'bindPassword'] as FieldKey[]) {
    if (!inputs[key]) await askField(inputs, key, d.prompter);
  }
  for (let attempt = 1; ; attempt++) {
    try {
      return await d.discover(inputs);
    } catch (e) {
      if (!isDirlinkError(e) || attempt >= 3 || !['ldapUrl', 'bindDn', 'bindPassword', 'caFile', 'startTls'].includes(e.field ?? '')) throw e;
      d.say(`${e.message}${e.hint ? ` — ${e.hint}` : ''}`);
      const field = e.field as FieldKey;
      if (field === 'caFile' || field === 'startTls') throw e;
      await askField(inputs, field, d.prompter, field === 'bindPassword' ? undefined : String(inputs[field]?.value ?? ''));
    }
  }
}

export async function askMissing(command: Command, inputs: Inputs, d: AskDeps): Promise<Inputs> {
  const out: Inputs = { ...inputs };
  const p = d.prompter;
  const needsLdap = command === 'setup' || command === 'check';

  if (needsLdap) {
    const found = await askLdap(out, d);
    if (found?.vendor && !out.vendor) set(out, 'vendor', found.vendor, 'discovered');
    if (askedBySource(out.vendor?.source)) {
      const detected = (out.vendor?.value as Vendor | undefined) ?? 'ad';
      const vendor = await p.select<Vendor>({
        name: 'vendor',
        message: found?.vendor ? `Vendor (detected: ${found.vendorName ?? found.vendor})` : 'Vendor',
        default: detected,
        choices: [
          { value: 'ad', name: 'Active Directory' },
          { value: 'other', name: 'Other (OpenLDAP and most others)' },
          { value: 'rhds', name: 'Red Hat Directory Server / 389-ds' },
          { value: 'tivoli', name: 'Tivoli' },
          { value: 'edirectory', name: 'Novell eDirectory' },
        ],
      });
      set(out, 'vendor', vendor);
    }
    const vendor = out.vendor!.value as Vendor;
    if (!out.usersDn) {
      const candidates = found?.candidateUsersDns ?? [];
      let dn: string | undefined;
      if (candidates.length > 0) {
        const pick = await p.select<string>({
          name: 'usersDnChoice',
          message: 'Users DN (searched with subtree scope)',
          choices: [
            ...candidates.slice(0, 8).map((c) => ({ value: c.dn, name: `${c.dn}  (${c.users} users)` })),
            { value: '', name: 'Another DN…' },
          ],
        });
        dn = pick || undefined;
      }
      if (dn) set(out, 'usersDn', dn);
      else await askField(out, 'usersDn', p, found?.defaultNamingContext);
    }
    const attrs = defaultAttributes(vendor);
    if (askedBySource(out.usernameAttribute?.source)) {
      await askField(out, 'usernameAttribute', p, found?.suggestedUsernameAttribute ?? attrs.username);
    }
    if (askedBySource(out.emailAttribute?.source)) {
      await askField(out, 'emailAttribute', p, found?.suggestedEmailAttribute ?? attrs.email);
    }
  }

  if (!out.keycloakUrl && missing(command, out).includes('keycloakUrl')) await askField(out, 'keycloakUrl', p);
  if (command !== 'verify' && command !== 'scim-check' && askedBySource(out.realm?.source)) await askField(out, 'realm', p, String(out.realm?.value ?? 'runai'));
  if (missing(command, out).includes('keycloakPassword')) {
    if (askedBySource(out.keycloakUser?.source)) await askField(out, 'keycloakUser', p, String(out.keycloakUser?.value ?? 'admin'));
    await askField(out, 'keycloakPassword', p);
  }
  // whatever else is still open (client secret, verify user/password) is asked plainly
  for (const key of missing(command, out)) await askField(out, key, p);
  return out;
}
