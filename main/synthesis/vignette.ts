/**
 * Clinical vignettes from Orphanet facts. The patient comes first (sex, an age inside an onset class, a family
 * history that fits the inheritance and the disorder's nature), then findings that patient can have: at least one
 * very frequent or obligate finding, at most one occasional one, no two that exclude or repeat each other, none
 * that names the answer, written as prose rather than ontology labels. Every choice is a provenance fact.
 */
import type { ProvenanceFact } from '../../api/synthesis.js';
import type { InheritanceMode, SynthDisorder, SynthPhenotype } from './disorderFacts.js';
import { exclusiveFindings, findingPatientProblem, generalises, labelLikeProblem, proseFinding, WordSet, type Sex } from './clinical/findings.js';
import { containsPhrase } from './validity.js';
import { familyHistoryText, patternsFor, type FamilyPattern } from './clinical/familyHistory.js';
import { onsetRange, patientFor, type Patient } from './clinical/patient.js';
import type { Rng } from './rng.js';

export type { Sex };

export const ANCHOR_WEIGHT = 0.9;
export const FREQUENT_WEIGHT = 0.55;
export const RARE_WEIGHT = 0.17;

export interface Vignette {
  text: string;
  findings: SynthPhenotype[];
  patient: Patient;
  sex: Sex;
  onset: string | null;
  familyPattern: FamilyPattern | null;
  familyHistoryMode: InheritanceMode | null;
  facts: ProvenanceFact[];
}

/** Weighted order without replacement (Efraimidis–Spirakis keys), so frequent findings come first more often. */
export function weightedOrder(rng: Rng, phenotypes: readonly SynthPhenotype[]): SynthPhenotype[] {
  return phenotypes
    .map((p) => ({ p, key: Math.pow(rng.next() || Number.MIN_VALUE, 1 / p.weight) }))
    .sort((a, b) => b.key - a.key)
    .map((k) => k.p);
}

export function listPhrase(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** Two findings fit one vignette: neither excludes, repeats nor generalises the other. */
export function compatibleFindings(a: string, b: string): boolean {
  return exclusiveFindings(a, b) === null && !generalises(a, b) && !generalises(b, a);
}

/** The findings this patient can show, given what must stay out of the stem. */
export function admissibleFindings(
  d: SynthDisorder,
  patient: { sex: Sex | null; ageYears: number | null },
  exclude: ReadonlySet<string> | undefined,
  avoidWords: readonly string[],
  avoidPhrases: readonly string[] = [],
): SynthPhenotype[] {
  const avoid = new WordSet(avoidWords);
  return d.phenotypes.filter(
    (p) =>
      !exclude?.has(p.hpoId) &&
      // Grouping labels ("Functional abnormality of the bladder") describe no finding a clinician would report.
      labelLikeProblem(proseFinding(p.term)) === null &&
      findingPatientProblem(p.term, patient.sex, patient.ageYears) === null &&
      !avoid.touches(p.term) &&
      !avoidPhrases.some((n) => containsPhrase(p.term, n)),
  );
}

/**
 * At least one anchor (very frequent or obligate; frequent when the disorder has no anchor this patient can
 * show), then a frequency-weighted draw with at most one occasional or very rare finding.
 */
export function chooseFindings(rng: Rng, candidates: readonly SynthPhenotype[], n: number): SynthPhenotype[] {
  const anchors = candidates.filter((p) => p.weight >= ANCHOR_WEIGHT);
  const pool = anchors.length > 0 ? anchors : candidates.filter((p) => p.weight >= FREQUENT_WEIGHT);
  const chosen: SynthPhenotype[] = [];
  if (pool.length > 0) chosen.push(pool[rng.weighted(pool.map((p) => p.weight))] as SynthPhenotype);
  let rare = chosen.filter((p) => p.weight <= RARE_WEIGHT).length;
  for (const p of weightedOrder(rng, candidates)) {
    if (chosen.length >= n) break;
    if (chosen.includes(p)) continue;
    if (p.weight <= RARE_WEIGHT && rare >= 1) continue;
    if (!chosen.every((c) => compatibleFindings(c.term, p.term))) continue;
    if (p.weight <= RARE_WEIGHT) rare++;
    chosen.push(p);
  }
  return chosen;
}

const labFinding = /\b(serum|plasma|urine|urinary|circulating|blood|level|concentration|activity|count|saturation|ferritin|transferrin|hormone|acidosis|alkalosis|lactate|enzyme)\b|(emia|uria|cytosis|penia)\b/i;
const investigationFinding = /\b(eeg|mri|ct|imaging|radiograph\w*|x-ray|biopsy|histolog\w*|electromyograph\w*|emg|nerve conduction|ecg|electrocardiogra\w*|echocardiogra\w*|electroretinogra\w*|evoked potentials?|on (mri|ct|ultrasound))\b/i;

/** Findings as sentences: the presentation, then examination, then laboratory results. */
export function findingsProse(rng: Rng, patient: Patient, findings: readonly SynthPhenotype[]): string {
  const article = /^[aeiou]/i.test(patient.phrase) || /^(8|11|18)\b|^8\d-/.test(patient.phrase) ? 'An' : 'A';
  const tests = findings.filter((f) => investigationFinding.test(f.term)).map((f) => proseFinding(f.term));
  const labs = findings.filter((f) => !investigationFinding.test(f.term) && labFinding.test(f.term)).map((f) => proseFinding(f.term));
  const clinical = findings.filter((f) => !investigationFinding.test(f.term) && !labFinding.test(f.term)).map((f) => proseFinding(f.term));
  const presenting = clinical.slice(0, clinical.length > 3 ? 2 : clinical.length);
  const examination = clinical.slice(presenting.length);
  const sentences: string[] = [];
  const who = `${article} ${patient.phrase}`;
  if (presenting.length > 0) {
    const verbs = patient.child ? ['is brought to the clinic with', 'is evaluated for'] : ['presents with', 'is evaluated for'];
    sentences.push(`${who} ${rng.pick(verbs)} ${listPhrase(presenting)}.`);
  } else sentences.push(`${who} is evaluated.`);
  if (examination.length > 0) sentences.push(`${rng.pick(['Further evaluation shows', 'Additional findings include'])} ${listPhrase(examination)}.`);
  if (labs.length > 0) sentences.push(`Laboratory studies show ${listPhrase(labs)}.`);
  if (tests.length > 0) sentences.push(`Investigations show ${listPhrase(tests)}.`);
  return sentences.join(' ');
}

export interface VignetteOptions {
  findings: number;
  familyHistory: boolean;
  /** Findings that must stay out of the vignette (e.g. the answer of a phenotype question). */
  exclude?: ReadonlySet<string>;
  /** Force the inheritance mode the family history shows (null: no mode). */
  mode?: InheritanceMode | null;
  /** Meaning words of the answer: a finding that contains one would cue it. */
  avoidWords?: readonly string[];
  /** Names that must not appear in the stem (a finding spelling one is left out). */
  avoidPhrases?: readonly string[];
}

export type VignetteResult = { ok: true; vignette: Vignette } | { ok: false; reason: string };

export function buildVignette(rng: Rng, d: SynthDisorder, opts: VignetteOptions): VignetteResult {
  const mode = opts.mode !== undefined ? opts.mode : d.inheritance.length > 0 ? rng.pick(d.inheritance) : null;
  const pattern: FamilyPattern | null = opts.familyHistory ? rng.pick(patternsFor(mode, d)) : null;
  let sex: Sex = d.sexOfFindings ?? (rng.next() < 0.5 ? 'male' : 'female');
  if (pattern === 'maternal-uncle' || pattern === 'paternal-line-y' || mode === 'X-linked recessive' || mode === 'Y-linked') sex = 'male';
  const onsets = d.onsets.filter((o) => onsetRange(o) !== null);
  const onset = onsets.length > 0 ? rng.pick(onsets) : null;
  const patient = patientFor((lo, hi) => lo + rng.int(Math.max(1, Math.floor(hi) - Math.ceil(lo) + 1)), onset, sex);
  const candidates = admissibleFindings(d, patient, opts.exclude, opts.avoidWords ?? [], opts.avoidPhrases ?? []);
  const findings = chooseFindings(rng, candidates, opts.findings);
  const needed = Math.min(opts.findings, 3);
  if (findings.length < needed) return { ok: false, reason: `only ${findings.length} findings fit a ${patient.phrase}` };
  let text = findingsProse(rng, patient, findings);
  const facts: ProvenanceFact[] = findings.map((f) => ({ kind: 'phenotype', orphaCode: d.orphaCode, value: f.hpoId, detail: `${f.term} (${f.frequency})` }));
  if (onset) facts.push({ kind: 'onset', orphaCode: d.orphaCode, value: onset });
  facts.push({ kind: 'sex', orphaCode: d.orphaCode, value: sex });
  if (pattern) {
    text += ' ' + familyHistoryText(pattern, sex, (items) => rng.pick(items));
    facts.push({ kind: 'family-history', orphaCode: d.orphaCode, value: pattern, detail: mode ?? 'none' });
  }
  return { ok: true, vignette: { text, findings, patient, sex, onset, familyPattern: pattern, familyHistoryMode: pattern && pattern !== 'none' ? mode : null, facts } };
}
