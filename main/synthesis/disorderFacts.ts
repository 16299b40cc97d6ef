/**
 * The knowledge a question is built from, normalised once: phenotype frequency classes become weights,
 * inheritance modes and prevalence classes are mapped onto fixed vocabularies, subtype genes are folded in.
 * Input is a structural subset of DisorderDetail so both the knowledge service and tests can supply it.
 */
import type { DisorderDetail } from '../../api/knowledge.js';
import { prevalenceClasses, type PrevalenceClass } from '../../api/synthesis.js';

export type DisorderFactsInput = Pick<
  DisorderDetail,
  'orphaCode' | 'name' | 'disorderType' | 'phenotypes' | 'genes' | 'inheritance' | 'onsets' | 'prevalences' | 'branches'
> &
  Partial<Pick<DisorderDetail, 'parents' | 'children' | 'synonyms' | 'definition'>>;

export interface SynthPhenotype {
  hpoId: string;
  term: string;
  frequency: string;
  /** Midpoint of the Orphanet frequency class; 0 for "Excluded". */
  weight: number;
}

export interface SynthGene {
  symbol: string;
  name: string;
  associationType: string;
  /** The subtype the gene is annotated on, when it is not the disorder itself. */
  subtype: { orphaCode: string; name: string } | null;
  /** Modes the gene is inherited in for this disorder: the subtype's when known, else the disorder's; none for somatic. */
  modes: InheritanceMode[];
}

export interface SynthDisorder {
  orphaCode: string;
  name: string;
  /** Orphanet's definition text (knowledge cards). */
  definition: string | null;
  disorderType: string;
  /** Phenotypes the disorder shows (Excluded ones removed). */
  phenotypes: SynthPhenotype[];
  /** HPO ids Orphanet lists as excluded (0%): safe distractor findings. */
  excludedHpo: Set<string>;
  hpo: Set<string>;
  /** hpoId -> frequency weight, for scoring how well the disorder fits a set of findings. */
  weightOf: Map<string, number>;
  /** Genes whose variants cause the disorder (own or a subtype's); susceptibility and modifier genes excluded. */
  causalGenes: SynthGene[];
  /** Every gene symbol associated in any way; never used as a distractor for this disorder. */
  allGeneSymbols: Set<string>;
  inheritance: InheritanceMode[];
  /** Orphanet's inheritance values as written ("Not applicable", "Unknown" included). */
  rawInheritance: string[];
  /** Exactly one annotated mode and nothing unknown or not applicable: an inheritance question has one key. */
  singleMode: InheritanceMode | null;
  /** Why affected people do not pass the disorder on (null when they can): no vertical pedigree then. */
  notTransmitted: string | null;
  /** The sex the disorder's sex-specific findings describe, when they describe only one. */
  sexOfFindings: 'male' | 'female' | null;
  /** Phenotypic sex is itself the question (46,XY gonadal dysgenesis, ambiguous genitalia): templates cannot write it. */
  sexDevelopment: boolean;
  /** Direct parents in the classification (ORPHA codes). */
  parents: string[];
  onsets: string[];
  prevalenceClass: PrevalenceClass;
  branches: string[];
  branchNames: Map<string, string>;
  /** Parents and children: never offered as distractors (a subtype is not a wrong answer). */
  related: Set<string>;
  /** Lower-cased name and synonyms, for the "answer named in the stem" check. */
  namesLower: string[];
}

const frequencyWeights: [RegExp, number][] = [
  [/^obligate/i, 1],
  [/^very frequent/i, 0.9],
  [/^frequent/i, 0.55],
  [/^occasional/i, 0.17],
  [/^very rare/i, 0.025],
  [/^excluded/i, 0],
];

export function frequencyWeight(frequency: string): number {
  for (const [re, w] of frequencyWeights) if (re.test(frequency.trim())) return w;
  // Unannotated associations still describe the disorder; treat them as "Frequent".
  return 0.55;
}

export const inheritanceModes = [
  'Autosomal dominant',
  'Autosomal recessive',
  'X-linked recessive',
  'X-linked dominant',
  'Mitochondrial inheritance',
  'Multigenic/multifactorial',
  'Y-linked',
  'Semi-dominant',
] as const;
export type InheritanceMode = (typeof inheritanceModes)[number];

export function normaliseInheritance(value: string): InheritanceMode | null {
  const v = value.trim().toLowerCase();
  for (const mode of inheritanceModes) if (mode.toLowerCase() === v) return mode;
  if (v.startsWith('mitochondrial')) return 'Mitochondrial inheritance';
  if (v.startsWith('multigenic') || v.includes('multifactorial')) return 'Multigenic/multifactorial';
  return null;
}

export function normalisePrevalenceClass(value: string | null | undefined): PrevalenceClass | null {
  if (!value) return null;
  const v = value.trim();
  return (prevalenceClasses as readonly string[]).includes(v) && v !== 'Unknown' ? (v as PrevalenceClass) : null;
}

/** Point prevalence first (worldwide before regional), then birth prevalence, then anything with a class. */
export function choosePrevalenceClass(prevalences: DisorderFactsInput['prevalences']): PrevalenceClass {
  const rank = (p: DisorderFactsInput['prevalences'][number]): number => {
    const type = (p.prevalenceType ?? '').toLowerCase();
    const worldwide = (p.geographic ?? '').toLowerCase() === 'worldwide' ? 0 : 1;
    if (type.startsWith('point')) return worldwide;
    if (type.startsWith('birth')) return 2 + worldwide;
    return 4 + worldwide;
  };
  let best: PrevalenceClass | null = null;
  let bestRank = Infinity;
  for (const p of prevalences) {
    const c = normalisePrevalenceClass(p.prevalenceClass);
    if (!c) continue;
    const r = rank(p);
    if (r < bestRank) {
      best = c;
      bestRank = r;
    }
  }
  return best ?? 'Unknown';
}

const causalAssociation = /^disease-causing/i;
const somaticAssociation = /somatic/i;
const lethalFinding = /\b(stillbirth|neonatal death|perinatal death|death in infancy|death in childhood|lethal|fetal death|early death|death in early adulthood)\b/i;
const profoundDisability = /\b(severe|profound) (intellectual disability|global developmental delay)\b|intellectual disability, (severe|profound)|^absent speech$|^mutism$/i;

/**
 * Whether affected people have children who inherit it: "not applicable"/"unknown" annotations, lethality and
 * dominant disorders with severe intellectual disability (nearly always de novo) rule out a vertical pedigree.
 */
export function notTransmittedReason(d: Pick<DisorderFactsInput, 'name' | 'inheritance'>, phenotypes: readonly SynthPhenotype[], modes: readonly InheritanceMode[]): string | null {
  const raw = d.inheritance.map((v) => v.trim().toLowerCase());
  if (raw.includes('not applicable')) return 'annotated "not applicable" (not inherited)';
  if (raw.includes('unknown')) return 'annotated "unknown" inheritance';
  if (/\blethal\b/i.test(d.name) || phenotypes.some((p) => p.weight >= 0.55 && lethalFinding.test(p.term))) return 'lethal before reproduction';
  if (modes.length === 1 && modes[0] === 'Autosomal dominant' && phenotypes.some((p) => p.weight >= 0.55 && profoundDisability.test(p.term))) {
    return 'typically de novo (dominant with severe intellectual disability)';
  }
  return null;
}

const femaleTerm = /\b(ovar\w*|uter\w*|menstr\w*|\w*menorrh\w*|vagin\w*|vulv\w*|clitor\w*|labia\w*|fallopian|mullerian)\b/i;
const maleTerm = /\b(test[ie]s|testic\w*|testis|scrot\w*|penis|penile|micropenis|\w*sperm\w*|cryptorchid\w*|hypospadias|prostat\w*|epididym\w*)\b/i;

export function toSynthDisorder(d: DisorderFactsInput): SynthDisorder {
  const phenotypes: SynthPhenotype[] = [];
  const excludedHpo = new Set<string>();
  const seenHpo = new Set<string>();
  for (const p of d.phenotypes) {
    if (!p.hpoId || seenHpo.has(p.hpoId)) continue;
    seenHpo.add(p.hpoId);
    const weight = frequencyWeight(p.frequency ?? '');
    if (weight === 0) excludedHpo.add(p.hpoId);
    else phenotypes.push({ hpoId: p.hpoId, term: p.term, frequency: p.frequency, weight });
  }
  const causalGenes: SynthGene[] = [];
  const allGeneSymbols = new Set<string>();
  for (const g of d.genes) {
    if (!g.symbol) continue;
    allGeneSymbols.add(g.symbol);
    if (causalAssociation.test(g.associationType ?? '') && !causalGenes.some((c) => c.symbol === g.symbol)) {
      causalGenes.push({
        symbol: g.symbol,
        name: g.name,
        associationType: g.associationType,
        subtype: g.viaChild ?? null,
        // Resolved against the subtype's own annotation by the index; until then the disorder's modes.
        modes: [],
      });
    }
  }
  const inheritance = [...new Set(d.inheritance.map(normaliseInheritance).filter((m): m is InheritanceMode => m !== null))];
  for (const g of causalGenes) g.modes = somaticAssociation.test(g.associationType) ? [] : inheritance;
  const informative = d.inheritance.filter((v) => !/^(no data available|not yet documented)$/i.test(v.trim()));
  const singleMode = informative.length === 1 && inheritance.length === 1 ? (inheritance[0] as InheritanceMode) : null;
  let female = 0;
  let male = 0;
  for (const p of phenotypes) {
    if (p.weight < 0.55) continue;
    if (femaleTerm.test(p.term)) female += p.weight;
    else if (maleTerm.test(p.term)) male += p.weight;
  }
  // One occasional cryptorchidism does not make a disorder male-only: only a sex-development disorder or one whose
  // frequent findings are sex-specific (two or more) is described in that sex.
  const sexDisorder = /46,X|sex development|gonadal|turner|klinefelter|androgen insensitivity|hermaphrod|ovar|testic|uter|m[uü]llerian|vagin|amenorrh|hypogonad/i.test(d.name);
  const sexDevelopment =
    /46,X[XY]|sex development|hermaphrod|androgen insensitivity|gonadal dysgenesis|sex reversal/i.test(d.name) ||
    phenotypes.some((p) => p.weight >= 0.55 && /ambiguous genitalia|pseudohermaphroditism|sex determination|sex reversal|in individual with 46,X/i.test(p.term));
  const sexOfFindings: 'male' | 'female' | null =
    female > 2 * male && (sexDisorder || female >= 1.1) ? 'female' : male > 2 * female && (sexDisorder || male >= 1.1) ? 'male' : null;
  const related = new Set<string>([...(d.parents ?? []), ...(d.children ?? [])].map((l) => l.orphaCode));
  const names = [d.name, ...(d.synonyms ?? [])].map((n) => n.toLowerCase()).filter((n) => n.length >= 3);
  return {
    orphaCode: d.orphaCode,
    name: d.name,
    definition: d.definition ?? null,
    disorderType: d.disorderType,
    phenotypes,
    excludedHpo,
    hpo: new Set(phenotypes.map((p) => p.hpoId)),
    weightOf: new Map(phenotypes.map((p) => [p.hpoId, p.weight])),
    causalGenes,
    allGeneSymbols,
    inheritance,
    rawInheritance: d.inheritance,
    singleMode,
    notTransmitted: notTransmittedReason(d, phenotypes, inheritance),
    // A disorder of sex development is described in the sex its findings describe (46,XY gonadal dysgenesis: women).
    sexOfFindings,
    sexDevelopment,
    parents: (d.parents ?? []).map((l) => l.orphaCode),
    onsets: d.onsets.filter((o) => !/no data/i.test(o)),
    prevalenceClass: choosePrevalenceClass(d.prevalences),
    branches: d.branches.map((b) => b.orphaCode),
    branchNames: new Map(d.branches.map((b) => [b.orphaCode, b.name])),
    related,
    namesLower: names,
  };
}
