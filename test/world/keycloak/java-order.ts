// Keycloak's component PUT iterates `new HashSet<>(rep.getConfig().keySet())` and `break`s on the
// first key the factory does not know (RepresentationToModel.updateComponent, keycloak.md §1.3).
// Which keys are processed before that break therefore depends on java.util.HashSet iteration
// order. We reproduce that order exactly (String.hashCode, HashMap.hash spreading, table size),
// so the emulator is deterministic yet NOT insertion-ordered — tests can show the pitfall.

/** java.lang.String#hashCode over UTF-16 code units, 32-bit overflow */
export function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

/** HashSet(Collection c): new HashMap(Math.max((int)(c.size()/.75f) + 1, 16)) → tableSizeFor */
function tableSize(n: number): number {
  const initial = Math.max(Math.floor(n / 0.75) + 1, 16);
  let cap = 1;
  while (cap < initial) cap *= 2;
  return cap;
}

/** Iteration order of `new HashSet<>(keys)` (collisions keep insertion order; no treeification at these sizes). */
export function javaHashSetOrder(keys: string[]): string[] {
  const cap = tableSize(keys.length);
  const bucket = (k: string) => {
    const h = javaStringHash(k);
    return ((h ^ (h >>> 16)) & (cap - 1)) >>> 0;
  };
  return keys
    .map((k, i) => ({ k, i, b: bucket(k) }))
    .sort((a, b) => a.b - b.b || a.i - b.i)
    .map((x) => x.k);
}
