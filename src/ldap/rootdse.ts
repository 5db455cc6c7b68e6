// rootDSE: which server this is (for the vendor default and the user filter), where its data lives
// (namingContexts) and whether it pages (the 1.2.840.113556.1.4.319 control).
import type { Session } from './connect.js';
import type { Vendor } from './types.js';

export const AD_CAPABILITY = '1.2.840.113556.1.4.800';
const AD_LDS_CAPABILITY = '1.2.840.113556.1.4.1851';
export const PAGED_RESULTS_OID = '1.2.840.113556.1.4.319';

export interface RootDse {
  vendor?: Vendor;
  vendorName?: string;
  vendorVersion?: string;
  namingContexts: string[];
  defaultNamingContext?: string;
  supportsPaging: boolean;
  /** AD: the Global Catalog answers (isGlobalCatalogReady) */
  globalCatalog?: boolean;
}

const list = (v: unknown): string[] =>
  v === undefined ? [] : (Array.isArray(v) ? v : [v]).map((x) => (Buffer.isBuffer(x) ? x.toString('utf8') : String(x)));

/** Attribute lookup that ignores case (servers return names in their own case). */
export function attr(entry: Record<string, unknown>, name: string): string[] {
  // servers usually answer in the case asked for: one lookup instead of a scan (this runs for every user scanned)
  const exact = entry[name];
  if (exact !== undefined) return list(exact);
  const want = name.toLowerCase();
  for (const [k, v] of Object.entries(entry)) if (k.toLowerCase() === want) return list(v);
  return [];
}

export function detectVendor(e: Record<string, unknown>): { vendor?: Vendor; vendorName?: string } {
  const caps = attr(e, 'supportedCapabilities');
  const vendorName = attr(e, 'vendorName')[0];
  if (caps.includes(AD_CAPABILITY) || caps.includes(AD_LDS_CAPABILITY)) return { vendor: 'ad', vendorName: vendorName ?? 'Active Directory' };
  const n = (vendorName ?? '').toLowerCase();
  if (n.includes('red hat') || n.includes('389') || n.includes('fedora')) return { vendor: 'rhds', vendorName };
  if (n.includes('novell') || n.includes('netiq') || n.includes('micro focus')) return { vendor: 'edirectory', vendorName };
  if (n.includes('ibm')) return { vendor: 'tivoli', vendorName };
  if (attr(e, 'objectClass').some((c) => c.toLowerCase() === 'openldaprootdse')) return { vendor: 'other', vendorName: vendorName ?? 'OpenLDAP' };
  return vendorName ? { vendor: 'other', vendorName } : {};
}

export async function readRootDse(session: Session): Promise<RootDse> {
  const { searchEntries } = await session.op(
    session.client.search('', {
      scope: 'base',
      filter: '(objectClass=*)',
      attributes: ['namingContexts', 'defaultNamingContext', 'supportedControl', 'supportedCapabilities', 'vendorName', 'vendorVersion', 'objectClass', 'isGlobalCatalogReady'],
    }),
  );
  const e = (searchEntries[0] ?? { dn: '' }) as Record<string, unknown>;
  const { vendor, vendorName } = detectVendor(e);
  const r: RootDse = {
    namingContexts: attr(e, 'namingContexts'),
    supportsPaging: attr(e, 'supportedControl').includes(PAGED_RESULTS_OID),
  };
  if (vendor) r.vendor = vendor;
  if (vendorName) r.vendorName = vendorName;
  const version = attr(e, 'vendorVersion')[0];
  if (version) r.vendorVersion = version;
  const def = attr(e, 'defaultNamingContext')[0];
  if (def) r.defaultNamingContext = def;
  const gc = attr(e, 'isGlobalCatalogReady')[0];
  if (gc !== undefined) r.globalCatalog = gc.toUpperCase() === 'TRUE';
  return r;
}

/** The naming contexts worth searching for users (AD's configuration/schema/DNS partitions hold none). */
export function dataContexts(r: RootDse): string[] {
  if (r.defaultNamingContext) return [r.defaultNamingContext];
  return r.namingContexts.filter((nc) => !/^(cn=config|cn=schema|cn=configuration|cn=monitor|o=netscaperoot|cn=changelog)\b/i.test(nc) && !/^dc=(domaindnszones|forestdnszones),/i.test(nc));
}
