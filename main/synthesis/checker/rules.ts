/**
 * The question checker: named medical-consistency rules every generated question passes, whichever generator
 * wrote it. Each rule reads the stem itself (age and sex as written) and the structured facts the generator
 * says it used; a failing rule gives the reason kept on the rejected question.
 */
import type { CheckResult, QuestionType, SynthQuestion } from '../../../api/synthesis.js';
import type { SynthDisorder } from '../disorderFacts.js';
import { contentWords, exclusiveFindings, generalises, isSelfReported, labelLikeProblem, SELF_REPORT_MIN_YEARS, sexOfFinding, formatAge, minimumAge, WordSet } from '../clinical/findings.js';
import { familyPatternProblem, patternModes, type FamilyPattern } from '../clinical/familyHistory.js';
import { onsetRange, readPatient } from '../clinical/patient.js';
import { fitsWorse } from '../fit.js';
import type { KnowledgeIndex } from '../knowledgeIndex.js';
import { questionTypeModule } from '../questionTypes/index.js';
import { admissibleFindings, ANCHOR_WEIGHT, FREQUENT_WEIGHT, RARE_WEIGHT } from '../vignette.js';

/** A question before it is stored (the template generator's draft). */
type Draft = Omit<SynthQuestion, 'id' | 'status' | 'rejectReason'>;

/** What a generator says it put into the question, judged beside the text. */
export interface CheckFacts {
  findings: { hpoId: string | null; term: string }[];
  familyPattern: FamilyPattern | null;
  keyedGene: string | null;
  /** The finding a phenotype question asks for. */
  askedFinding: string | null;
  distractors: { text: string; orphaCode: string | null }[];
  namesNotInStem: string[];
}

export interface CheckSubject {
  draft: Draft;
  answerText: string;
  answer: SynthDisorder;
  facts: CheckFacts;
  index: KnowledgeIndex;
}

interface Context extends CheckSubject {
  patient: ReturnType<typeof readPatient>;
  /** The stem without its closing question. */
  vignetteText: string;
  cueWords: string[];
}

export interface CheckRule {
  name: string;
  /** What the rule holds, as shown on the Synthesis page. */
  title: string;
  /** Null when the question passes, else why not. */
  check(c: Context): string | null;
}

export type { CheckResult };

function firstProblem<T>(items: readonly T[], f: (x: T) => string | null): string | null {
  for (const x of items) {
    const p = f(x);
    if (p) return p;
  }
  return null;
}

function pairs<T>(items: readonly T[], f: (a: T, b: T) => string | null): string | null {
  for (let i = 0; i < items.length; i++) for (let j = i + 1; j < items.length; j++) {
    const p = f(items[i] as T, items[j] as T);
    if (p) return p;
  }
  return null;
}

/** Types keyed to a gene, which the gene-key rule checks. */
const geneTypes: ReadonlySet<QuestionType> = new Set(['gene', 'next-investigation']);

/** Words whose presence in the vignette would give the key away: each question type says which (its module). */
export function cueWordsFor(questionType: QuestionType, answer: SynthDisorder, facts: Pick<CheckFacts, 'askedFinding' | 'keyedGene'>): string[] {
  return questionTypeModule(questionType).cueWords(answer, facts);
}

function allFindingTerms(c: Context): string[] {
  return c.facts.findings.map((f) => f.term);
}

export const checkRules: CheckRule[] = [
  {
    name: 'sex-specific-finding',
    title: 'Sex-specific anatomy and functions match the patient’s sex',
    check: (c) =>
      firstProblem([...allFindingTerms(c), ...(c.facts.askedFinding ? [c.facts.askedFinding] : [])], (t) => {
        const s = sexOfFinding(t);
        return s && c.patient.sex && s !== c.patient.sex ? `"${t}" is ${s}-specific but the patient is ${c.patient.sex}` : null;
      }),
  },
  {
    name: 'self-report-in-young-child',
    title: `No self-reported symptom (pain, fatigue, vertigo, …) before age ${SELF_REPORT_MIN_YEARS}`,
    check: (c) =>
      c.patient.ageYears === null
        ? null
        : firstProblem(allFindingTerms(c), (t) => (isSelfReported(t) && (c.patient.ageYears as number) < SELF_REPORT_MIN_YEARS ? `"${t}" reported by a patient aged ${formatAge(c.patient.ageYears as number)}` : null)),
  },
  {
    name: 'finding-too-early',
    title: 'No adult-only event or finding before the age it can be judged (infertility, menstruation, intellectual disability…)',
    check: (c) =>
      c.patient.ageYears === null
        ? null
        : firstProblem([...allFindingTerms(c), ...(c.facts.askedFinding ? [c.facts.askedFinding] : [])], (t) => {
            const min = minimumAge(t);
            if (!min || isSelfReported(t)) return null;
            return (c.patient.ageYears as number) < min.years ? `"${t}" in a patient aged ${formatAge(c.patient.ageYears as number)} (${min.why})` : null;
          }),
  },
  {
    name: 'age-outside-onset',
    title: 'The patient’s age lies in one of the disorder’s onset classes',
    check: (c) => {
      const ranges = c.answer.onsets.map(onsetRange).filter((r): r is [number, number] => r !== null);
      if (ranges.length === 0 || c.patient.ageYears === null) return null;
      const age = c.patient.ageYears;
      return ranges.some(([lo, hi]) => age >= lo - 1e-9 && age <= hi + 1e-9) ? null : `age ${formatAge(age)} is outside the onset classes ${c.answer.onsets.join(', ')}`;
    },
  },
  {
    name: 'exclusive-findings',
    title: 'No mutually exclusive findings together (hypo-/hyper-, micro-/macro-, anophthalmia with eye findings)',
    check: (c) => pairs([...allFindingTerms(c), ...(c.facts.askedFinding ? [c.facts.askedFinding] : [])], exclusiveFindings),
  },
  {
    name: 'redundant-findings',
    title: 'No finding repeated by a broader one ("hypotonia" beside "axial hypotonia")',
    check: (c) => pairs(allFindingTerms(c), (a, b) => (generalises(a, b) || generalises(b, a) ? `"${a}" and "${b}" say the same thing` : null)),
  },
  {
    name: 'family-history',
    title: 'The family history fits the annotated inheritance and whether the disorder is transmitted',
    check: (c) => (c.facts.familyPattern ? familyPatternProblem(c.facts.familyPattern, c.answer, c.patient.sex) : null),
  },
  {
    name: 'gene-key',
    title: 'Gene questions are keyed to a disease-causing gene of the disorder or of a subtype matching the pedigree',
    check: (c) => {
      if (!geneTypes.has(c.draft.questionType)) return null;
      const gene = c.answer.causalGenes.find((g) => g.symbol === c.facts.keyedGene);
      if (!gene) return `the key ${c.facts.keyedGene ?? '(none)'} is not a disease-causing gene of ${c.answer.name}`;
      const pattern = c.facts.familyPattern;
      if (pattern && pattern !== 'none' && !patternModes[pattern].some((m) => gene.modes.includes(m))) {
        return `${gene.symbol} is inherited ${gene.modes.join('/') || 'somatically'}${gene.subtype ? ` (${gene.subtype.name})` : ''}, but the pedigree shows ${pattern}`;
      }
      return firstProblem(c.facts.distractors, (d) => {
        const symbol = d.text.match(/\b[A-Z0-9][A-Z0-9-]{1,}\b/g)?.find((s) => c.answer.allGeneSymbols.has(s));
        return symbol ? `wrong option ${d.text} is a gene of ${c.answer.name}` : null;
      });
    },
  },
  {
    name: 'inheritance-single-mode',
    title: 'Inheritance questions only for disorders with one annotated mode',
    check: (c) => {
      if (c.draft.questionType !== 'inheritance') return null;
      if (!c.answer.singleMode) return `${c.answer.name} is annotated ${c.answer.rawInheritance.join(', ') || 'with no mode'}`;
      if (c.answerText !== c.answer.singleMode) return `the key ${c.answerText} is not the annotated ${c.answer.singleMode}`;
      return firstProblem(c.facts.distractors, (d) => ((c.answer.inheritance as string[]).includes(d.text) ? `wrong option ${d.text} is a mode of ${c.answer.name}` : null));
    },
  },
  {
    name: 'cueing',
    title: 'No distinctive word of the answer in the vignette (generic words such as syndrome, type, familial excepted)',
    check: (c) => {
      const words = new WordSet(c.cueWords);
      const hit = contentWords(c.vignetteText).find((w) => words.has(w));
      return hit ? `"${hit}" in the stem cues the answer` : null;
    },
  },
  {
    name: 'wrong-option-is-true',
    title: 'No wrong option that is a true finding of the answer or a broader version of one (by words; by HPO ancestors when hp.obo is imported)',
    check: (c) => {
      if (c.draft.questionType !== 'phenotype') return null;
      const answerWords = new WordSet(c.answer.phenotypes.flatMap((p) => contentWords(p.term)));
      return firstProblem(c.facts.distractors, (d) => {
        const exact = c.answer.phenotypes.find((p) => p.term.toLowerCase() === d.text.toLowerCase());
        if (exact) return `wrong option "${d.text}" is a finding of ${c.answer.name}`;
        const general = c.answer.phenotypes.find((p) => generalises(d.text, p.term));
        if (general) return `wrong option "${d.text}" generalises "${general.term}"`;
        const hpo = c.index.hpo;
        const id = hpo?.idOf(d.text);
        if (hpo && id) {
          const same = c.answer.phenotypes.find((p) => p.hpoId === id);
          if (same) return `wrong option "${d.text}" is ${same.term} (${id}), a finding of ${c.answer.name}`;
          const below = c.answer.phenotypes.find((p) => hpo.isAncestor(id, p.hpoId));
          if (below) return `wrong option "${d.text}" (${id}) is an HPO ancestor of "${below.term}" (${below.hpoId})`;
        }
        return answerWords.touches(d.text) ? `wrong option "${d.text}" shares its meaning with a finding of ${c.answer.name}` : null;
      });
    },
  },
  {
    name: 'difficulty-by-design',
    title: 'Medium distractors share the answer’s most specific classification group; hard ones share its phenotypes',
    check: (c) => {
      const { difficulty } = c.draft;
      if (difficulty === 'easy') return null;
      return firstProblem(c.facts.distractors, (d) => {
        const other = d.orphaCode ? c.index.byCode.get(d.orphaCode) : undefined;
        if (!other) return null;
        if (difficulty === 'medium' && !c.index.sharedGroup(c.answer, other)) return `medium distractor ${other.name} shares no classification group below the heads`;
        if (difficulty === 'hard' && ![...other.hpo].some((h) => c.answer.hpo.has(h))) return `hard distractor ${other.name} shares no phenotype`;
        return null;
      });
    },
  },
  {
    name: 'distractor-fits-worse',
    title: 'Every disorder offered as a wrong answer explains the findings worse than the key',
    check: (c) => {
      if (c.draft.questionType === 'phenotype' || c.draft.questionType === 'inheritance') return null;
      const ids = c.facts.findings.map((f) => f.hpoId).filter((h): h is string => h !== null);
      return firstProblem(c.facts.distractors, (d) => {
        const other = d.orphaCode ? c.index.byCode.get(d.orphaCode) : undefined;
        return other && !fitsWorse(ids, c.answer, other) ? `${other.name} explains the findings as well as the key` : null;
      });
    },
  },
  {
    name: 'findings-by-frequency',
    title: 'At least one very frequent or obligate finding, at most one occasional',
    check: (c) => {
      const weights = c.facts.findings.map((f) => (f.hpoId ? (c.answer.weightOf.get(f.hpoId) ?? 0) : 0));
      const rare = weights.filter((w) => w <= RARE_WEIGHT).length;
      if (rare > 1) return `${rare} occasional or very rare findings`;
      const asked = c.answer.phenotypes.find((p) => p.term === c.facts.askedFinding);
      const admissible = admissibleFindings(c.answer, c.patient, asked ? new Set([asked.hpoId]) : undefined, c.cueWords, c.facts.namesNotInStem);
      const need = admissible.some((p) => p.weight >= ANCHOR_WEIGHT) ? ANCHOR_WEIGHT : admissible.some((p) => p.weight >= FREQUENT_WEIGHT) ? FREQUENT_WEIGHT : 0;
      return weights.some((w) => w >= need) ? null : `no ${need >= ANCHOR_WEIGHT ? 'very frequent or obligate' : 'frequent'} finding shown`;
    },
  },
  {
    name: 'clinical-prose',
    title: 'Findings written as clinical prose, not ontology labels',
    check: (c) => labelLikeProblem(c.vignetteText),
  },
];

export const checkRuleNames = checkRules.map((r) => r.name);

const familySentence = /\b(mother|father|parents?|siblings?|brother|sister|uncle|aunt|relatives?|cousins?|grand(parent|father|mother)s?|family|generations)\b/i;

/** The stem's clinical sentences: without its closing question and the family history (neither describes the patient's findings). */
function vignetteOf(stem: string): string {
  const sentences = stem.trim().split(/(?<=[.?!])\s+/);
  if (sentences.length > 1 && sentences[sentences.length - 1]?.endsWith('?')) sentences.pop();
  return sentences.filter((s, i) => i === 0 || !familySentence.test(s)).join(' ');
}

/** Every rule's result, in rule order. */
export function checkQuestion(s: CheckSubject): CheckResult[] {
  const c: Context = {
    ...s,
    patient: readPatient(s.draft.stem),
    vignetteText: vignetteOf(s.draft.stem),
    cueWords: cueWordsFor(s.draft.questionType, s.answer, s.facts),
  };
  return checkRules.map((r) => {
    const problem = r.check(c);
    return problem ? { rule: r.name, passed: false, detail: problem } : { rule: r.name, passed: true };
  });
}
