/**
 * Export in MedSSR's benchmark format (id, question with "A. …" lines, gold, name) plus `meta` with the
 * provenance a later stage needs. For synthetic data `gold` is the knowledge-derived intended answer; the
 * pseudo-label travels in meta.
 */
import type { MedssrItem, VoteMeta } from '../../api/datasets.js';
import type { PseudoLabel } from '../../api/synthesis.js';

export type { MedssrItem } from '../../api/datasets.js';
import { writeFileAtomic } from '../platform/atomicFile.js';
import type { Db } from '../platform/db/open.js';
import { LabelingRepo } from './store.js';
import { SynthesisRepo } from '../synthesis/index.js';
import { formatQuestion } from '../llm/index.js';

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
