/**
 * Export in MedSSR's benchmark format (id, question with "A. …" lines, gold, name) plus `meta` with the
 * provenance a later stage needs. For synthetic data `gold` is the knowledge-derived intended answer; the
 * pseudo-label travels in meta.
 */
import type { CheckResult, QuestionType, Difficulty, PseudoLabel } from '../../api/synthesis.js';
import { writeFileAtomic } from '../platform/atomicFile.js';
import type { Db } from '../platform/db/open.js';
import { LabelingRepo } from './store.js';
import { SynthesisRepo } from '../synthesis/index.js';
import { formatQuestion } from '../llm/index.js';
import type { VoteMeta } from './vote.js';

export interface MedssrItem {
  id: string;
  question: string;
  gold: string;
  name: string;
  meta: {
    questionType: QuestionType;
    difficulty: Difficulty;
    orphaCodes: string[];
    intendedAnswer: string;
    dataset: string;
    version: number;
    generator: string;
    /** The seed question rewritten (`<set>:<id>`); null for template questions. */
    seedId: string | null;
    /** True when a rare-disease knowledge card was injected. */
    knowledge: boolean;
    /** Provenance ids of the card facts the question used. */
    factsUsed: string[];
    /** The question checker's rules and results. */
    checks: CheckResult[];
  } & Partial<VoteMeta>;
}

export function exportMedssr(db: Db, name: string, version?: number): MedssrItem[] {
  const synth = new SynthesisRepo(db);
  const dataset = synth.find(name, version);
  if (!dataset) throw new Error(`No complete dataset named "${name}"${version ? ` with version ${version}` : ''}`);
  const labels = new LabelingRepo(db).latestLabels(dataset.id);
  return synth.questions(dataset.id, 'accepted').map((q) => {
    const l = labels.get(q.seq);
    return {
      id: q.id,
      question: formatQuestion(q.stem, q.options),
      gold: q.intendedAnswer,
      name: dataset.name,
      meta: {
        questionType: q.questionType,
        difficulty: q.difficulty,
        orphaCodes: q.provenance.orphaCodes,
        intendedAnswer: q.intendedAnswer,
        dataset: dataset.name,
        version: dataset.version,
        generator: q.provenance.generator.kind,
        seedId: q.provenance.seedId ?? null,
        knowledge: q.provenance.knowledge ?? false,
        factsUsed: q.provenance.factsUsed ?? [],
        checks: q.provenance.checks ?? [],
        ...(l ? voteMeta(l) : {}),
      },
    };
  });
}

/** The export contract of a labelled item: written votes, recovered letters apart, the written share. */
export function voteMeta(l: Pick<PseudoLabel, 'label' | 'votes' | 'recovered' | 'voteShare' | 'tie' | 'rarelyAnswered'>): VoteMeta {
  return { votes: l.votes, recovered: l.recovered, voteShare: l.voteShare, pseudoLabel: l.voteShare === null || l.tie ? null : l.label, tie: l.tie, rarelyAnswered: l.rarelyAnswered };
}

/** Write to a temporary file beside the target, then rename: readers never see half a file. */
export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`);
}
