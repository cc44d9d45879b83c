// Destination zones: the longest prefix of the number that some zone lists decides the zone; a weight
// breaks the tie when two zones list the same prefix; a number no prefix matches falls into the
// catch-all zone, if the plan has one. A digit trie makes the lookup one pass over the number.
import type { Zone } from './plan-schema';

export interface ZoneMatch {
  readonly zone: string;
  /** The matched prefix without "+", or null for the catch-all zone. */
  readonly prefix: string | null;
}

interface TrieNode {
  match: ZoneMatch | null;
  weight: number;
  children: Array<TrieNode | undefined>;
}

export interface ZoneIndex {
  readonly root: TrieNode;
  readonly catchAll: ZoneMatch | null;
}

function node(): TrieNode {
  return { match: null, weight: Number.NEGATIVE_INFINITY, children: new Array<TrieNode | undefined>(10) };
}

export function buildZoneIndex(zones: readonly Zone[]): ZoneIndex {
  const root = node();
  let catchAll: ZoneMatch | null = null;
  for (const zone of zones) {
    if (zone.catchAll && catchAll === null) catchAll = Object.freeze({ zone: zone.name, prefix: null });
    const weight = zone.weight ?? 0;
    for (const written of zone.prefixes ?? []) {
      const prefix = written.startsWith('+') ? written.slice(1) : written;
      let current = root;
      for (let i = 0; i < prefix.length; i++) {
        const digit = prefix.charCodeAt(i) - 48;
        current = current.children[digit] ??= node();
      }
      // Same prefix in two zones: the higher weight wins; on equal weight the first listed stays
      // (validation refuses that case in a plan).
      if (weight > current.weight) {
        current.match = Object.freeze({ zone: zone.name, prefix });
        current.weight = weight;
      }
    }
  }
  return { root, catchAll };
}

/**
 * Zone of a number (leading "+" and the separators space, "-", "(", ")" ignored); the catch-all zone
 * when no prefix matches or the number is absent; null when there is no catch-all zone either.
 */
export function findZone(index: ZoneIndex, number: string | undefined): ZoneMatch | null {
  if (number === undefined) return index.catchAll;
  let current: TrieNode | undefined = index.root;
  let best: ZoneMatch | null = null;
  for (let i = 0; i < number.length; i++) {
    const code = number.charCodeAt(i);
    if (code === 32 || code === 45 || code === 40 || code === 41 || (code === 43 && i === 0)) continue;
    const digit = code - 48;
    if (digit < 0 || digit > 9) break;
    current = current.children[digit];
    if (current === undefined) break;
    if (current.match !== null) best = current.match;
  }
  return best ?? index.catchAll;
}
