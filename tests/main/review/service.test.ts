/**
 * The review service over a fixture built through the synthesis and labelling repositories: decisions and
 * their audit rows, state derived from the log, undo, the queue's filters and counts, bulk, blind review.
 */
import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { ApiError } from '../../../api/contract.js';
import { queueFilterSchema, type QueueFilterInput } from '../../../api/review.js';
import type { Db } from '../../../main/platform/db/open.js';
import { openAppDatabase } from '../../../main/app/index.js';
import { runAs } from '../../../main/review/actor.js';
import { ReviewService } from '../../../main/review/service.js';
import { LabelingRepo } from '../../../main/labeling/store.js';
import { createReviewFixture } from './fixture.js';

const noKnowledge = { get: () => null, disordersInBranch: () => [] };

function setup(count = 40): { db: Db; svc: ReviewService; ds: number } {
  const db = openAppDatabase(':memory:');
  const ds = createReviewFixture(db, { name: 'fx', count, unlabelledEvery: 10 });
  return { db, svc: new ReviewService(db, noKnowledge), ds };
}

const filter = (ds: number, more: Partial<QueueFilterInput> = {}) => queueFilterSchema.parse({ datasetIds: [ds], ...more });

function derivedTables(db: Db): unknown[] {
  return [db.prepare('SELECT * FROM rev_state ORDER BY dataset_id, seq, reviewer_id').all(), db.prepare('SELECT * FROM rev_items ORDER BY dataset_id, seq').all()];
}

describe('review service', () => {
  let db: Db;
  let svc: ReviewService;
  let ds: number;
  beforeEach(() => {
    ({ db, svc, ds } = setup());
  });

  test('the audit log refuses UPDATE and DELETE, even from SQL', () => {
    svc.decide({ datasetId: ds, seq: 0, decision: { kind: 'accept' }, adjudicate: false });
    assert.throws(() => db.prepare(`UPDATE rev_audit SET answer = 'E'`).run(), /append-only: UPDATE refused/);
    assert.throws(() => db.prepare('DELETE FROM rev_audit').run(), /append-only: DELETE refused/);
    assert.equal(db.prepare('SELECT COUNT(*) FROM rev_audit').pluck().get(), 1);
    assert.equal(db.prepare('SELECT answer FROM rev_audit').pluck().get(), 'A');
  });

  test('each decision is an audit row with who, when, before and after; state derives from the log', () => {
    const q = svc.queue({ filter: filter(ds), order: 'created', offset: 0, limit: 5 });
    assert.equal(q.total, 40);
    assert.equal(q.byStatus.pending, 40);
    svc.decide({ datasetId: ds, seq: 0, decision: { kind: 'accept' }, adjudicate: false });
    svc.decide({ datasetId: ds, seq: 1, decision: { kind: 'answer', answer: 'D' }, adjudicate: false });
    svc.decide({ datasetId: ds, seq: 2, decision: { kind: 'reject', reason: 'ambiguous', note: 'two options fit' }, adjudicate: false });
    svc.decide({ datasetId: ds, seq: 3, decision: { kind: 'skip' }, adjudicate: false });
    svc.decide({ datasetId: ds, seq: 4, decision: { kind: 'comment', text: 'check the age' }, adjudicate: false });
    const edited = { stem: 'Case 5, reworded: which diagnosis fits best?', options: ['Marfan syndrome', 'Cystic fibrosis', 'Gaucher disease', 'Fabry disease', 'Rett syndrome'].map((text, i) => ({ letter: 'ABCDE'[i] as string, text })) };
    svc.decide({ datasetId: ds, seq: 4, decision: { kind: 'edit', ...edited }, adjudicate: false });

    const audit = svc.audit({ offset: 0, limit: 50 });
    assert.equal(audit.total, 6);
    const [editRow, commentRow, skipRow, rejectRow, answerRow, acceptRow] = audit.entries;
    assert.equal(acceptRow?.action, 'accept');
    assert.equal(acceptRow?.answer, 'A');
    assert.equal(acceptRow?.reviewerName, 'Local reviewer');
    assert.ok(!Number.isNaN(Date.parse(acceptRow?.at ?? '')));
    assert.deepEqual(acceptRow?.before, { reviewer: null, item: { status: 'pending', answer: null } });
    assert.deepEqual(acceptRow?.after, { reviewer: { status: 'accepted', answer: 'A', reason: null }, item: { status: 'accepted', answer: 'A' } });
    assert.deepEqual((answerRow?.after as { item: unknown }).item, { status: 'corrected', answer: 'D' });
    assert.equal(rejectRow?.reason, 'ambiguous');
    assert.equal(rejectRow?.note, 'two options fit');
    assert.equal(skipRow?.action, 'skip');
    assert.equal(commentRow?.note, 'check the age');
    assert.equal((editRow?.before as { stem: string }).stem.startsWith('Case 5:'), true);
    assert.deepEqual(editRow?.after, edited);

    const item4 = svc.item({ datasetId: ds, seq: 4 });
    assert.equal(item4.stem, edited.stem);
    assert.match(item4.originalStem, /^Case 5:/);
    assert.equal(item4.edits.length, 1);
    assert.ok(item4.edits[0]?.stemDiff.some((p) => p.op === 'added' && p.text.includes('reworded')));
    assert.deepEqual(item4.comments.map((c) => c.text), ['check the age']);

    const counts = svc.queue({ filter: filter(ds), order: 'created', offset: 0, limit: 0 }).byStatus;
    assert.deepEqual([counts.accepted, counts.corrected, counts.rejected, counts.skipped, counts.pending], [1, 1, 1, 1, 36]);
    const before = derivedTables(db);
    svc.rebuildFromLog();
    assert.deepEqual(derivedTables(db), before, 'a rebuild from the log gives the same state');
  });

  test('undo appends a row that reverts the previous decision', () => {
    svc.decide({ datasetId: ds, seq: 0, decision: { kind: 'reject', reason: 'duplicate', note: '' }, adjudicate: false });
    svc.decide({ datasetId: ds, seq: 0, decision: { kind: 'answer', answer: 'C' }, adjudicate: false });
    assert.equal(svc.item({ datasetId: ds, seq: 0 }).status, 'corrected');
    const u = svc.undo({});
    assert.equal(u.reverted?.action, 'answer');
    assert.equal(svc.item({ datasetId: ds, seq: 0 }).status, 'rejected', 'back to the reject');
    svc.undo({});
    assert.equal(svc.item({ datasetId: ds, seq: 0 }).status, 'pending');
    assert.deepEqual(svc.undo({}), { reverted: null, undoId: null }, 'nothing left to undo');
    const rows = db.prepare('SELECT action, reverts FROM rev_audit ORDER BY id').all() as { action: string; reverts: number | null }[];
    assert.deepEqual(rows.map((r) => r.action), ['reject', 'answer', 'undo', 'undo']);
    assert.deepEqual(rows.map((r) => r.reverts), [null, null, 2, 1]);

    const original = svc.item({ datasetId: ds, seq: 1 });
    svc.decide({ datasetId: ds, seq: 1, decision: { kind: 'edit', stem: 'Shorter stem?', options: original.options }, adjudicate: false });
    assert.equal(svc.item({ datasetId: ds, seq: 1 }).stem, 'Shorter stem?');
    svc.undo({ item: { datasetId: ds, seq: 1 } });
    assert.equal(svc.item({ datasetId: ds, seq: 1 }).stem, original.stem, 'undoing an edit restores the text');
  });

  test('the queue filters, orders by uncertainty and counts', () => {
    const all = svc.queue({ filter: filter(ds), order: 'uncertainty', offset: 0, limit: 100 });
    const shares = all.rows.map((r) => r.voteShare);
    const labelled = shares.filter((s): s is number => s !== null);
    assert.deepEqual(labelled, [...labelled].sort((a, b) => a - b), 'lowest vote share first');
    assert.equal(shares.slice(labelled.length).every((s) => s === null), true, 'unlabelled last');
    assert.equal(all.rows.length - labelled.length, 4, 'every 10th question is unlabelled');

    const ties = svc.queue({ filter: filter(ds, { tie: true }), order: 'created', offset: 0, limit: 100 });
    assert.deepEqual(ties.rows.map((r) => r.seq), [6, 13, 20, 27, 34]);
    const disagree = svc.queue({ filter: filter(ds, { disagreement: true }), order: 'created', offset: 0, limit: 100 });
    assert.ok(disagree.rows.every((r) => r.seq % 4 === 3 && r.seq % 7 !== 6 && r.seq % 10 !== 9));
    const range = svc.queue({ filter: filter(ds, { voteShareMin: 0.5, voteShareMax: 0.625 }), order: 'created', offset: 0, limit: 100 });
    assert.ok(range.total > 0 && range.rows.every((r) => r.voteShare !== null && r.voteShare >= 0.5 && r.voteShare <= 0.625));
    const marfan = svc.queue({ filter: filter(ds, { orphaCode: '558', questionTypes: ['diagnosis'] }), order: 'created', offset: 0, limit: 100 });
    assert.ok(marfan.total > 0 && marfan.rows.every((r) => r.seq % 5 === 0));
    const search = svc.queue({ filter: filter(ds, { search: 'Case 12:' }), order: 'created', offset: 0, limit: 100 });
    assert.deepEqual(search.rows.map((r) => r.seq), [11]);

    svc.decide({ datasetId: ds, seq: 5, decision: { kind: 'accept' }, adjudicate: false });
    const pending = svc.queue({ filter: filter(ds, { statuses: ['pending'] }), order: 'created', offset: 0, limit: 100 });
    assert.equal(pending.total, 39);
    assert.equal(pending.byStatus.accepted, 1);
    assert.deepEqual(pending.scope, { items: 40, decided: 1 });
  });

  test('the item shows its source facts, near-duplicates and every sample; new labels reach the queue', () => {
    const it = svc.item({ datasetId: ds, seq: 6 });
    assert.equal(it.pseudoLabel?.samples.length, 8);
    assert.equal(it.pseudoLabel?.tie, true);
    assert.deepEqual(it.source.facts.filter((f) => f.inStem).map((f) => f.value), ['arachnodactyly', 'ectopia lentis']);
    assert.ok(it.nearDuplicates.length > 0, 'questions on the same disorder with the same wording are flagged');
    assert.ok(it.nearDuplicates.every((d) => d.jaccard >= 0.5 && d.seq % 6 === 0), 'near-duplicates share the answer disorder');
    assert.equal(it.reasoningProb, 0.66);

    // A later labelling run (here: seq 9, unlabelled so far) shows up the next time the queue opens.
    const labels = new LabelingRepo(db);
    const run = labels.createRun({ datasetId: ds, modelPath: '/m.gguf', adapterPath: null, settings: {}, jobId: null });
    labels.saveLabel(run.id, ds, 9, { questionId: 'fx-000010', label: 'B', votes: { B: 8 }, recovered: {}, voteShare: 1, tie: false, written: 8, sampleCount: 8, rarelyAnswered: false, agreesWithIntended: false, samples: [] }, 0);
    const row = svc.queue({ filter: filter(ds, { search: 'Case 10:' }), order: 'created', offset: 0, limit: 5 }).rows[0];
    assert.deepEqual([row?.seq, row?.voteShare], [9, 1]);
  });

  test("a fact is in the stem as a whole term only, as the review page marks it: not inside a longer word", () => {
    // Question 2 is on Gaucher disease: splenomegaly, bone pain, thrombocytopenia.
    const original = svc.item({ datasetId: ds, seq: 2 });
    const stem = 'A patient with hepatosplenomegaly, bone pains and thrombocytopenia. What is the most likely diagnosis?';
    svc.decide({ datasetId: ds, seq: 2, decision: { kind: 'edit', stem, options: original.options }, adjudicate: false });
    const it = svc.item({ datasetId: ds, seq: 2 });
    assert.equal(it.stem, stem);
    assert.deepEqual(it.source.facts.map((f) => [f.value, f.inStem]), [['splenomegaly', false], ['bone pain', false], ['thrombocytopenia', true]]);
  });

  test('a bulk decision touches exactly the confirmed selection', () => {
    const sel = filter(ds, { orphaCode: '399' });
    const n = svc.queue({ filter: sel, order: 'created', offset: 0, limit: 0 }).total;
    assert.ok(n > 0 && n < 40, `${n} of 40 questions involve ORPHA:399`);
    assert.throws(
      () => svc.bulk({ filter: sel, decision: { kind: 'reject', reason: 'medically-wrong', note: '' }, confirmCount: n + 1 }),
      (e: unknown) => e instanceof ApiError && e.code === 'conflict',
    );
    assert.equal(db.prepare('SELECT COUNT(*) FROM rev_audit').pluck().get(), 0, 'a refused bulk writes nothing');
    const r = svc.bulk({ filter: sel, decision: { kind: 'reject', reason: 'medically-wrong', note: 'bulk' }, confirmCount: n });
    assert.equal(r.applied, n);
    const rejected = db.prepare(`SELECT seq FROM rev_items WHERE status = 'rejected' ORDER BY seq`).pluck().all() as number[];
    const expected = (db.prepare(`SELECT seq FROM rev_items WHERE instr(orpha_codes, ' 399 ') > 0 ORDER BY seq`).pluck().all() as number[]);
    assert.deepEqual(rejected, expected);
    assert.equal(db.prepare('SELECT COUNT(DISTINCT batch) FROM rev_audit').pluck().get(), 1);
  });

  test('blind double review hides the first decision; a conflict goes to adjudication', async () => {
    const admin = svc.repo.reviewers.localProfile();
    const alice = await svc.addReviewer({ name: 'Alice', role: 'reviewer' });
    const bob = await svc.addReviewer({ name: 'Bob', role: 'reviewer' });
    svc.setBlind(true);
    const asA = <T>(fn: () => T) => runAs({ reviewerId: alice.id, role: 'reviewer' }, fn);
    const asB = <T>(fn: () => T) => runAs({ reviewerId: bob.id, role: 'reviewer' }, fn);
    asA(() => svc.decide({ datasetId: ds, seq: 0, decision: { kind: 'answer', answer: 'A' }, adjudicate: false }));
    const seenByBob = asB(() => svc.item({ datasetId: ds, seq: 0 }));
    assert.equal(seenByBob.status, 'pending');
    assert.deepEqual(seenByBob.others, []);
    assert.equal(asB(() => svc.queue({ filter: filter(ds, { statuses: ['pending'] }), order: 'created', offset: 0, limit: 1 })).rows[0]?.seq, 0);
    asB(() => svc.decide({ datasetId: ds, seq: 0, decision: { kind: 'answer', answer: 'B' }, adjudicate: false }));
    assert.throws(() => asB(() => svc.agreement({})), /blind/);
    const conflicts = svc.queue({ filter: filter(ds, { statuses: ['conflict'] }), order: 'created', offset: 0, limit: 10 });
    assert.deepEqual(conflicts.rows.map((r) => r.seq), [0]);
    assert.equal(svc.item({ datasetId: ds, seq: 0 }).others.length, 2, 'the admin sees both decisions');
    assert.throws(() => asB(() => svc.decide({ datasetId: ds, seq: 0, decision: { kind: 'accept' }, adjudicate: true })), /Only an admin/);
    const settled = svc.decide({ datasetId: ds, seq: 0, decision: { kind: 'answer', answer: 'B' }, adjudicate: true });
    assert.deepEqual([settled.status, settled.answer], ['corrected', 'B']);
    assert.equal(admin.role, 'admin');
  });

  test('exports: audit as CSV and JSON, reviewed items as a human-labelled MedSSR set', () => {
    svc.decide({ datasetId: ds, seq: 0, decision: { kind: 'accept' }, adjudicate: false });
    svc.decide({ datasetId: ds, seq: 1, decision: { kind: 'answer', answer: 'E' }, adjudicate: false });
    svc.decide({ datasetId: ds, seq: 2, decision: { kind: 'reject', reason: 'other', note: '=cmd, "quoted"' }, adjudicate: false });
    const csv = svc.exportAudit({ format: 'csv' });
    const lines = csv.content.trim().split('\r\n');
    assert.equal(lines.length, 4);
    assert.match(lines[0] ?? '', /^id,at,reviewer_id,reviewer,dataset_id,seq,question_id,action,answer,reason,note/);
    assert.ok(lines[3]?.includes(`"'=cmd, ""quoted"""`), 'quoted and defused against spreadsheet formulas');
    const json = JSON.parse(svc.exportAudit({ format: 'json' }).content) as { action: string }[];
    assert.deepEqual(json.map((e) => e.action), ['accept', 'answer', 'reject']);
    const set = svc.humanSet([ds], 'human');
    assert.deepEqual(set.map((i) => [i.id, i.gold, i.meta.status]), [
      ['fx-000001', 'A', 'accepted'],
      ['fx-000002', 'E', 'corrected'],
    ]);
    assert.match(set[0]?.question ?? '', /\nA\. Marfan syndrome\n/);
  });
});
