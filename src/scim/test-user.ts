// The requests scim-check sends, shaped like Entra's: a UPN-style user whose userName and
// emails[type eq "work"].value carry the same address (the Lightrun-style mapping of
// userPrincipalName), and the PatchOp Entra sends to disable a user.
import { randomBytes, randomUUID } from 'node:crypto';
import { URN } from './verdicts.js';

/** Entra's Test Connection asks for a GUID as userName, one no directory has. */
export function testConnectionUserName(): string {
  return randomUUID();
}

/** "dirlink-scimcheck-1a2b3c4d@example.com": recognisable if it is ever left behind. */
export function testUserName(domain: string, random: string = randomBytes(4).toString('hex')): string {
  return `dirlink-scimcheck-${random}@${domain}`;
}

export function userFilter(userName: string): string {
  return `userName eq "${userName.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function testUser(upn: string): Record<string, unknown> {
  return {
    schemas: [URN.user],
    userName: upn,
    externalId: randomUUID(),
    active: true,
    displayName: 'dirlink scim-check test user',
    name: { givenName: 'dirlink', familyName: 'scim-check', formatted: 'dirlink scim-check' },
    emails: [{ type: 'work', value: upn, primary: true }],
  };
}

/** How Entra disables a user: a Replace of active (Entra writes op values capitalised). */
export function disablePatch(): Record<string, unknown> {
  return { schemas: [URN.patchOp], Operations: [{ op: 'Replace', path: 'active', value: false }] };
}
