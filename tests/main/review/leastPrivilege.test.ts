/**
 * Issue 15, LAN least privilege, at the service: blind review hides the other reviewer's decisions everywhere
 * (queue filter, item, comments, audit, human-set export) until adjudication; account names are normalised and
 * unique on that form; at least one admin (one who can sign in) always remains; reviewers see only themselves.
 */
import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { queueFilterSchema } from '../../../api/review.js';
import { openAppDatabase } from '../../../main/app/index.js';
import { accountKey, normalizeAccountName } from '../../../main/review/accountName.js';
import { runAs } from '../../../main/review/actor.js';
import { ReviewService } from '../../../main/review/service.js';
import { createReviewFixture } from './fixture.js';

const noKnowledge = { get: () => null, disordersInBranch: () => [] };

describe('review least privilege', () => {
  let svc: ReviewService;
  let ds: number;
  beforeEach(() => {
    const db = openAppDatabase(':memory:');
    ds = createReviewFixture(db, { name: 'lp', count: 6 });
    svc = new ReviewService(db, noKnowledge);
  });

  test('blind review: another reviewer’s decisions stay hidden in the queue, the item, the audit and the export until adjudication', async () => {
    const alice = await svc.addReviewer({ name: 'Alice', role: 'reviewer' });
    const bob = await svc.addReviewer({ name: 'Bob', role: 'reviewer' });
    svc.setBlind(true);
    const asA = <T>(fn: () => T) => runAs({ reviewerId: alice.id, role: 'reviewer' }, fn);
    const asB = <T>(fn: () => T) => runAs({ reviewerId: bob.id, role: 'reviewer' }, fn);
    asA(() => svc.decide({ datasetId: ds, seq: 0, decision: { kind: 'answer', answer: 'A' }, adjudicate: false }));
    asA(() => svc.decide({ datasetId: ds, seq: 0, decision: { kind: 'comment', text: 'I would say A' }, adjudicate: false }));
    asA(() => svc.decide({ datasetId: ds, seq: 1, decision: { kind: 'accept' }, adjudicate: false }));

    const byAlice = queueFilterSchema.parse({ datasetIds: [ds], decidedBy: alice.id });
    assert.throws(() => asB(() => svc.queue({ filter: byAlice, order: 'created', offset: 0, limit: 10 })), /your own decisions only/);
    const mine = queueFilterSchema.parse({ datasetIds: [ds], decidedBy: bob.id });
    assert.equal(asB(() => svc.queue({ filter: mine, order: 'created', offset: 0, limit: 10 })).total, 0);

    const item = asB(() => svc.item({ datasetId: ds, seq: 0 }));
    assert.deepEqual([item.status, item.others, item.comments], ['pending', [], []]);

    const audit = asB(() => svc.audit({ offset: 0, limit: 50 }));
    assert.deepEqual([audit.total, audit.entries.length], [0, 0], 'the total counts only Bob’s own rows');
    assert.equal(asB(() => svc.exportAudit({ format: 'json' })).count, 0);
    assert.throws(() => asB(() => svc.exportHumanSet({ datasetIds: [ds], name: 'x' })), /only an admin exports it/);
    assert.equal(svc.exportHumanSet({ datasetIds: [ds], name: 'x' }).count, 2, 'the admin exports the combined outcome');

    asB(() => svc.decide({ datasetId: ds, seq: 0, decision: { kind: 'answer', answer: 'B' }, adjudicate: false }));
    svc.decide({ datasetId: ds, seq: 0, decision: { kind: 'answer', answer: 'B' }, adjudicate: true });
    const settled = asB(() => svc.item({ datasetId: ds, seq: 0 }));
    assert.deepEqual(settled.others.map((o) => o.reviewerName).sort(), ['Alice', 'Local reviewer'], 'after adjudication the decisions may be seen');
    assert.equal(settled.comments.length, 1);
  });

  test('account names: NFKC, invisible characters removed, unique on the normalised case-folded form', async () => {
    assert.equal(normalizeAccountName('  A\u200Bd\u2060a\uFEFF  '), 'Ada');
    assert.equal(normalizeAccountName('Ａｄａ'), 'Ada');
    assert.equal(accountKey('ADA\u200D'), accountKey('ada'));
    const ada = await svc.addReviewer({ name: 'Ada\u200B', role: 'reviewer' });
    assert.equal(ada.name, 'Ada', 'stored in its normalised form');
    for (const lookAlike of ['Ada', 'A\u200Bda', 'ａｄａ', 'ADA', 'A\u00ADda']) {
      await assert.rejects(svc.addReviewer({ name: lookAlike, role: 'reviewer' }), /already exists|too close/, JSON.stringify(lookAlike));
    }
    await assert.rejects(svc.addReviewer({ name: '\u200B\u200C', role: 'reviewer' }), /visible character/);
    assert.equal(svc.accounts.findByName('a\u200Bda ')?.id, ada.id, 'sign-in finds the account by the same form');
  });

  test('at least one admin always remains, and one who can sign in', async () => {
    const ada = await svc.addReviewer({ name: 'Ada', role: 'admin', password: 'pw-ada-123' });
    // The local profile is an admin without a password: it counts on the desktop, but nobody can sign in as it.
    await assert.rejects(svc.updateReviewer({ id: ada.id, role: 'reviewer' }), /last admin who can sign in/);
    const local = svc.repo.reviewers.localProfile();
    await assert.rejects(
      runAs({ reviewerId: ada.id, role: 'admin' }, () => svc.updateReviewer({ id: local.id, role: 'reviewer' }).then(() => svc.updateReviewer({ id: ada.id, role: 'reviewer' }))),
      /last admin/,
    );
    const roles = svc.repo.reviewers.list().filter((r) => r.role === 'admin').map((r) => r.name);
    assert.deepEqual(roles, ['Ada'], 'the local profile could be demoted, Ada then could not');
    const asAda = <T>(fn: () => T) => runAs({ reviewerId: ada.id, role: 'admin' }, fn);
    await asAda(() => svc.addReviewer({ name: 'Bea', role: 'admin', password: 'pw-bea-123' }));
    assert.equal((await asAda(() => svc.updateReviewer({ id: ada.id, role: 'reviewer' }))).role, 'reviewer', 'with a second admin who can sign in, Ada may step down');
  });

  test('behind a login a reviewer’s session lists only themself; an admin’s lists every account', async () => {
    const rex = await svc.addReviewer({ name: 'Rex', role: 'reviewer', password: 'pw-rex-123' });
    const ada = await svc.addReviewer({ name: 'Ada', role: 'admin', password: 'pw-ada-123' });
    const asRex = runAs({ reviewerId: rex.id, role: 'reviewer' }, () => svc.session());
    assert.deepEqual(asRex.reviewers.map((r) => r.name), ['Rex']);
    const asAda = runAs({ reviewerId: ada.id, role: 'admin' }, () => svc.session());
    assert.deepEqual(asAda.reviewers.map((r) => r.name), ['Local reviewer', 'Rex', 'Ada']);
  });
});
