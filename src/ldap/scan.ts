// Streaming subtree search: pages of cap+1 entries (the server may send fewer), each handed to a
// callback and dropped, stopping after `cap` entries. Memory and time are bounded by the cap, not
// by the directory.
import type { Entry } from 'ldapts';
import type { Session } from './connect.js';
import { normalizeDn, normalizeRdn, sameDn, splitDn } from './dn.js';

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
  /** seconds the server may spend on the search (0 or absent: its own limit) */
  timeLimit?: number;
}

export async function scan(session: Session, base: string, o: ScanOptions, onEntry: (e: Entry) => void): Promise<ScanResult> {
  let count = 0;
  let references = 0;
  const { client } = session;
  if (!o.paging) {
    // Without the paged-results control ask for one more than the cap: ldapts keeps the entries
    // when the server stops with sizeLimitExceeded because we set the limit.
    const r = await session.op(client.search(base, { scope: 'sub', filter: o.filter, attributes: o.attributes, sizeLimit: o.cap + 1, ...(o.timeLimit ? { timeLimit: o.timeLimit } : {}) }));
    references = r.searchReferences.length;
    for (const e of r.searchEntries.slice(0, o.cap)) onEntry(e);
    return { count: Math.min(r.searchEntries.length, o.cap), capped: r.searchEntries.length > o.cap, references };
  }
  // One page holds the cap and the entry that says "more than cap" wherever the server allows that
  // page size (AD stops pages at MaxPageSize, 1000). Smaller pages would fetch up to a page past
  // the cap (pages of 500 read 1,500 entries for a cap of 1,000) and cost a round trip each.
  const pageSize = o.cap + 1;
  const it = client.searchPaginated(base, { scope: 'sub', filter: o.filter, attributes: o.attributes, paged: { pageSize }, ...(o.timeLimit ? { timeLimit: o.timeLimit } : {}) })[Symbol.asyncIterator]();
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
  private readonly baseKey: string;

  constructor(base: string) {
    this.baseKey = normalizeDn(base);
  }

  add(dn: string): void {
    // One split per entry (it runs for every user scanned): the ancestors are the suffixes of its RDNs.
    const rdns = splitDn(dn);
    const keys = rdns.map(normalizeRdn);
    const b = this.baseKey;
    for (let i = 1; i < rdns.length; i++) {
      const key = keys.slice(i).join(',');
      const c = this.counts.get(key);
      if (c) c.users++;
      else this.counts.set(key, { dn: rdns.slice(i).join(','), users: 1, depth: rdns.length - i });
      if (key === b || !(b === '' || key.endsWith(',' + b))) break;
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
