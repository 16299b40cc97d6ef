/**
 * Near-duplicate detection: MinHash signatures over word 3-shingles with LSH banding to find candidates, then
 * the exact Jaccard of the shingle sets decides (so the threshold is exact, not an estimate).
 */
import { hashString } from './rng.js';

export const SHINGLE_WORDS = 3;
const NUM_HASHES = 64;
const BANDS = 16;
const ROWS = NUM_HASHES / BANDS;

export function wordShingles(text: string, k = SHINGLE_WORDS): Set<string> {
  const words = text.toLowerCase().match(/[a-z0-9]+/g) ?? [];
  const out = new Set<string>();
  if (words.length < k) {
    if (words.length > 0) out.add(words.join(' '));
    return out;
  }
  for (let i = 0; i + k <= words.length; i++) out.add(words.slice(i, i + k).join(' '));
  return out;
}

export function exactJaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let inter = 0;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  for (const x of small) if (large.has(x)) inter++;
  return inter / (a.size + b.size - inter);
}

function mix(h: number, seed: number): number {
  let x = (h ^ seed) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

const seeds = Array.from({ length: NUM_HASHES }, (_, i) => hashString(`minhash-${i}`));

export function minhashSignature(shingles: ReadonlySet<string>): Uint32Array {
  const sig = new Uint32Array(NUM_HASHES).fill(0xffffffff);
  for (const s of shingles) {
    const h = hashString(s);
    for (let i = 0; i < NUM_HASHES; i++) {
      const v = mix(h, seeds[i] as number);
      if (v < (sig[i] as number)) sig[i] = v;
    }
  }
  return sig;
}

export interface DuplicateHit {
  id: string;
  jaccard: number;
}

export class NearDuplicateIndex {
  private readonly buckets: Map<string, string[]>[] = Array.from({ length: BANDS }, () => new Map());
  private readonly sets = new Map<string, Set<string>>();

  constructor(readonly threshold = 0.8) {}

  get size(): number {
    return this.sets.size;
  }

  private bandKeys(sig: Uint32Array): string[] {
    const keys: string[] = [];
    for (let b = 0; b < BANDS; b++) keys.push(Array.from(sig.subarray(b * ROWS, (b + 1) * ROWS)).join(','));
    return keys;
  }

  /** The most similar stored text at or above the threshold, or null. */
  findDuplicate(text: string): DuplicateHit | null {
    return this.check(wordShingles(text)).hit;
  }

  /** As findDuplicate, for a text whose shingles and signature the caller computed once for several indexes. */
  findDuplicateOf(shingles: Set<string>, signature: Uint32Array): DuplicateHit | null {
    return this.check(shingles, signature).hit;
  }

  private check(shingles: Set<string>, signature = minhashSignature(shingles)): { hit: DuplicateHit | null; keys: string[] } {
    const keys = this.bandKeys(signature);
    let best: DuplicateHit | null = null;
    const seen = new Set<string>();
    keys.forEach((key, b) => {
      for (const id of this.buckets[b]?.get(key) ?? []) {
        if (seen.has(id)) continue;
        seen.add(id);
        const j = exactJaccard(shingles, this.sets.get(id) as Set<string>);
        if (j >= this.threshold && (!best || j > best.jaccard)) best = { id, jaccard: j };
      }
    });
    return { hit: best, keys };
  }

  /** Adds the text unless a near-duplicate is stored; returns the duplicate it collided with, if any. */
  addIfNew(id: string, text: string): DuplicateHit | null {
    const shingles = wordShingles(text);
    const { hit, keys } = this.check(shingles);
    if (hit) return hit;
    this.sets.set(id, shingles);
    keys.forEach((key, b) => {
      const bucket = this.buckets[b] as Map<string, string[]>;
      const list = bucket.get(key);
      if (list) list.push(id);
      else bucket.set(key, [id]);
    });
    return null;
  }
}
