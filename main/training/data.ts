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

type Entry = Record<string, unknown>;

function readEntries(file: string): Entry[] {
  checkReadablePath(file, 'Question file');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8').replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new Error(`${file}: not readable as JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  if (!Array.isArray(raw)) throw new Error(`${file}: expected a JSON array of { id, question, gold }`);
  return raw.map((e: unknown, i) => {
    if (typeof e !== 'object' || e === null || Array.isArray(e)) throw new Error(`${file}: entry ${i} is not an object`);
    return e as Entry;
  });
}

/** The entry's fields beyond id, question and gold, as given (name and meta included); null when there are none. */
function extraOf(e: Entry): Record<string, unknown> | null {
  const { id: _id, question: _q, gold: _g, ...rest } = e;
  return Object.keys(rest).length ? rest : null;
}

function letterOf(v: unknown): string | null {
  return typeof v === 'string' && /^[A-Za-z]\.?$/.test(v.trim()) ? v.trim().replace(/\.$/, '').toUpperCase() : null;
}

/** Questions of a MedSSR-format file (extra fields kept); throws naming the file and entry that is wrong. */
export function readMedssrFile(file: string): Candidate[] {
  const base = path.basename(file);
  return readEntries(file).map((e, i): Candidate => {
    if (typeof e.question !== 'string' || typeof e.gold !== 'string') throw new Error(`${file}: entry ${i} lacks a string "question" and "gold"`);
    const letters = optionLetters(e.question);
    const gold = e.gold.trim().toUpperCase();
    if (letters.length < 2) throw new Error(`${file}: entry ${i} (${String(e.id ?? '')}) has no "A. …" option lines`);
    if (!letters.includes(gold)) throw new Error(`${file}: entry ${i} (${String(e.id ?? '')}) has gold "${e.gold}" outside its options ${letters.join('')}`);
    return { source: `file:${base}:${String(e.id ?? i)}`, question: e.question, letters, label: gold, voteShare: null, extra: extraOf(e) };
  });
}

export interface ReleasedStage1 {
  items: Candidate[];
  /** What was read and how it was filtered, in words (the stage's source line). */
  summary: string;
}

/**
 * A released (or exported) pseudo-labelled set as stage 1 data: MedSSR's JSON shape, the label and its vote share
 * from our export contract (`meta.pseudoLabel`, `meta.voteShare`) or top-level `pseudoLabel`/`pseudo_label` and
 * `voteShare`/`vote_share`. Without a pseudo-label field `gold` is the label (a released set's answer); an entry
 * without a vote share cannot be filtered by it and is kept: the summary counts both, nothing is dropped unsaid.
 */
export function readReleasedStage1(file: string, minVoteShare: number): ReleasedStage1 {
  const base = path.basename(file);
  const items: Candidate[] = [];
  let fromGold = 0;
  let noShare = 0;
  let belowShare = 0;
  let unlabelled = 0;
  readEntries(file).forEach((e, i) => {
    if (typeof e.question !== 'string') throw new Error(`${file}: entry ${i} lacks a string "question"`);
    const letters = optionLetters(e.question);
    if (letters.length < 2) throw new Error(`${file}: entry ${i} (${String(e.id ?? '')}) has no "A. …" option lines`);
    const meta = (typeof e.meta === 'object' && e.meta !== null ? e.meta : {}) as Entry;
    const labelKey = ['pseudoLabel', 'pseudo_label'].find((k) => k in meta) ?? null;
    const topKey = ['pseudoLabel', 'pseudo_label'].find((k) => k in e) ?? null;
    const hasLabelField = labelKey !== null || topKey !== null;
    const rawLabel = labelKey ? meta[labelKey] : topKey ? e[topKey] : e.gold;
    const shareRaw = meta.voteShare ?? meta.vote_share ?? e.voteShare ?? e.vote_share ?? null;
    if (shareRaw !== null && (typeof shareRaw !== 'number' || !(shareRaw >= 0 && shareRaw <= 1))) throw new Error(`${file}: entry ${i} (${String(e.id ?? '')}) has vote share ${JSON.stringify(shareRaw)}, not a number in [0, 1]`);
    const label = letterOf(rawLabel);
    if (rawLabel !== null && rawLabel !== undefined && label === null) throw new Error(`${file}: entry ${i} (${String(e.id ?? '')}) has label ${JSON.stringify(rawLabel)}, not one letter`);
    if (label === null) {
      // A null pseudo-label is the contract for "no written answer" or a tie: not trainable.
      unlabelled++;
      return;
    }
    if (!letters.includes(label)) throw new Error(`${file}: entry ${i} (${String(e.id ?? '')}) has label "${label}" outside its options ${letters.join('')}`);
    if (!hasLabelField) fromGold++;
    if (shareRaw === null) noShare++;
    else if (shareRaw < minVoteShare) {
      belowShare++;
      return;
    }
    items.push({ source: `file:${base}:${String(e.id ?? i)}`, question: e.question, letters, label, voteShare: shareRaw, extra: extraOf(e) });
  });
  const notes = [
    belowShare ? `${belowShare} below vote share ${minVoteShare} left out` : '',
    unlabelled ? `${unlabelled} without a pseudo-label (no written answer or a tie) left out` : '',
    fromGold ? `${fromGold} without a pseudo-label field: gold taken as the label` : '',
    noShare ? `${noShare} without a vote share: kept, the vote-share filter could not apply` : '',
  ].filter(Boolean);
  return { items, summary: `${base} (${items.length}${notes.length ? `; ${notes.join('; ')}` : ''})` };
}

function outcomesBySeq(db: Db, datasetId: number): Map<number, ReviewedOutcome> {
  return new Map(reviewedOutcomes(db, [datasetId]).map((o) => [o.seq, o]));
}

export function stage1Candidates(db: Db, spec: Stage1Data): { items: Candidate[]; sources: string[]; labelled: number; noWrittenAnswer: number } {
  const fromFiles = spec.files.map((f) => readReleasedStage1(path.resolve(f), spec.minVoteShare));
  if (spec.files.length && spec.review !== 'any') throw new Error('Stage 1: the review filter applies to a dataset of this app, not to files');
  const filed = { items: fromFiles.flatMap((r) => r.items), sources: fromFiles.map((r) => r.summary), labelled: 0, noWrittenAnswer: 0 };
  if (!spec.dataset) return filed;
  const fromDataset = stage1FromDataset(db, { ...spec, dataset: spec.dataset });
  return { items: [...filed.items, ...fromDataset.items], sources: [...fromDataset.sources, ...filed.sources], labelled: fromDataset.labelled, noWrittenAnswer: fromDataset.noWrittenAnswer };
}

function stage1FromDataset(db: Db, spec: Stage1Data & { dataset: string }): { items: Candidate[]; sources: string[]; labelled: number; noWrittenAnswer: number } {
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
      extra: null,
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
      items.push({ source: `rev:${d.id}:${q.seq}`, question: formatQuestion(content.stem, content.options), letters: content.options.map((o) => o.letter), label: gold.answer, voteShare: null, extra: null });
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
