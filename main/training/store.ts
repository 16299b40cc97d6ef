/** SQL for training runs: data snapshots, per-step metrics, evaluations, checkpoints, adapters and logs. */
import type {
  AdapterRecord,
  CheckpointRecord,
  EvalRecord,
  PresetName,
  RunState,
  RunSummary,
  StepRecord,
  StepTimings,
  TrainLogLine,
  TrainSettings,
} from '../../api/training.js';
import { metricNumber, type TrainingMetricName } from '../../api/trainingMetrics.js';
import { learningSignal, type LearningSignal } from '../../api/trainingSignal.js';
import type { Db } from '../platform/db/open.js';
import { sha256OfFile, sizeOfFile } from './adapterHash.js';

export interface TrainItem {
  stage: 1 | 2;
  split: 'train' | 'heldout';
  idx: number;
  source: string;
  /** MedSSR's question text: the stem, then one "A. …" line per option. */
  question: string;
  letters: string[];
  label: string;
  voteShare: number | null;
  /** Fields of an imported file's entry beyond id, question and gold (kept as given); null for dataset questions. */
  extra: Record<string, unknown> | null;
}

export interface RunRow extends RunSummary {
  input: unknown;
  outDir: string;
  trainer: Record<string, unknown> | null;
}

interface RawRun {
  id: number;
  name: string;
  job_id: string | null;
  state: RunState;
  created_at: string;
  finished_at: string | null;
  model_path: string;
  preset: PresetName;
  input: string;
  settings: string;
  data_summary: string;
  out_dir: string;
  trainer: string | null;
  error: string | null;
}

interface RawEval {
  step: number;
  stage: 1 | 2;
  n: number;
  correct: number;
  invalid: number;
}

/** One catalogued metric of a step's JSON bag, for SQL (the name is a catalogue constant, never user input). */
const metricSql = (name: TrainingMetricName): string => `json_extract(metrics, '$.${name}')`;

const toEval = (r: RawEval): EvalRecord => ({ step: r.step, stage: r.stage, n: r.n, correct: r.correct, invalid: r.invalid, accuracy: r.n ? r.correct / r.n : 0 });

export class TrainingRepo {
  constructor(private readonly db: Db) {}

  private toRun(r: RawRun): RunRow {
    // Runs stored before these settings existed trained both stages with one optimizer and one update per batch.
    const settings = { stage2Optimizer: 'continue', ppoEpochs: 1, ...(JSON.parse(r.settings) as Partial<TrainSettings>) } as TrainSettings;
    const stepsDone = this.db.prepare('SELECT COUNT(*) FROM train_steps WHERE run_id = ?').pluck().get(r.id) as number;
    const lastEval = this.db.prepare('SELECT * FROM train_evals WHERE run_id = ? ORDER BY step DESC, stage DESC LIMIT 1').get(r.id) as RawEval | undefined;
    const data = JSON.parse(r.data_summary) as RunSummary['data'];
    return {
      id: r.id,
      name: r.name,
      jobId: r.job_id,
      state: r.state,
      createdAt: r.created_at,
      finishedAt: r.finished_at,
      modelPath: r.model_path,
      preset: r.preset,
      settings,
      data,
      totalSteps: (data.stage1 ? settings.stage1Steps : 0) + (data.stage2 ? settings.stage2Steps : 0),
      stepsDone,
      lastEval: lastEval ? toEval(lastEval) : null,
      learning: this.learning(r.id),
      error: r.error,
      input: JSON.parse(r.input) as unknown,
      outDir: r.out_dir,
      trainer: r.trainer ? (JSON.parse(r.trainer) as Record<string, unknown>) : null,
    };
  }

  /** A run and its data snapshot, together or not at all. */
  createRun(r: {
    name: string;
    jobId: string | null;
    modelPath: string;
    preset: PresetName;
    input: unknown;
    settings: TrainSettings;
    data: RunSummary['data'];
    outDir: (id: number) => string;
    items: TrainItem[];
  }): RunRow {
    const insertItem = this.db.prepare(
      'INSERT INTO train_items (run_id, stage, split, idx, source, question, letters, label, vote_share, extra) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const id = this.db.transaction(() => {
      const info = this.db
        .prepare(
          `INSERT INTO train_runs (name, job_id, state, created_at, model_path, preset, input, settings, data_summary, out_dir)
           VALUES (?, ?, 'preparing', ?, ?, ?, ?, ?, ?, '')`,
        )
        .run(r.name, r.jobId, new Date().toISOString(), r.modelPath, r.preset, JSON.stringify(r.input), JSON.stringify(r.settings), JSON.stringify(r.data));
      const runId = Number(info.lastInsertRowid);
      this.db.prepare('UPDATE train_runs SET out_dir = ? WHERE id = ?').run(r.outDir(runId), runId);
      for (const it of r.items) insertItem.run(runId, it.stage, it.split, it.idx, it.source, it.question, it.letters.join(''), it.label, it.voteShare, it.extra ? JSON.stringify(it.extra) : null);
      return runId;
    })();
    return this.run(id) as RunRow;
  }

  run(id: number): RunRow | null {
    const r = this.db.prepare('SELECT * FROM train_runs WHERE id = ?').get(id) as RawRun | undefined;
    return r ? this.toRun(r) : null;
  }

  runByJob(jobId: string): RunRow | null {
    const r = this.db.prepare('SELECT * FROM train_runs WHERE job_id = ?').get(jobId) as RawRun | undefined;
    return r ? this.toRun(r) : null;
  }

  runs(): RunRow[] {
    return (this.db.prepare('SELECT * FROM train_runs ORDER BY id DESC').all() as RawRun[]).map((r) => this.toRun(r));
  }

  setState(id: number, state: RunState, error: string | null = null): void {
    const terminal = state === 'completed' || state === 'failed' || state === 'cancelled' || state === 'interrupted';
    this.db.prepare('UPDATE train_runs SET state = ?, error = ?, finished_at = ? WHERE id = ?').run(state, error, terminal ? new Date().toISOString() : null, id);
  }

  /** Runs of jobs the job runner found interrupted (their process is gone) follow their job. */
  markInterrupted(jobIds: readonly string[]): void {
    const stmt = this.db.prepare(`UPDATE train_runs SET state = 'interrupted' WHERE job_id = ? AND state IN ('preparing', 'running')`);
    this.db.transaction(() => {
      for (const id of jobIds) stmt.run(id);
    })();
  }

  setTrainer(id: number, info: Record<string, unknown>): void {
    this.db.prepare('UPDATE train_runs SET trainer = ? WHERE id = ?').run(JSON.stringify(info), id);
  }

  items(runId: number, stage: 1 | 2, split: 'train' | 'heldout'): TrainItem[] {
    const rows = this.db
      .prepare('SELECT * FROM train_items WHERE run_id = ? AND stage = ? AND split = ? ORDER BY idx')
      .all(runId, stage, split) as { stage: 1 | 2; split: 'train' | 'heldout'; idx: number; source: string; question: string; letters: string; label: string; vote_share: number | null; extra: string | null }[];
    return rows.map((r) => ({
      stage: r.stage,
      split: r.split,
      idx: r.idx,
      source: r.source,
      question: r.question,
      letters: [...r.letters],
      label: r.label,
      voteShare: r.vote_share,
      extra: r.extra ? (JSON.parse(r.extra) as Record<string, unknown>) : null,
    }));
  }

  insertStep(runId: number, s: Omit<StepRecord, 'createdAt'>): void {
    this.db
      .prepare('INSERT INTO train_steps (run_id, step, stage, stage_step, metrics, timings, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(runId, s.step, s.stage, s.stageStep, JSON.stringify(s.metrics), JSON.stringify(s.timings), new Date().toISOString());
  }

  steps(runId: number, afterStep = 0): StepRecord[] {
    const rows = this.db.prepare('SELECT * FROM train_steps WHERE run_id = ? AND step > ? ORDER BY step').all(runId, afterStep) as {
      step: number;
      stage: 1 | 2;
      stage_step: number;
      metrics: string;
      timings: string;
      created_at: string;
    }[];
    return rows.map((r) => ({
      step: r.step,
      stage: r.stage,
      stageStep: r.stage_step,
      metrics: JSON.parse(r.metrics) as StepRecord['metrics'],
      timings: JSON.parse(r.timings) as StepTimings,
      createdAt: r.created_at,
    }));
  }

  insertEval(runId: number, e: Omit<EvalRecord, 'accuracy'>): void {
    this.db
      .prepare('INSERT OR REPLACE INTO train_evals (run_id, step, stage, n, correct, invalid, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(runId, e.step, e.stage, e.n, e.correct, e.invalid, new Date().toISOString());
  }

  evals(runId: number): EvalRecord[] {
    return (this.db.prepare('SELECT * FROM train_evals WHERE run_id = ? ORDER BY step, stage').all(runId) as RawEval[]).map(toEval);
  }

  insertCheckpoint(runId: number, c: Omit<CheckpointRecord, 'createdAt'>): void {
    this.db
      .prepare('INSERT OR REPLACE INTO train_checkpoints (run_id, step, stage, checkpoint_path, adapter_path, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(runId, c.step, c.stage, c.checkpointPath, c.adapterPath, new Date().toISOString());
  }

  checkpoints(runId: number): CheckpointRecord[] {
    return (
      this.db.prepare('SELECT * FROM train_checkpoints WHERE run_id = ? ORDER BY step').all(runId) as {
        step: number;
        stage: 1 | 2;
        checkpoint_path: string;
        adapter_path: string;
        created_at: string;
      }[]
    ).map((r) => ({ step: r.step, stage: r.stage, checkpointPath: r.checkpoint_path, adapterPath: r.adapter_path, createdAt: r.created_at }));
  }

  lastCheckpoint(runId: number): CheckpointRecord | null {
    return this.checkpoints(runId).at(-1) ?? null;
  }

  /**
   * Forgets everything recorded after `step` (the checkpoint a run resumes from), so the steps redone after a
   * crash or restart replace, rather than duplicate, what the lost process had recorded past its checkpoint.
   */
  rollbackAfter(runId: number, step: number): number {
    return this.db.transaction(() => {
      const n = this.db.prepare('DELETE FROM train_steps WHERE run_id = ? AND step > ?').run(runId, step).changes;
      this.db.prepare('DELETE FROM train_evals WHERE run_id = ? AND step > ?').run(runId, step);
      this.db.prepare('DELETE FROM train_adapters WHERE run_id = ? AND step > ?').run(runId, step);
      this.db.prepare('DELETE FROM train_checkpoints WHERE run_id = ? AND step > ?').run(runId, step);
      return n;
    })();
  }

  /** Records an adapter the trainer has written, with its content hash (NULL when the file is not there yet: hashed when first needed). */
  insertAdapter(runId: number, a: { step: number; stage: 1 | 2; kind: AdapterRecord['kind']; path: string }): void {
    this.db
      .prepare('INSERT OR REPLACE INTO train_adapters (run_id, step, stage, kind, path, created_at, sha256) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(runId, a.step, a.stage, a.kind, a.path, new Date().toISOString(), sha256OfFile(a.path));
  }

  adapters(runId?: number): (Omit<AdapterRecord, 'sizeBytes' | 'data' | 'eval' | 'modelPath' | 'runName' | 'learning'> & { run: RunRow })[] {
    const rows = (
      runId === undefined
        ? this.db.prepare('SELECT * FROM train_adapters ORDER BY run_id DESC, step DESC').all()
        : this.db.prepare('SELECT * FROM train_adapters WHERE run_id = ? ORDER BY step DESC').all(runId)
    ) as { id: number; run_id: number; step: number; stage: 1 | 2; kind: AdapterRecord['kind']; path: string; created_at: string }[];
    const runs = new Map<number, RunRow>();
    return rows.map((r) => {
      let run = runs.get(r.run_id);
      if (!run) {
        run = this.run(r.run_id) as RunRow;
        runs.set(r.run_id, run);
      }
      return { id: r.id, runId: r.run_id, step: r.step, stage: r.stage, kind: r.kind, path: r.path, createdAt: r.created_at, run };
    });
  }

  /**
   * The run that wrote this adapter file: by its stored path, else by content (a copy elsewhere, same bytes).
   * Rows without a hash (written before hashes were recorded, or whose file appeared after the row) are hashed
   * here and the hash kept, but only those whose file has the same size as the asked one.
   */
  runOfAdapter(adapterPath: string): { id: number; name: string; matchedBy: 'path' | 'content' } | null {
    const byPath = this.runOfAdapterPath(adapterPath);
    if (byPath) return { ...byPath, matchedBy: 'path' };
    const size = sizeOfFile(adapterPath);
    const hash = size === null ? null : sha256OfFile(adapterPath);
    if (size === null || hash === null) return null;
    const unhashed = this.db.prepare('SELECT id, path FROM train_adapters WHERE sha256 IS NULL').all() as { id: number; path: string }[];
    const keep = this.db.prepare('UPDATE train_adapters SET sha256 = ? WHERE id = ?');
    for (const r of unhashed) {
      if (sizeOfFile(r.path) !== size) continue;
      const h = sha256OfFile(r.path);
      if (h) keep.run(h, r.id);
    }
    const r = this.db
      .prepare('SELECT r.id, r.name FROM train_runs r JOIN train_adapters a ON a.run_id = r.id WHERE a.sha256 = ? ORDER BY r.id DESC LIMIT 1')
      .get(hash) as { id: number; name: string } | undefined;
    return r ? { ...r, matchedBy: 'content' } : null;
  }

  /** The run that wrote this adapter file (final, stage-end or checkpoint), by its stored path; null when none did. */
  runOfAdapterPath(adapterPath: string): { id: number; name: string } | null {
    const r = this.db
      .prepare(
        `SELECT r.id, r.name FROM train_runs r WHERE r.id IN (
           SELECT run_id FROM train_adapters WHERE path = ? UNION SELECT run_id FROM train_checkpoints WHERE adapter_path = ?)
         ORDER BY r.id DESC LIMIT 1`,
      )
      .get(adapterPath, adapterPath) as { id: number; name: string } | undefined;
    return r ?? null;
  }

  /** Question texts a run trained on (both stages, train split; held-out items were never trained on). */
  trainedQuestions(runId: number): { id: string; text: string }[] {
    return (this.db.prepare(`SELECT stage, idx, question FROM train_items WHERE run_id = ? AND split = 'train' ORDER BY stage, idx`).all(runId) as { stage: number; idx: number; question: string }[]).map(
      (r) => ({ id: `stage ${r.stage} #${r.idx}`, text: r.question }),
    );
  }

  adapter(id: number): { id: number; runId: number; path: string; step: number; stage: 1 | 2 } | null {
    const r = this.db.prepare('SELECT id, run_id, path, step, stage FROM train_adapters WHERE id = ?').get(id) as
      | { id: number; run_id: number; path: string; step: number; stage: 1 | 2 }
      | undefined;
    return r ? { id: r.id, runId: r.run_id, path: r.path, step: r.step, stage: r.stage } : null;
  }

  /**
   * The learning signal of a run's steps up to `uptoStep` (all when absent). A step without the
   * frac_reward_zero_std metric counts as having a signal: the absence of a measurement is not a finding.
   */
  learning(runId: number, uptoStep?: number): LearningSignal {
    const r = this.db
      .prepare(
        `SELECT COUNT(*) AS steps,
                COALESCE(SUM(CASE WHEN ${metricSql('frac_reward_zero_std')} IS NULL OR ${metricSql('frac_reward_zero_std')} < 1 THEN 1 ELSE 0 END), 0) AS with_signal,
                MAX(${metricSql('accuracy')}) AS max_acc,
                MIN(${metricSql('accuracy')}) AS min_acc,
                MAX(${metricSql('format_rate')}) AS max_fmt
         FROM train_steps WHERE run_id = ? AND step <= ?`,
      )
      .get(runId, uptoStep ?? Number.MAX_SAFE_INTEGER) as { steps: number; with_signal: number; max_acc: number | null; min_acc: number | null; max_fmt: number | null };
    return learningSignal({ steps: r.steps, stepsWithSignal: r.with_signal, maxAccuracy: r.max_acc, minAccuracy: r.min_acc, maxFormatRate: r.max_fmt });
  }

  evalAt(runId: number, step: number): EvalRecord | null {
    const r = this.db.prepare('SELECT * FROM train_evals WHERE run_id = ? AND step = ? ORDER BY stage DESC LIMIT 1').get(runId, step) as RawEval | undefined;
    return r ? toEval(r) : null;
  }

  log(runId: number, level: TrainLogLine['level'], message: string): void {
    this.db.prepare('INSERT INTO train_logs (run_id, at, level, message) VALUES (?, ?, ?, ?)').run(runId, new Date().toISOString(), level, message);
  }

  logs(runId: number, afterId = 0, limit = 500): TrainLogLine[] {
    return this.db.prepare('SELECT id, at, level, message FROM train_logs WHERE run_id = ? AND id > ? ORDER BY id LIMIT ?').all(runId, afterId, limit) as TrainLogLine[];
  }

  /** Measured speeds of earlier runs on the same model, for the estimate. */
  measuredSpeeds(modelPath: string): { rolloutTokensPerS: number; trainerTokensPerS: number; steps: number } | null {
    const rows = this.db
      .prepare(
        `SELECT s.metrics, s.timings FROM train_steps s JOIN train_runs r ON r.id = s.run_id
         WHERE r.model_path = ? ORDER BY r.id DESC, s.step DESC LIMIT 50`,
      )
      .all(modelPath) as { metrics: string; timings: string }[];
    let rolloutTokens = 0;
    let rolloutS = 0;
    let trainTokens = 0;
    let trainS = 0;
    for (const r of rows) {
      const m = JSON.parse(r.metrics) as StepRecord['metrics'];
      const t = JSON.parse(r.timings) as StepTimings;
      rolloutTokens += metricNumber(m, 'completion_tokens') ?? 0;
      rolloutS += t.rolloutS;
      trainTokens += metricNumber(m, 'tokens') ?? 0;
      trainS += t.trainerS;
    }
    if (!rows.length || rolloutS <= 0 || trainS <= 0) return null;
    return { rolloutTokensPerS: rolloutTokens / rolloutS, trainerTokensPerS: trainTokens / trainS, steps: rows.length };
  }
}
