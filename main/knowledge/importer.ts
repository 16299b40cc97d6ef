/**
 * The knowledge import: detect the source's format → read → parse and validate every record → write all of it in
 * one transaction.
 * Any invalid packet stops the import before the database is touched (unless skipInvalid), and a failure
 * or cancel during writing rolls the transaction back, so the knowledge base is either the new release or
 * exactly what it was.
 */
import path from 'node:path';
import type { Db } from '../platform/db/open.js';
import { KnowledgeWriter } from './storeWrite.js';
import type { ImportReport } from '../../api/knowledge.js';
import { ImportCancelled, ImportError } from './errors.js';
import { detectSource, importSources, type ImportProblem, type ImportSource, type KnowledgeRecord, type OpenedSource } from './sources/index.js';

export interface ImportProgress {
  phase: 'reading' | 'parsing' | 'writing' | 'indexing';
  done: number;
  total: number | null;
  message: string;
}

export interface ImportOptions {
  skipInvalid?: boolean;
  /** Marks every imported entry as part of the bundled demo set. */
  demo?: boolean;
  /**
   * Remove entries the knowledge base has and the source lacks. Off by default: importing one packet file (or
   * a partial folder) would otherwise delete every other disorder. Replacing the bundled demo set needs no flag.
   */
  allowRemovals?: boolean;
  isCancelled?: () => boolean;
  onProgress?: (p: ImportProgress) => void;
}

interface Parsed {
  records: { rec: KnowledgeRecord; file: string }[];
  problems: ImportProblem[];
}

const PROGRESS_EVERY = 250;

/** Every record of an opened source, the first of each code kept (a second one is a problem). */
export function collectRecords(opened: OpenedSource, source: ImportSource, options: ImportOptions = {}): Parsed {
  const records: Parsed['records'] = [];
  const problems: Parsed['problems'] = [];
  const seen = new Map<number, string>();
  const total = opened.total;
  let i = 0;
  for (const item of opened.records({ demo: options.demo === true })) {
    if (options.isCancelled?.()) throw new ImportCancelled();
    if (i % PROGRESS_EVERY === 0) {
      options.onProgress?.({ phase: 'parsing', done: i, total, message: `Parsing ${source.items} (${i}/${total})` });
    }
    i++;
    if ('problem' in item) {
      problems.push(item.problem);
      continue;
    }
    const first = seen.get(item.record.code);
    if (first !== undefined) {
      problems.push({ file: item.file, reason: `ORPHAcode ${item.record.code} appears twice (also in ${first})` });
      continue;
    }
    seen.set(item.record.code, item.file);
    records.push({ rec: item.record, file: item.file });
  }
  return { records, problems };
}

function problemsMessage(problems: ImportProblem[], source: ImportSource): string {
  const shown = problems.slice(0, 5).map((p) => `${p.file}: ${p.reason}`);
  const more = problems.length > shown.length ? ` (and ${problems.length - shown.length} more)` : '';
  const head = problems.length === 1 ? 'Import stopped, nothing was changed. ' : `Import stopped, nothing was changed: ${problems.length} invalid files. `;
  return `${head}${shown.join('; ')}${more}. Use --skip-invalid (or "skip invalid ${source.items}") to import the valid ones.`;
}

function mostCommon(values: (string | null)[]): string | null {
  const counts = new Map<string, number>();
  for (const v of values) if (v !== null) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: string | null = null;
  let bestCount = 0;
  for (const [v, n] of counts) if (n > bestCount) [best, bestCount] = [v, n];
  return best;
}

/** A re-import that would delete entries not in its source; the caller asks and retries with allowRemovals. */
export class RemovalsNeedConsent extends ImportError {
  constructor(
    readonly codes: number[],
    sourceLabel: string,
  ) {
    const sample = codes.slice(0, 5).map((c) => `ORPHA:${c}`).join(', ');
    super(
      `Importing ${sourceLabel} would remove ${codes.length} ${codes.length === 1 ? 'entry' : 'entries'} that the knowledge base has and ${sourceLabel} lacks ` +
        `(${sample}${codes.length > 5 ? ', …' : ''}); nothing was changed. To remove them, import again with --allow-removals (in the app: confirm the removal).`,
    );
    this.name = 'RemovalsNeedConsent';
  }
}

/** Writes parsed records (the synchronous, transactional half of the import). */
export function writeRecords(db: Db, parsed: Parsed, source: ImportSource, sourceLabel: string, options: ImportOptions = {}, started = Date.now()): ImportReport {
  const { records, problems } = parsed;
  if (problems.length > 0 && !options.skipInvalid) throw new ImportError(problemsMessage(problems, source), problems);
  if (records.length === 0) {
    const why = problems.length ? ` (${problems.length} invalid files skipped)` : '';
    throw new ImportError(`No ${source.label} found in ${sourceLabel}${why}; the knowledge base is unchanged`, problems);
  }
  const writer = new KnowledgeWriter(db);
  // In code order every table's (code, pos) key is appended at the end of its B-tree instead of scattered.
  const ordered = [...records].sort((a, b) => a.rec.code - b.rec.code);
  // IMMEDIATE: take the write lock up front. A deferred transaction would read first and could then find
  // its snapshot outdated by a write on another connection (job progress), failing with "database is locked".
  const report = db.transaction((): ImportReport => {
    const existing = writer.existing();
    let added = 0;
    let changed = 0;
    let unchanged = 0;
    const total = records.length;
    ordered.forEach(({ rec, file }, i) => {
      if (i % PROGRESS_EVERY === 0) {
        if (options.isCancelled?.()) throw new ImportCancelled();
        options.onProgress?.({ phase: 'writing', done: i, total, message: `Writing entries (${i}/${total})` });
      }
      const before = existing.get(rec.code);
      if (before === undefined) added++;
      else {
        existing.delete(rec.code);
        if (before.hash === rec.hash) {
          unchanged++;
          return;
        }
        changed++;
        writer.remove(rec.code);
      }
      writer.insert(rec, file);
      writer.insertFts(rec);
    });
    const removedCodes = [...existing.keys()];
    for (const code of removedCodes) writer.remove(code);
    // Thrown inside the transaction, so nothing written above survives it.
    if (!options.allowRemovals) {
      const kept = removedCodes.filter((c) => !existing.get(c)?.isDemo);
      if (kept.length > 0) throw new RemovalsNeedConsent(kept, sourceLabel);
    }
    if (options.isCancelled?.()) throw new ImportCancelled();
    options.onProgress?.({ phase: 'indexing', done: total, total, message: 'Computing classification branches and search index' });
    writer.recomputeBranches();
    const sourceVersion = mostCommon(records.map((r) => r.rec.version));
    const result: ImportReport = {
      packets: records.length,
      added,
      removed: removedCodes.length,
      changed,
      unchanged,
      skipped: problems,
      sourceVersion,
      tookMs: 0,
    };
    writer.setMeta('sourceVersion', sourceVersion);
    writer.setMeta('sourceCreated', mostCommon(records.map((r) => r.rec.created)));
    writer.setMeta('importedAt', new Date().toISOString());
    writer.setMeta('isDemo', records.every((r) => r.rec.isDemo) ? '1' : '0');
    writer.setMeta('source', sourceLabel);
    if (options.isCancelled?.()) throw new ImportCancelled();
    return result;
  }).immediate();
  if (report.added + report.changed > 1000) writer.optimizeFts();
  report.tookMs = Date.now() - started;
  writer.setMeta('lastImport', JSON.stringify(report));
  return report;
}

/** Reads, validates and writes a release in any import source's format (ORPHApackets: a folder, a .zip or one packet). */
export async function importOrphanet(db: Db, file: string, options: ImportOptions = {}): Promise<ImportReport> {
  const started = Date.now();
  const source = await detectSource(file, importSources);
  let read = 0;
  const opened = await source.open(file, () => {
    read++;
    if (read % PROGRESS_EVERY === 0) options.onProgress?.({ phase: 'reading', done: read, total: null, message: `Reading files (${read})` });
  });
  if (options.isCancelled?.()) throw new ImportCancelled();
  const parsed = collectRecords(opened, source, options);
  parsed.problems.unshift(...opened.problems);
  return writeRecords(db, parsed, source, path.basename(path.resolve(file)), options, started);
}
