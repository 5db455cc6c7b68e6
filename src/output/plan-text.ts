// The plan as people read it: "+" creates, "~" updates, "↻" restarts, "=" stays. Secrets are
// never in the plan (see plan.ts); the bind credential line says what happens to it instead.
import type { ChalkInstance } from 'chalk';
import type { Action, Plan } from '../plan/plan.js';

const show = (v: string[] | undefined) => (v === undefined ? '(unset)' : v.length === 1 ? v[0]! : JSON.stringify(v));

function actionLines(a: Action, c: ChalkInstance): string[] {
  switch (a.kind) {
    case 'create-federation': {
      const width = Math.max(...Object.keys(a.config).map((k) => k.length), 'bindCredential'.length);
      return [
        c.green(`+ create User Federation "${a.name}" (LDAP, import off, READ_ONLY, subtree)`),
        ...Object.entries(a.config).map(([k, v]) => `    ${k.padEnd(width)}  ${show(v)}`),
        `    ${'bindCredential'.padEnd(width)}  ******** (${a.credential.reason})`,
      ];
    }
    case 'update-federation':
      return [
        c.yellow(`~ update User Federation "${a.name}"`),
        ...a.changes.map((ch) => `    ${ch.key}: ${show(ch.from)} → ${show(ch.to)}`),
        `    bindCredential: ${a.credential.action === 'keep' ? 'kept' : 'sent again'} (${a.credential.reason})`,
      ];
    case 'update-mapper':
      return [c.yellow(`~ update mapper "${a.name}"`), ...a.changes.map((ch) => `    ${ch.key}: ${show(ch.from)} → ${show(ch.to)}`)];
    case 'create-mapper':
      return [c.green(`+ create mapper "${a.name}" (the federation has none)`), `    ldap.attribute: ${show(a.config['ldap.attribute'])}`];
    case 'restart':
      return [c.cyan(`↻ restart deployment ${a.namespace}/${a.deployment} and wait for the rollout (${a.reason})`)];
  }
}

export function formatPlan(plan: Plan, c: ChalkInstance): string {
  const lines = [c.bold(`Plan for realm "${plan.realm}", federation "${plan.federation}":`)];
  if (plan.actions.length === 0) lines.push(c.green('  = nothing to change'));
  for (const a of plan.actions) lines.push(...actionLines(a, c).map((l) => `  ${l}`));
  for (const n of plan.notes) lines.push(c.dim(`  = ${n}`));
  return lines.join('\n');
}

/** The plan for --json: the same data, with the credential as a decision, never a value. */
export function planToJson(plan: Plan): unknown[] {
  return plan.actions.map((a) => ({ ...a }));
}
