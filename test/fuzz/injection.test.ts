// LDAP filter injection through a username: whatever string a person types as a login name, the
// filter dirlink builds to look that user up (userByAttributeFilter) is one equality assertion on
// the literal value — RFC 4515 escaping — and a real search with it finds only that user.
import fc from 'fast-check';
import { Client, EqualityFilter, FilterParser } from 'ldapts';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { escapeFilterValue, userByAttributeFilter } from '../../src/ldap/filter.js';
import type { DirectoryInfo } from '../world/types.js';
import { RUNS } from './properties.js';

/** Strings made mostly of what a filter treats specially, with anything else in between. */
const hostile = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: fc.constantFrom('*', '(', ')', '\\', '\u0000', '=', '&', '|', '!', '~', '>', '<', ':', ' ', 'a', 'é', '\ud83d\ude00'), maxLength: 30 }),
  fc.constantFrom('*', '*)(uid=*', '*)(|(uid=*', 'alice)(uid=*', 'alice*', '*alice', '\\2a', '\\', '\u0000', 'alice\u0000', '*)(objectClass=*))(|(uid=*', ')(cn=*', '(uid=*)', 'a)(!(uid=a', '*)(userPassword=*'),
);

/** Undoes RFC 4515 value escaping (\XX, hex bytes of UTF-8). */
function unescape(v: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < v.length; ) {
    if (v[i] === '\\') {
      bytes.push(parseInt(v.slice(i + 1, i + 3), 16));
      i += 3;
    } else {
      const cp = v.codePointAt(i)!;
      bytes.push(...Buffer.from(String.fromCodePoint(cp), 'utf8'));
      i += cp > 0xffff ? 2 : 1;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

describe('the username filter, for any string', () => {
  it(`escapes every *, (, ), \\ and NUL, and nothing else (${RUNS * 5} strings)`, () => {
    fc.assert(
      fc.property(hostile, (s) => {
        const e = escapeFilterValue(s);
        // with the \XX escapes taken out, none of the five specials is left
        expect(e.replace(/\\[0-9a-f]{2}/g, '')).not.toMatch(/[*()\\\u0000]/);
        // and nothing is lost ('binary' strings are any code points, well-formed)
        expect(unescape(e)).toBe(s);
      }),
      { numRuns: RUNS * 5 },
    );
  });

  it(`parses back into exactly one equality assertion on the literal value (${RUNS * 5} strings, both vendors)`, () => {
    fc.assert(
      fc.property(hostile, fc.constantFrom(['other', 'uid'], ['ad', 'sAMAccountName']) as fc.Arbitrary<['other' | 'ad', string]>, (s, [vendor, attr]) => {
        if (s.includes('\u0000')) {
          // refused, not escaped: see the Samba AD case below
          expect(() => userByAttributeFilter(vendor, attr, s)).toThrow(/NUL/);
          return;
        }
        const f = userByAttributeFilter(vendor, attr, s);
        const parsed = FilterParser.parseString(f) as unknown as { type: number; filters: unknown[] };
        // (&<the vendor's fixed user filter><one equality>) and nothing more
        expect(parsed.filters).toHaveLength(2);
        const eq = parsed.filters[1] as EqualityFilter;
        expect(eq).toBeInstanceOf(EqualityFilter);
        expect(eq.attribute).toBe(attr);
        // the assertion's value, as ldapts read it back from the filter text, is the string typed
        expect(eq.value).toBe(s);
      }),
      { numRuns: RUNS * 5 },
    );
  });
});

const world = inject('world');

/** Searches `d` for users matching the username filter, bound as the read-only service account. */
function directory(d: DirectoryInfo, vendor: 'other' | 'ad', attr: string) {
  const client = new Client({ url: d.url, timeout: 10_000, connectTimeout: 10_000 });
  return {
    attr,
    async open() {
      await client.bind(d.bindDn, d.bindPassword);
    },
    async find(username: string, filter = userByAttributeFilter(vendor, attr, username)): Promise<string[]> {
      const { searchEntries } = await client.search(d.usersDn, { scope: 'sub', filter, attributes: [attr], sizeLimit: 5 });
      return searchEntries.map((e) => String(e[attr]));
    },
    close: () => client.unbind(),
  };
}

describe.each([
  ['OpenLDAP', world.openldap, 'other', 'uid'],
  ['Samba AD', world.ad, 'ad', 'sAMAccountName'],
] as const)('a real search in %s with a hostile username', (_name, d, vendor, attr) => {
  const dir = directory(d, vendor, attr);
  beforeAll(() => dir.open());
  afterAll(() => dir.close());

  it('finds the one user whose name it is (the search itself works)', async () => {
    expect(await dir.find(d.users.normal)).toEqual([d.users.normal]);
  });

  it(`finds nothing and does not fail for ${RUNS} injection attempts`, async () => {
    const attempts = fc.oneof(
      hostile.filter((s) => /[*()\\\u0000]/.test(s) && !s.includes('\u0000')),
      fc.constantFrom(`${d.users.normal}*`, `*${d.users.normal.slice(1)}`, `${d.users.normal})(${attr}=*`, `*)(${attr}=*`, `*)(|(${attr}=*`, `${d.users.normal}\u0001`, `${d.users.normal}\n`),
    );
    await fc.assert(
      fc.asyncProperty(attempts, async (s) => {
        expect(await dir.find(s)).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('a NUL in a login name', () => {
  it('Samba AD ends an assertion value at an escaped \\00, so the filter builder refuses NUL instead of escaping it', async () => {
    const d = world.ad;
    const dir = directory(d, 'ad', 'sAMAccountName');
    await dir.open();
    try {
      // the RFC 4515 escape alone is not enough here: "alice\00x" finds alice
      expect(await dir.find('', `(&${'(objectClass=user)'}(sAMAccountName=${escapeFilterValue(`${d.users.normal}\u0000x`)}))`)).toEqual([d.users.normal]);
      expect(() => userByAttributeFilter('ad', 'sAMAccountName', `${d.users.normal}\u0000x`)).toThrow(/NUL/);
    } finally {
      await dir.close();
    }
  });
});
