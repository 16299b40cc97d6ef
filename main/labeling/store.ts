/** SQL for pseudo-labelling runs: one row per labelled question, one per sample (full text kept). */
import type { Statement } from 'better-sqlite3';
import type { LabelSample, PseudoLabel } from '../../api/synthesis.js';
import { unfinishedRunState } from '../platform/jobs/runState.js';
import { JobsRepo } from '../platform/jobs/store.js';
import type { Db } from '../platform/db/open.js';

export interface LabelRunRow {
  id: number;
  datasetId: number;
  modelPath: string;
  adapterPath: string | null;
  settings: unknown;
  /** 'complete' when stored as finished, otherwise the state of the job that made it (see unfinishedRunState). */
  state: LabelRunState;
  /** The job's error when the run failed. */
  error: string | null;
  jobId: string | null;
}

export type LabelRunState = 'complete' | 'queued' | 'running' | 'failed' | 'cancelled' | 'interrupted' | 'incomplete';

interface RawRun {
  id: number;
  dataset_id: number;
  model_path: string;
  adapter_path: string | null;
  settings: string;
  state: 'running' | 'complete';
  job_id: string | null;
}


const toRun = (r: RawRun, jobs: JobsRepo): LabelRunRow => ({
  id: r.id,
  datasetId: r.dataset_id,
  modelPath: r.model_path,
  adapterPath: r.adapter_path,
  settings: JSON.parse(r.settings) as unknown,
  ...(r.state === 'complete' ? { state: 'complete' as const, error: null } : unfinishedRunState(jobs, r.job_id)),
  jobId: r.job_id,
});

export interface StoredLabel extends PseudoLabel {
  seq: number;
  runId: number;
  tokens: number;
}

type RawLabel = RawVoteColumns & {
  run_id: number;
  question_seq: number;
  agrees: number | null;
  tokens: number;
};

/** The vote columns of a lab_labels row, as every reader maps them. */
export interface RawVoteColumns {
  label: string | null;
  votes: string;
  recovered: string;
  vote_share: number;
  tie: number;
  written: number | null;
  sample_count: number | null;
}

export function voteColumns(r: RawVoteColumns): Pick<PseudoLabel, 'label' | 'votes' | 'recovered' | 'voteShare' | 'tie' | 'written' | 'sampleCount' | 'rarelyAnswered'> {
  const votes = JSON.parse(r.votes) as Record<string, number>;
  // Rows without counts were imported without samples: their votes are all we know.
  const written = r.written ?? Object.values(votes).reduce((a, b) => a + b, 0);
  const sampleCount = r.sample_count ?? written;
  return {
    label: r.label,
    votes,
    recovered: JSON.parse(r.recovered) as Record<string, number>,
    voteShare: written === 0 && r.written !== null ? null : r.vote_share,
    tie: r.tie === 1,
    written,
    sampleCount,
    rarelyAnswered: written * 2 < sampleCount,
  };
}

export class LabelingRepo {
  private readonly samples: Statement;
  private readonly insertLabel: Statement;
  private readonly insertSample: Statement;
  private readonly latestOne: Statement;
  private readonly labelled: Statement;
  private readonly stamp: Statement;
  private readonly jobs: JobsRepo;

  // Prepared once: saving a label runs per labelled question, and the stamp and latest label per Review read.
  constructor(private readonly db: Db) {
    this.samples = db.prepare('SELECT idx, text, extracted, recovered, tokens FROM lab_samples WHERE run_id = ? AND question_seq = ? ORDER BY idx');
    this.insertLabel = db.prepare(
      `INSERT INTO lab_labels (run_id, dataset_id, question_seq, label, votes, recovered, vote_share, tie, written, sample_count, agrees, tokens, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertSample = db.prepare(`INSERT INTO lab_samples (run_id, question_seq, idx, text, extracted, recovered, tokens) VALUES (?, ?, ?, ?, ?, ?, ?)`);
    this.latestOne = db.prepare('SELECT * FROM lab_labels WHERE dataset_id = ? AND question_seq = ? ORDER BY run_id DESC LIMIT 1');
    this.labelled = db.prepare('SELECT COUNT(DISTINCT question_seq) FROM lab_labels WHERE dataset_id = ?').pluck();
    this.stamp = db.prepare(`SELECT COUNT(*) || ':' || IFNULL(MAX(run_id), 0) FROM lab_labels WHERE dataset_id = ?`).pluck();
    this.jobs = new JobsRepo(db);
  }

  createRun(r: { datasetId: number; modelPath: string; adapterPath: string | null; settings: unknown; jobId: string | null }): LabelRunRow {
    const info = this.db
      .prepare(`INSERT INTO lab_runs (dataset_id, model_path, adapter_path, settings, state, created_at, job_id) VALUES (?, ?, ?, ?, 'running', ?, ?)`)
      .run(r.datasetId, r.modelPath, r.adapterPath, JSON.stringify(r.settings), new Date().toISOString(), r.jobId);
    return this.run(Number(info.lastInsertRowid)) as LabelRunRow;
  }

  run(id: number): LabelRunRow | null {
    const r = this.db.prepare('SELECT * FROM lab_runs WHERE id = ?').get(id) as RawRun | undefined;
    return r ? toRun(r, this.jobs) : null;
  }

  runByJob(jobId: string): LabelRunRow | null {
    const r = this.db.prepare('SELECT * FROM lab_runs WHERE job_id = ? ORDER BY id DESC LIMIT 1').get(jobId) as RawRun | undefined;
    return r ? toRun(r, this.jobs) : null;
  }

  labelledSeqs(runId: number): Set<number> {
    return new Set(this.db.prepare('SELECT question_seq FROM lab_labels WHERE run_id = ?').pluck().all(runId) as number[]);
  }

  /** One question's label and all its samples, together or not at all. */
  saveLabel(runId: number, datasetId: number, seq: number, label: PseudoLabel, tokens: number): void {
    this.db.transaction(() => {
      this.insertLabel.run(runId, datasetId, seq, label.label, JSON.stringify(label.votes), JSON.stringify(label.recovered), label.voteShare ?? 0, label.tie ? 1 : 0, label.written, label.sampleCount, label.agreesWithIntended === null ? null : label.agreesWithIntended ? 1 : 0, tokens, new Date().toISOString());
      for (const s of label.samples) this.insertSample.run(runId, seq, s.index, s.text, s.extracted, s.recovered ? 1 : 0, s.tokens);
    })();
  }

  completeRun(runId: number): void {
    this.db.prepare(`UPDATE lab_runs SET state = 'complete', finished_at = ? WHERE id = ?`).run(new Date().toISOString(), runId);
  }

  /** The most recent label of each question of a dataset (from whichever run labelled it last). */
  latestLabels(datasetId: number, withSamples = false, onlySeqs?: ReadonlySet<number>): Map<number, StoredLabel> {
    const rows = this.db
      .prepare(
        `SELECT l.* FROM lab_labels l
         JOIN (SELECT question_seq, MAX(run_id) AS run_id FROM lab_labels WHERE dataset_id = ? GROUP BY question_seq) m
           ON m.question_seq = l.question_seq AND m.run_id = l.run_id
         WHERE l.dataset_id = ?`,
      )
      .all(datasetId, datasetId) as RawLabel[];
    const out = new Map<number, StoredLabel>();
    for (const r of rows) {
      if (onlySeqs && !onlySeqs.has(r.question_seq)) continue;
      out.set(r.question_seq, this.toLabel(r, withSamples));
    }
    return out;
  }

  /** The most recent label of one question, with its samples. */
  latestLabel(datasetId: number, seq: number): StoredLabel | null {
    const r = this.latestOne.get(datasetId, seq) as RawLabel | undefined;
    return r ? this.toLabel(r, true) : null;
  }

  /** How many questions of a dataset have a label. */
  labelledCount(datasetId: number): number {
    return this.labelled.get(datasetId) as number;
  }

  /** Changes whenever a label is added to the dataset (a new run or another labelled question). */
  labelStamp(datasetId: number): string {
    return this.stamp.get(datasetId) as string;
  }

  private toLabel(r: RawLabel, withSamples: boolean): StoredLabel {
    return {
      seq: r.question_seq,
      runId: r.run_id,
      questionId: '',
      ...voteColumns(r),
      agreesWithIntended: r.agrees === null ? null : r.agrees === 1,
      tokens: r.tokens,
      samples: withSamples
        ? (this.samples.all(r.run_id, r.question_seq) as { idx: number; text: string; extracted: string | null; recovered: number; tokens: number }[]).map(
            (s): LabelSample => ({ index: s.idx, text: s.text, extracted: s.extracted, recovered: s.recovered === 1, tokens: s.tokens }),
          )
        : [],
    };
  }
}
