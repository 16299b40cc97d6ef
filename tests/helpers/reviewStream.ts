/**
 * A stream of review decisions against browser mode, for the fault figures of issue 15: what the Api
 * acknowledged is remembered here, outside the server, so that after a kill -9 (or a full disk) the audit log can
 * be checked against it: every acknowledged decision present once, nothing refused recorded.
 */
import Database from 'better-sqlite3';
import { openAppDatabase } from '../../main/app/index.js';
import { databasePath } from '../../main/platform/dataDir.js';
import { createReviewFixture } from '../main/review/fixture.js';
import { call, serve } from './browserMode.js';

/** A review fixture of `items` questions in the data folder's database; returns its dataset id. */
export function seedReviewDatabase(dataDir: string, items: number): number {
  const db = openAppDatabase(databasePath(dataDir));
  try {
    return createReviewFixture(db, { name: 'faults', count: items });
  } finally {
    db.close();
  }
}

/** One decision the stream sent: a comment carries a nonce, an answer a letter; auditId once acknowledged. */
export interface SentDecision {
  seq: number;
  kind: 'comment' | 'answer';
  value: string;
  auditId: number | null;
  error: string | null;
}

export interface StreamOptions {
  datasetId: number;
  items: number;
  /** Concurrent senders, each waiting for its answer before the next call. */
  lanes: number;
  /** Distinguishes this stream's nonces from earlier ones on the same database. */
  tag: string;
  /** Comments this long fill a disk faster. */
  noteLength?: number;
  /** Asked before each call, with every decision sent so far (answered or not). */
  shouldStop: (sent: readonly SentDecision[]) => boolean;
}

/** Sends decisions until `shouldStop()` or the server stops answering; returns every decision sent, in order. */
export async function streamDecisions(url: string, opts: StreamOptions): Promise<SentDecision[]> {
  const sent: SentDecision[] = [];
  let k = 0;
  const pad = opts.noteLength ? ` ${'x'.repeat(opts.noteLength)}` : '';
  const lane = async (): Promise<void> => {
    while (!opts.shouldStop(sent)) {
      const n = k++;
      const seq = n % opts.items;
      const d: SentDecision =
        n % 3 === 2
          ? { seq, kind: 'answer', value: 'ABCDE'[n % 5] as string, auditId: null, error: null }
          : { seq, kind: 'comment', value: `${opts.tag}-${n}${pad}`, auditId: null, error: null };
      sent.push(d);
      const decision = d.kind === 'answer' ? { kind: 'answer', answer: d.value } : { kind: 'comment', text: d.value };
      try {
        const r = await call(url, 'review.decide', { datasetId: opts.datasetId, seq, decision });
        if (r.body.ok) d.auditId = (r.body.result as { auditId: number }).auditId;
        else d.error = `${r.status} ${r.body.error?.code}: ${r.body.error?.message}`;
      } catch {
        return; // the server is gone: what it acknowledged is all there is
      }
    }
  };
  await Promise.all(Array.from({ length: opts.lanes }, lane));
  return sent;
}

export interface AuditCheck {
  integrity: string;
  acknowledged: number;
  /** Acknowledged decisions missing from the audit log, or present with other content. */
  lost: number;
  /** Comments of this stream recorded more than once. */
  duplicated: number;
  /** Refused decisions whose comment is in the log anyway. */
  refusedButRecorded: number;
}

export interface KillTrial extends AuditCheck {
  survived: boolean;
}

/**
 * One trial: browser mode over `dataDir`, four senders streaming decisions, kill -9 after `killAfterMs`, then the
 * audit log checked against what the Api acknowledged. `tag` must be new for the database.
 */
export async function killReviewTrial(dataDir: string, datasetId: number, items: number, killAfterMs: number, tag: string): Promise<KillTrial> {
  const server = await serve(dataDir);
  let stop = false;
  const closed = new Promise((r) => server.child.once('close', r));
  const stream = streamDecisions(server.url, { datasetId, items, lanes: 4, tag, shouldStop: () => stop });
  await new Promise((r) => setTimeout(r, killAfterMs));
  server.child.kill('SIGKILL');
  await closed;
  stop = true;
  const check = checkAudit(databasePath(dataDir), await stream, tag);
  return { ...check, survived: check.integrity === 'ok' && check.lost === 0 && check.duplicated === 0 && check.acknowledged > 0 };
}

/** Opens the database after the fact (recovering its WAL) and checks the audit log against what was sent. */
export function checkAudit(dbPath: string, sent: readonly SentDecision[], tag: string): AuditCheck {
  const db = new Database(dbPath);
  try {
    const integrity = String(db.pragma('integrity_check', { simple: true }));
    const byId = db.prepare('SELECT seq, action, answer, note FROM rev_audit WHERE id = ?');
    let lost = 0;
    for (const d of sent) {
      if (d.auditId === null) continue;
      const row = byId.get(d.auditId) as { seq: number; action: string; answer: string | null; note: string | null } | undefined;
      const same = row && row.seq === d.seq && row.action === d.kind && (d.kind === 'answer' ? row.answer === d.value : row.note === d.value);
      if (!same) lost++;
    }
    const notes = db.prepare("SELECT note, count(*) AS n FROM rev_audit WHERE action = 'comment' AND note LIKE ? GROUP BY note").all(`${tag}-%`) as { note: string; n: number }[];
    const duplicated = notes.filter((r) => r.n > 1).length;
    const recorded = new Set(notes.map((r) => r.note));
    const refusedButRecorded = sent.filter((d) => d.error !== null && d.kind === 'comment' && recorded.has(d.value)).length;
    return { integrity, acknowledged: sent.filter((d) => d.auditId !== null).length, lost, duplicated, refusedButRecorded };
  } finally {
    db.close();
  }
}
