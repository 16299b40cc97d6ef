/**
 * Builds the data snapshot of a run: stage 1 from a pseudo-labelled synthetic dataset (vote-share and review
 * filters), stage 2 from human-labelled questions (MedSSR JSON files and/or a reviewed synthetic dataset). Each
 * stage keeps a seeded held-out slice for the quick evaluation.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Stage1Data, Stage2Data, StageDataSummary } from '../../api/training.js';
import type { Db } from '../platform/db/open.js';
import { LabelingRepo } from '../labeling/index.js';
import { SynthesisRepo } from '../synthesis/index.js';
import { reviewedGold, reviewedOutcomes, type ReviewedOutcome } from '../review/index.js';
import type { TrainItem } from './store.js';
import { formatQuestion } from '../llm/index.js';
import { createRng } from '../synthesis/index.js';
import { checkReadablePath } from '../platform/safePath.js';

export type Candidate = Omit<TrainItem, 'stage' | 'split' | 'idx'>;

const optionLine = /^([A-Z])[.)]\s+\S/;

/** Option letters of a MedSSR question text: consecutive "A. …" lines from A. */
export function optionLetters(question: string): string[] {
  const found = new Set<string>();
  for (const line of question.split('\n')) {
    const m = optionLine.exec(line.trim());
    if (m) found.add(m[1] as string);
  }
  const letters: string[] = [];
  for (let c = 65; found.has(String.fromCharCode(c)); c++) letters.push(String.fromCharCode(c));
  return letters;
}

/** Questions of a MedSSR-format file (extra fields ignored); throws naming the file and entry that is wrong. */
export function readMedssrFile(file: string): Candidate[] {
  checkReadablePath(file, 'Question file');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: not readable as JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  if (!Array.isArray(raw)) throw new Error(`${file}: expected a JSON array of { id, question, gold }`);
  const base = path.basename(file);
  return raw.map((entry: unknown, i): Candidate => {
    const e = entry as { id?: unknown; question?: unknown; gold?: unknown };
    if (typeof e !== 'object' || e === null || typeof e.question !== 'string' || typeof e.gold !== 'string') {
      throw new Error(`${file}: entry ${i} lacks a string "question" and "gold"`);
    }
    const letters = optionLetters(e.question);
    const gold = e.gold.trim().toUpperCase();
    if (letters.length < 2) throw new Error(`${file}: entry ${i} (${String(e.id ?? '')}) has no "A. …" option lines`);
    if (!letters.includes(gold)) throw new Error(`${file}: entry ${i} (${String(e.id ?? '')}) has gold "${e.gold}" outside its options ${letters.join('')}`);
    return { source: `file:${base}:${String(e.id ?? i)}`, question: e.question, letters, label: gold, voteShare: null };
  });
}

function outcomesBySeq(db: Db, datasetId: number): Map<number, ReviewedOutcome> {
  return new Map(reviewedOutcomes(db, [datasetId]).map((o) => [o.seq, o]));
}

export function stage1Candidates(db: Db, spec: Stage1Data): { items: Candidate[]; sources: string[]; labelled: number; noWrittenAnswer: number } {
  const synth = new SynthesisRepo(db);
  const d = synth.find(spec.dataset, spec.version);
  if (!d) throw new Error(`Stage 1: no complete dataset named "${spec.dataset}"${spec.version ? ` with version ${spec.version}` : ''}`);
  const labels = new LabelingRepo(db).latestLabels(d.id);
  if (labels.size === 0) throw new Error(`Stage 1: dataset "${d.name}" v${d.version} has no pseudo-labels yet (run a labelling job first)`);
  const review = outcomesBySeq(db, d.id);
  const out: Candidate[] = [];
  let noWrittenAnswer = 0;
  for (const q of synth.questions(d.id, 'accepted')) {
    const l = labels.get(q.seq);
    if (l && l.voteShare === null) noWrittenAnswer++;
    // The written-answer share: a letter the recovery pass forced is not the model's agreement.
    if (!l || l.label === null || l.voteShare === null || l.voteShare < spec.minVoteShare) continue;
    const r = review.get(q.seq);
    const gold = r ? reviewedGold(r) : null;
    if (spec.review === 'not-rejected' && r?.status === 'rejected') continue;
    if (spec.review === 'approved' && !gold) continue;
    const content = r?.content ?? q;
    out.push({
      source: `syn:${d.id}:${q.seq}`,
      question: formatQuestion(content.stem, content.options),
      letters: content.options.map((o) => o.letter),
      // A reviewer's correction outranks the vote.
      label: gold?.status === 'corrected' ? gold.answer : l.label,
      voteShare: l.voteShare,
    });
  }
  return {
    items: out,
    sources: [`${d.name} v${d.version} (min written-vote share ${spec.minVoteShare}, review: ${spec.review}${review.size ? '' : ', nothing reviewed yet'})`],
    labelled: labels.size,
    noWrittenAnswer,
  };
}

export function stage2Candidates(db: Db, spec: Stage2Data): { items: Candidate[]; sources: string[] } {
  const items: Candidate[] = [];
  const sources: string[] = [];
  for (const f of spec.files) {
    const got = readMedssrFile(path.resolve(f));
    items.push(...got);
    sources.push(`${path.basename(f)} (${got.length})`);
  }
  if (spec.reviewedDataset) {
    const synth = new SynthesisRepo(db);
    const d = synth.find(spec.reviewedDataset.dataset, spec.reviewedDataset.version);
    if (!d) throw new Error(`Stage 2: no complete dataset named "${spec.reviewedDataset.dataset}"`);
    const review = outcomesBySeq(db, d.id);
    let n = 0;
    for (const q of synth.questions(d.id, 'accepted')) {
      const r = review.get(q.seq);
      const gold = r ? reviewedGold(r) : null;
      if (!r || !gold) continue;
      const content = r.content ?? q;
      items.push({ source: `rev:${d.id}:${q.seq}`, question: formatQuestion(content.stem, content.options), letters: content.options.map((o) => o.letter), label: gold.answer, voteShare: null });
      n++;
    }
    sources.push(`${d.name} v${d.version} reviewed (${n})`);
  }
  return { items, sources };
}

/** Seeded split into train and held-out items; the held-out slice never exceeds a quarter of the stage. */
export function splitStage(stage: 1 | 2, candidates: Candidate[], heldOut: number, seed: number, limit?: number): TrainItem[] {
  const order = createRng(`split:${seed}:${stage}`).shuffle(candidates.map((_, i) => i));
  const picked = limit ? order.slice(0, limit) : order;
  const nHeld = Math.min(heldOut, Math.floor(picked.length / 4));
  const out: TrainItem[] = [];
  picked.forEach((ci, k) => {
    const c = candidates[ci] as Candidate;
    const held = k < nHeld;
    out.push({ ...c, stage, split: held ? 'heldout' : 'train', idx: held ? k : k - nHeld });
  });
  return out;
}

export function summarise(items: TrainItem[], stage: 1 | 2, sources: string[]): StageDataSummary {
  const s = items.filter((i) => i.stage === stage);
  return { train: s.filter((i) => i.split === 'train').length, heldOut: s.filter((i) => i.split === 'heldout').length, sources };
}

/**
 * The prompts of step `stageStep` (1-based) of a stage: epochs over a seeded permutation of the train items, so a
 * step redone after a resume sees exactly the prompts it saw the first time.
 */
export function batchFor<T>(items: readonly T[], perStep: number, stageStep: number, seed: number, stage: 1 | 2): T[] {
  if (items.length === 0) return [];
  const out: T[] = [];
  const start = (stageStep - 1) * perStep;
  let epochCache = -1;
  let perm: number[] = [];
  for (let k = start; k < start + perStep; k++) {
    const epoch = Math.floor(k / items.length);
    if (epoch !== epochCache) {
      perm = createRng(`batch:${seed}:${stage}:${epoch}`).shuffle(items.map((_, i) => i));
      epochCache = epoch;
    }
    out.push(items[perm[k % items.length] as number] as T);
  }
  return out;
}
