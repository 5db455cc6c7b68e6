import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/program.js';

const docs = (name: string) =>
  parseAllDocuments(readFileSync(new URL(`../../templates/${name}`, import.meta.url), 'utf8')).map((d) => {
    expect(d.errors).toEqual([]);
    return d.toJS() as Record<string, any>;
  });

describe('templates', () => {
  it('rbac.yaml grants exactly get/patch on the deployment and list/watch', () => {
    const [sa, role, binding] = docs('rbac.yaml');
    expect(sa).toMatchObject({ kind: 'ServiceAccount', metadata: { name: 'dirlink', namespace: 'runai-backend' } });
    expect(role!.rules).toEqual([
      { apiGroups: ['apps'], resources: ['deployments'], resourceNames: ['runai-backend-deployment'], verbs: ['get', 'patch'] },
      { apiGroups: ['apps'], resources: ['deployments'], verbs: ['list', 'watch'] },
    ]);
    expect(binding).toMatchObject({ kind: 'RoleBinding', roleRef: { kind: 'Role', name: role!.metadata.name }, subjects: [{ name: 'dirlink' }] });
  });

  it("job.yaml's arguments are accepted by dirlink's own parser, secrets come from a Secret", async () => {
    const [job] = docs('job.yaml');
    const c = job!.spec.template.spec.containers[0];
    expect(job!.spec.template.spec.serviceAccountName).toBe('dirlink');
    let seen: { command: string; opts: Record<string, unknown> } | undefined;
    const program = buildProgram(async (command, opts) => {
      seen = { command, opts };
    });
    await program.parseAsync(['node', 'dirlink', ...c.args]);
    expect(seen?.command).toBe('setup');
    expect(seen?.opts).toMatchObject({ nonInteractive: true, json: true, ldapUrl: 'ldaps://dc1.corp.example.com:636', rolloutTimeout: '10m' });
    const envNames = c.env.map((e: { name: string }) => e.name);
    expect(envNames).toEqual(expect.arrayContaining(['DIRLINK_BIND_PASSWORD', 'DIRLINK_KEYCLOAK_PASSWORD']));
    for (const e of c.env) if (/PASSWORD|SECRET/.test(e.name)) expect(e.valueFrom.secretKeyRef).toBeDefined();
    expect(c.args.join(' ')).not.toMatch(/password(?!-file)/i);
  });
});
