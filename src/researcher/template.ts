// The researchers' kubeconfig user, rendered from templates/kubeconfig-user.yaml. Placeholders are
// replaced in the parsed template, as data: a realm or URL with YAML-special characters can never
// change the structure, and the template stays a readable, commented file that ships with dirlink.
import { readFileSync } from 'node:fs';
import { isMap, isScalar, isSeq, parseDocument, type Document, type Node } from 'yaml';

export type AuthFlow = 'remote-browser' | 'cli';

export interface ResearcherUserInput {
  userName: string;
  realm: string;
  clientId: string;
  authFlow: AuthFlow;
  /** Keycloak's base URL as the admin API uses it (with /auth on Run:AI's Keycloak) */
  keycloakUrl: string;
  /** remote-browser only; default https://<Keycloak host>/oauth-code */
  redirectUri?: string;
}

/** A kubeconfig `users:` item. */
export interface KubeconfigUser {
  name: string;
  user: { 'auth-provider': { name: string; config: Record<string, string> } };
}

const PLACEHOLDER = /^\{\{(\w+)\}\}$/;

/** The issuer kube-apiserver and the CLI must agree on: the realm's URL under Keycloak's base. */
export function issuerUrl(keycloakUrl: string, realm: string): string {
  return `${keycloakUrl.replace(/\/+$/, '')}/realms/${encodeURIComponent(realm)}`;
}

/** Run:AI serves the page that shows the login code at /oauth-code on the control-plane host. */
export function defaultRedirectUri(keycloakUrl: string): string {
  return `${new URL(keycloakUrl).origin}/oauth-code`;
}

/** templates/ sits three levels above dist/src/researcher/template.js and two above src/researcher/template.ts (tests). */
export function readTemplate(name = 'kubeconfig-user.yaml'): string {
  let last: unknown;
  for (const rel of [`../../../templates/${name}`, `../../templates/${name}`]) {
    try {
      return readFileSync(new URL(rel, import.meta.url), 'utf8');
    } catch (e) {
      last = e;
    }
  }
  throw new Error(`the template ${name} is missing from this dirlink installation: ${(last as Error)?.message}`);
}

/** Replaces every "{{name}}" scalar; removes the pair when the value is undefined. Unknown names are template bugs. */
function fill(node: Node | null, values: Record<string, string | undefined>, used: Set<string>): void {
  if (isMap(node)) {
    for (const pair of [...node.items]) {
      const v = pair.value as Node | null;
      if (isScalar(v) && typeof v.value === 'string') {
        const m = PLACEHOLDER.exec(v.value);
        if (!m) continue;
        const key = m[1]!;
        if (!(key in values)) throw new Error(`kubeconfig template: unknown placeholder {{${key}}}`);
        used.add(key);
        const value = values[key];
        if (value === undefined) node.items.splice(node.items.indexOf(pair), 1);
        else v.value = value;
      } else {
        fill(v, values, used);
      }
    }
  } else if (isSeq(node)) {
    for (const item of node.items) fill(item as Node, values, used);
  }
}

export function renderTemplate(text: string, values: Record<string, string | undefined>): Document {
  const doc = parseDocument(text);
  if (doc.errors.length) throw new Error(`kubeconfig template is not valid YAML: ${doc.errors[0]!.message}`);
  const used = new Set<string>();
  fill(doc.contents as Node, values, used);
  const unused = Object.keys(values).filter((k) => !used.has(k));
  if (unused.length) throw new Error(`kubeconfig template does not use ${unused.map((k) => `{{${k}}}`).join(', ')}`);
  return doc;
}

/** The user entry for these inputs, as plain data (the template's comments are not part of it). */
export function researcherUser(i: ResearcherUserInput, template = readTemplate()): KubeconfigUser {
  const values = {
    userName: i.userName,
    authFlow: i.authFlow,
    realm: i.realm,
    clientId: i.clientId,
    issuerUrl: issuerUrl(i.keycloakUrl, i.realm),
    // the code page is only part of the remote-browser flow; with cli the CLI asks for the password itself
    redirectUri: i.authFlow === 'remote-browser' ? (i.redirectUri ?? defaultRedirectUri(i.keycloakUrl)) : undefined,
  };
  return renderTemplate(template, values).toJS() as KubeconfigUser;
}
