/** SQL for synthetic datasets and their questions. A dataset is visible to readers only once complete. */
import type { DatasetSummary, GeneratorKind, UnfinishedDataset, PlanReport, QuestionOption, QuestionProvenance, SynthQuestion, SynthesisPlan } from '../../api/synthesis.js';
import type { Db } from '../platform/db/open.js';
import { unfinishedRunState } from '../platform/jobs/runState.js';
import { JobsRepo } from '../platform/jobs/store.js';

export interface DatasetRow {
  id: number;
  name: string;
  version: number;
  state: 'building' | 'complete';
  createdAt: string;
  generator: GeneratorKind;
  model: string | null;
  seed: number;
  plan: SynthesisPlan;
  params: unknown;
  report: PlanReport | null;
  knowledgeVersion: string | null;
  jobId: string | null;
}

export interface StoredQuestion extends SynthQuestion {
  seq: number;
}

/** A question with the dataset it belongs to, as review shows it. */
export interface QuestionInDataset extends StoredQuestion {
  datasetId: number;
  datasetName: string;
  datasetVersion: number;
  /** ORPHAcode of the answer disorder (the first of provenance.orphaCodes), as stored. */
  answerCode: string;
}

interface RawDataset {
  id: number;
  name: string;
  version: number;
  state: 'building' | 'complete';
  created_at: string;
  generator: GeneratorKind;
  model: string | null;
  seed: number;
  plan: string;
  params: string;
  report: string | null;
  knowledge_version: string | null;
  job_id: string | null;
}

interface RawQuestion {
  seq: number;
  id: string;
  question_type: SynthQuestion['questionType'];
  difficulty: SynthQuestion['difficulty'];
  stem: string;
  options: string;
  intended_answer: string;
  provenance: string;
  status: SynthQuestion['status'];
  reject_reason: string | null;
}

function toDataset(r: RawDataset): DatasetRow {
  return {
    id: r.id,
    name: r.name,
    version: r.version,
    state: r.state,
    createdAt: r.created_at,
    generator: r.generator,
    model: r.model,
    seed: r.seed,
    plan: JSON.parse(r.plan) as SynthesisPlan,
    params: JSON.parse(r.params) as unknown,
    report: r.report ? (JSON.parse(r.report) as PlanReport) : null,
    knowledgeVersion: r.knowledge_version,
    jobId: r.job_id,
  };
}

function toQuestion(r: RawQuestion): StoredQuestion {
  return {
    seq: r.seq,
    id: r.id,
    questionType: r.question_type,
    difficulty: r.difficulty,
    stem: r.stem,
    options: JSON.parse(r.options) as QuestionOption[],
    intendedAnswer: r.intended_answer,
    provenance: JSON.parse(r.provenance) as QuestionProvenance,
    status: r.status,
    rejectReason: r.reject_reason,
  };
}

export class SynthesisRepo {
  constructor(private readonly db: Db) {}

  /** A new version of `name` (1 for a new name), in state 'building'. */
  createDataset(d: { name: string; generator: GeneratorKind; model: string | null; seed: number; plan: SynthesisPlan; params: unknown; knowledgeVersion: string | null; jobId: string | null }): DatasetRow {
    return this.db.transaction(() => {
      const version = ((this.db.prepare('SELECT MAX(version) FROM syn_datasets WHERE name = ?').pluck().get(d.name) as number | null) ?? 0) + 1;
      const info = this.db
        .prepare(
          `INSERT INTO syn_datasets (name, version, state, created_at, generator, model, seed, plan, params, knowledge_version, job_id)
           VALUES (?, ?, 'building', ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(d.name, version, new Date().toISOString(), d.generator, d.model, d.seed, JSON.stringify(d.plan), JSON.stringify(d.params), d.knowledgeVersion, d.jobId);
      return this.byId(Number(info.lastInsertRowid)) as DatasetRow;
    })();
  }

  byId(id: number): DatasetRow | null {
    const r = this.db.prepare('SELECT * FROM syn_datasets WHERE id = ?').get(id) as RawDataset | undefined;
    return r ? toDataset(r) : null;
  }

  byJob(jobId: string): DatasetRow | null {
    const r = this.db.prepare('SELECT * FROM syn_datasets WHERE job_id = ? ORDER BY id DESC LIMIT 1').get(jobId) as RawDataset | undefined;
    return r ? toDataset(r) : null;
  }

  /** The named dataset's given version, or its latest complete one. */
  find(name: string, version?: number): DatasetRow | null {
    const r = (
      version === undefined
        ? this.db.prepare(`SELECT * FROM syn_datasets WHERE name = ? AND state = 'complete' ORDER BY version DESC LIMIT 1`).get(name)
        : this.db.prepare(`SELECT * FROM syn_datasets WHERE name = ? AND version = ? AND state = 'complete'`).get(name, version)
    ) as RawDataset | undefined;
    return r ? toDataset(r) : null;
  }

  clearQuestions(datasetId: number): void {
    this.db.prepare('DELETE FROM syn_questions WHERE dataset_id = ?').run(datasetId);
  }

  insertQuestions(datasetId: number, questions: StoredQuestion[]): void {
    const stmt = this.db.prepare(
      `INSERT INTO syn_questions (dataset_id, seq, id, question_type, difficulty, stem, options, intended_answer, answer_code, provenance, status, reject_reason)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.db.transaction(() => {
      for (const q of questions) {
        stmt.run(datasetId, q.seq, q.id, q.questionType, q.difficulty, q.stem, JSON.stringify(q.options), q.intendedAnswer, q.provenance.orphaCodes[0] ?? '', JSON.stringify(q.provenance), q.status, q.rejectReason);
      }
    })();
  }

  complete(datasetId: number, report: PlanReport): void {
    this.db.prepare(`UPDATE syn_datasets SET state = 'complete', report = ? WHERE id = ?`).run(JSON.stringify(report), datasetId);
  }

  delete(datasetId: number): void {
    this.db.prepare('DELETE FROM syn_datasets WHERE id = ?').run(datasetId);
  }

  /** Complete datasets, newest version first; `labelled` counts the questions with a pseudo-label (labeling's data). */
  list(labelled: (datasetId: number) => number): DatasetSummary[] {
    const rows = this.db.prepare(`SELECT * FROM syn_datasets WHERE state = 'complete' ORDER BY name, version DESC`).all() as RawDataset[];
    const counts = this.db.prepare(`SELECT status, COUNT(*) AS n FROM syn_questions WHERE dataset_id = ? GROUP BY status`);
    return rows.map((raw) => {
      const d = toDataset(raw);
      const c = Object.fromEntries((counts.all(d.id) as { status: string; n: number }[]).map((x) => [x.status, x.n]));
      return {
        id: d.id,
        name: d.name,
        version: d.version,
        createdAt: d.createdAt,
        generator: d.generator,
        seed: d.seed,
        plan: d.plan,
        accepted: c.accepted ?? 0,
        rejected: c.rejected ?? 0,
        labelled: labelled(d.id),
        report: d.report,
      };
    });
  }

  /**
   * Versions still 'building': the row says only that no run finished it, so its job's state is the truth (a
   * failed, cancelled or interrupted run, resumable through that job; see unfinishedRunState).
   */
  unfinished(): UnfinishedDataset[] {
    const jobs = new JobsRepo(this.db);
    const rows = this.db.prepare(`SELECT * FROM syn_datasets WHERE state = 'building' ORDER BY id DESC`).all() as RawDataset[];
    const count = this.db.prepare('SELECT COUNT(*) FROM syn_questions WHERE dataset_id = ?').pluck();
    return rows.map((r) => {
      const job = r.job_id ? jobs.get(r.job_id) : null;
      // A run that is still going is 'building' and says so; only an ended one takes the job's end state.
      const { state, error } = job && (job.state === 'running' || job.state === 'queued') ? { state: job.state, error: null } : unfinishedRunState(jobs, r.job_id);
      return { name: r.name, version: r.version, createdAt: r.created_at, generator: r.generator, jobId: r.job_id, state, error, questionsSoFar: count.get(r.id) as number };
    });
  }

  count(datasetId: number, status: 'accepted' | 'rejected' | 'all'): number {
    return (
      status === 'all'
        ? this.db.prepare('SELECT COUNT(*) FROM syn_questions WHERE dataset_id = ?').pluck().get(datasetId)
        : this.db.prepare('SELECT COUNT(*) FROM syn_questions WHERE dataset_id = ? AND status = ?').pluck().get(datasetId, status)
    ) as number;
  }

  questions(datasetId: number, status: 'accepted' | 'rejected' | 'all', offset = 0, limit = -1): StoredQuestion[] {
    const rows = (
      status === 'all'
        ? this.db.prepare('SELECT * FROM syn_questions WHERE dataset_id = ? ORDER BY seq LIMIT ? OFFSET ?').all(datasetId, limit, offset)
        : this.db.prepare('SELECT * FROM syn_questions WHERE dataset_id = ? AND status = ? ORDER BY seq LIMIT ? OFFSET ?').all(datasetId, status, limit, offset)
    ) as RawQuestion[];
    return rows.map(toQuestion);
  }

  /** One question with its dataset's name and version, whatever its status. */
  question(datasetId: number, seq: number): QuestionInDataset | null {
    const r = this.db
      .prepare(`SELECT q.*, d.name AS dataset_name, d.version AS dataset_version FROM syn_questions q JOIN syn_datasets d ON d.id = q.dataset_id WHERE q.dataset_id = ? AND q.seq = ?`)
      .get(datasetId, seq) as (RawQuestion & { dataset_id: number; dataset_name: string; dataset_version: number; answer_code: string }) | undefined;
    return r ? { ...toQuestion(r), datasetId: r.dataset_id, datasetName: r.dataset_name, datasetVersion: r.dataset_version, answerCode: r.answer_code } : null;
  }

  /** Stem, id and raw options JSON of the listed questions, in one query (review's near-duplicate candidates). */
  questionTexts(keys: readonly { datasetId: number; seq: number }[]): { datasetId: number; seq: number; id: string; stem: string; optionsJson: string }[] {
    if (keys.length === 0) return [];
    return this.db
      .prepare(
        `SELECT dataset_id AS datasetId, seq, id, stem, options AS optionsJson FROM syn_questions
         WHERE (dataset_id, seq) IN (SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?))`,
      )
      .all(JSON.stringify(keys.map((k) => [k.datasetId, k.seq]))) as { datasetId: number; seq: number; id: string; stem: string; optionsJson: string }[];
  }

  /**
   * Keys `"<datasetId>:<seq>"` of the questions of these datasets whose stem or options contain `text`
   * (case-insensitive for ASCII, as SQL LIKE), for review's queue search.
   */
  keysMatching(datasetIds: readonly number[], text: string): string[] {
    const pattern = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    return this.db
      .prepare(
        `SELECT dataset_id || ':' || seq FROM syn_questions
         WHERE dataset_id IN (SELECT value FROM json_each(?)) AND (stem LIKE ? ESCAPE '\\' OR options LIKE ? ESCAPE '\\')`,
      )
      .pluck()
      .all(JSON.stringify(datasetIds), pattern, pattern) as string[];
  }
}
