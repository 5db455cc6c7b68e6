// Streaming subtree search: pages of at most 500 entries, each handed to a callback and dropped,
// stopping after `cap` entries. Memory and time are bounded by the cap, not by the directory.
import type { Entry } from 'ldapts';
import type { Session } from './connect.js';
import { isUnder, normalizeDn, parentDn, sameDn, splitDn } from './dn.js';

export interface ScanResult {
  /** entries handed to onEntry (≤ cap) */
  count: number;
  /** more than `cap` entries matched */
  capped: boolean;
  /** continuation references seen (AD domain roots return some) */
  references: number;
}

export interface ScanOptions {
  filter: string;
  attributes: string[];
  cap: number;
  paging: boolean;
}

export async function scan(session: Session, base: string, o: ScanOptions, onEntry: (e: Entry) => void): Promise<ScanResult> {
  let count = 0;
  let references = 0;
  const { client } = session;
  if (!o.paging) {
    // Without the paged-results control ask for one more than the cap: ldapts keeps the entries
    // when the server stops with sizeLimitExceeded because we set the limit.
    const r = await session.op(client.search(base, { scope: 'sub', filter: o.filter, attributes: o.attributes, sizeLimit: o.cap + 1 }));
    references = r.searchReferences.length;
    for (const e of r.searchEntries.slice(0, o.cap)) onEntry(e);
    return { count: Math.min(r.searchEntries.length, o.cap), capped: r.searchEntries.length > o.cap, references };
  }
  const pageSize = Math.max(1, Math.min(500, o.cap + 1));
  const it = client.searchPaginated(base, { scope: 'sub', filter: o.filter, attributes: o.attributes, paged: { pageSize } })[Symbol.asyncIterator]();
  for (;;) {
    const page = await session.op(it.next());
    if (page.done) break;
    references += page.value.searchReferences.length;
    for (const e of page.value.searchEntries) {
      if (count === o.cap) {
        // the (cap+1)th entry: enough to say "more than cap"; abandon the rest
        await session.op(it.return?.(undefined) ?? Promise.resolve(undefined)).catch(() => {});
        return { count, capped: true, references };
      }
      onEntry(e);
      count++;
    }
  }
  return { count, capped: false, references };
}

/**
 * Counts users per container (every ancestor between the entry and `base`), to suggest users DNs
 * that actually hold users. Bounded: at most cap × depth keys.
 */
export class ContainerCounter {
  private readonly counts = new Map<string, { dn: string; users: number; depth: number }>();

  constructor(private readonly base: string) {}

  add(dn: string): void {
    const stop = normalizeDn(this.base);
    for (let p = parentDn(dn); p !== undefined; p = parentDn(p)) {
      const key = normalizeDn(p);
      const c = this.counts.get(key);
      if (c) c.users++;
      else this.counts.set(key, { dn: p, users: 1, depth: splitDn(p).length });
      if (key === stop || !isUnder(p, this.base)) break;
    }
  }

  /** Best users DNs: most users first; on a tie the broader container (it also covers future siblings). Naming-context roots are left out (AD referrals). */
  top(n: number, roots: string[]): { dn: string; users: number }[] {
    return [...this.counts.values()]
      .filter((c) => !roots.some((r) => sameDn(r, c.dn)))
      .sort((a, b) => b.users - a.users || a.depth - b.depth)
      .slice(0, n)
      .map(({ dn, users }) => ({ dn, users }));
  }
}

/** Scans `base` for users (DNs only) and ranks the containers that hold them. */
export async function findCandidates(session: Session, base: string, filter: string, roots: string[], cap: number, paging: boolean): Promise<{ dn: string; users: number }[]> {
  const counter = new ContainerCounter(base);
  await scan(session, base, { filter, attributes: ['1.1'], cap, paging }, (e) => counter.add(e.dn));
  return counter.top(5, roots);
}
