/**
 * In-memory index over the disorders synthesis can use: an inverted HPO index so "most similar disorders"
 * (Jaccard over HPO ids) costs a walk over the answer's phenotype postings rather than a scan of every disorder.
 */
import { toSynthDisorder, type DisorderFactsInput, type SynthDisorder } from './disorderFacts.js';
import type { HpoOntology } from '../knowledge/index.js';

/** Groupings, not diagnoses: "Rare genetic disease" is never the answer to a vignette. */
export const nonDiagnosticTypes = new Set(['Category', 'Clinical group']);
export const MIN_FINDINGS = 3;
/** Hard distractors come from the head of the similarity ranking; the tail is never read. */
export const SIMILAR_KEEP = 120;

/** A classification group with more members than this is a head ("Rare genetic disease"): no medium distractors from it. */
export const MAX_GROUP_SIZE = 1000;

export interface ClassificationGroup {
  orphaCode: string;
  name: string;
  /** Steps up from the disorder (1 = direct parent). */
  distance: number;
  /** Pool disorders under the group (any depth). */
  members: SynthDisorder[];
}

export interface SimilarDisorder {
  disorder: SynthDisorder;
  jaccard: number;
}

export class KnowledgeIndex {
  readonly disorders: SynthDisorder[];
  readonly byCode = new Map<string, SynthDisorder>();
  /** Disorders that can be the answer of a vignette question. */
  readonly answerPool: SynthDisorder[];
  /** Disorders with phenotypes: candidates whose fit to a vignette can be checked. */
  readonly distractorPool: SynthDisorder[];
  readonly byBranch = new Map<string, SynthDisorder[]>();
  readonly branchNames = new Map<string, string>();
  private readonly postings = new Map<string, number[]>();
  private readonly similarCache = new Map<string, SimilarDisorder[]>();
  private readonly overlapCountCache = new Map<string, number>();
  private readonly counts: Int32Array;
  private readonly marks: Int32Array;
  private epoch = 0;
  private readonly inPool: Set<string>;
  private readonly childrenOf = new Map<string, string[]>();
  private readonly names = new Map<string, string>();
  private readonly descendantCache = new Map<string, { list: SynthDisorder[]; set: Set<string> }>();
  private readonly groupCache = new Map<string, ClassificationGroup[]>();

  /**
   * The imported HPO ontology (optional): the checker and the phenotype question then also refuse a wrong
   * option that is an ancestor of a true finding, not only one whose words say so.
   */
  readonly hpo: Pick<HpoOntology, 'idOf' | 'isAncestor'> | null;

  constructor(input: Iterable<DisorderFactsInput>, hpo: Pick<HpoOntology, 'idOf' | 'isAncestor'> | null = null) {
    this.hpo = hpo;
    this.disorders = [];
    for (const d of input) {
      const s = toSynthDisorder(d);
      if (this.byCode.has(s.orphaCode)) continue;
      this.byCode.set(s.orphaCode, s);
      this.disorders.push(s);
      this.names.set(s.orphaCode, s.name);
      for (const p of s.parents) {
        const list = this.childrenOf.get(p);
        if (list) list.push(s.orphaCode);
        else this.childrenOf.set(p, [s.orphaCode]);
      }
    }
    // A subtype's gene is inherited the way the subtype is annotated (Stickler: COL2A1 dominant, COL9A2 recessive).
    for (const d of this.disorders) {
      for (const g of d.causalGenes) {
        const sub = g.subtype ? this.byCode.get(g.subtype.orphaCode) : undefined;
        if (sub && sub.inheritance.length > 0 && g.modes.length > 0) g.modes = sub.inheritance;
      }
    }
    this.disorders.sort((a, b) => Number(a.orphaCode) - Number(b.orphaCode));
    this.distractorPool = this.disorders.filter((d) => d.phenotypes.length > 0 && !nonDiagnosticTypes.has(d.disorderType));
    this.answerPool = this.distractorPool.filter((d) => d.phenotypes.length >= MIN_FINDINGS);
    this.inPool = new Set(this.distractorPool.map((d) => d.orphaCode));
    this.counts = new Int32Array(this.distractorPool.length);
    this.marks = new Int32Array(this.distractorPool.length);
    this.distractorPool.forEach((d, i) => {
      for (const hpo of d.hpo) {
        let list = this.postings.get(hpo);
        if (!list) this.postings.set(hpo, (list = []));
        list.push(i);
      }
      for (const b of d.branches) {
        let list = this.byBranch.get(b);
        if (!list) this.byBranch.set(b, (list = []));
        list.push(d);
        const name = d.branchNames.get(b);
        if (name) this.branchNames.set(b, name);
      }
    });
  }

  /** Pool disorders under a classification node (any depth), excluding the node itself. */
  private descendants(code: string): { list: SynthDisorder[]; set: Set<string> } {
    const cached = this.descendantCache.get(code);
    if (cached) return cached;
    const set = new Set<string>();
    const stack = [...(this.childrenOf.get(code) ?? [])];
    const visited = new Set<string>();
    while (stack.length > 0) {
      const c = stack.pop() as string;
      if (visited.has(c)) continue;
      visited.add(c);
      if (this.inPool.has(c)) set.add(c);
      for (const k of this.childrenOf.get(c) ?? []) stack.push(k);
    }
    const out = { list: [...set].map((c) => this.byCode.get(c) as SynthDisorder), set };
    this.descendantCache.set(code, out);
    return out;
  }

  /**
   * The disorder's classification groups below the heads, most specific first: a root of a classification or a
   * group of more than MAX_GROUP_SIZE disorders says nothing about which disorders look alike.
   */
  groups(d: SynthDisorder): ClassificationGroup[] {
    const cached = this.groupCache.get(d.orphaCode);
    if (cached) return cached;
    const out: ClassificationGroup[] = [];
    const seen = new Set<string>([d.orphaCode]);
    let frontier = d.parents;
    for (let distance = 1; frontier.length > 0 && distance < 20; distance++) {
      const next: string[] = [];
      for (const code of frontier) {
        if (seen.has(code)) continue;
        seen.add(code);
        const node = this.byCode.get(code);
        const isRoot = !node || node.parents.length === 0;
        const members = this.descendants(code).list;
        if (!isRoot && members.length <= MAX_GROUP_SIZE) out.push({ orphaCode: code, name: this.names.get(code) ?? code, distance, members });
        if (node) next.push(...node.parents);
      }
      frontier = next;
    }
    this.groupCache.set(d.orphaCode, out);
    return out;
  }

  /** The most specific group below the heads that holds both disorders, or null. */
  sharedGroup(a: SynthDisorder, b: SynthDisorder): ClassificationGroup | null {
    for (const g of this.groups(a)) if (this.descendants(g.orphaCode).set.has(b.orphaCode)) return g;
    return null;
  }

  /** How many other disorders share at least one phenotype (cheap: no Jaccard, no sort). */
  overlapCount(target: SynthDisorder): number {
    const cached = this.overlapCountCache.get(target.orphaCode);
    if (cached !== undefined) return cached;
    const epoch = ++this.epoch;
    let n = 0;
    for (const hpo of target.hpo) {
      for (const i of this.postings.get(hpo) ?? []) {
        if (this.marks[i] !== epoch) {
          this.marks[i] = epoch;
          n++;
        }
      }
    }
    // The target itself is in its own postings when it is in the pool.
    if (this.inPool.has(target.orphaCode)) n--;
    this.overlapCountCache.set(target.orphaCode, n);
    return n;
  }

  /** Disorders sharing at least one phenotype, most similar first (Jaccard over HPO ids), ties by code. */
  similar(target: SynthDisorder): SimilarDisorder[] {
    const cached = this.similarCache.get(target.orphaCode);
    if (cached) return cached;
    const epoch = ++this.epoch;
    const touched: number[] = [];
    for (const hpo of target.hpo) {
      for (const i of this.postings.get(hpo) ?? []) {
        if (this.marks[i] !== epoch) {
          this.marks[i] = epoch;
          this.counts[i] = 0;
          touched.push(i);
        }
        this.counts[i] = (this.counts[i] as number) + 1;
      }
    }
    const jac = new Float64Array(touched.length);
    touched.forEach((i, k) => {
      const inter = this.counts[i] as number;
      const d = this.distractorPool[i] as SynthDisorder;
      jac[k] = d.orphaCode === target.orphaCode ? -1 : inter / (target.hpo.size + d.hpo.size - inter);
    });
    // Only the head of the ranking is ever used; a native numeric sort finds the cut-off cheaply.
    const sorted = Float64Array.from(jac).sort().reverse();
    const cut = Math.max(0, sorted[Math.min(SIMILAR_KEEP, sorted.length) - 1] ?? 0);
    const out: SimilarDisorder[] = [];
    touched.forEach((i, k) => {
      const j = jac[k] as number;
      if (j > 0 && j >= cut) out.push({ disorder: this.distractorPool[i] as SynthDisorder, jaccard: j });
    });
    out.sort((a, b) => b.jaccard - a.jaccard || Number(a.disorder.orphaCode) - Number(b.disorder.orphaCode));
    this.similarCache.set(target.orphaCode, out);
    return out;
  }
}

export function jaccard(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 && b.size === 0) return 0;
  let inter = 0;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  for (const x of small) if (large.has(x)) inter++;
  return inter / (a.size + b.size - inter);
}
