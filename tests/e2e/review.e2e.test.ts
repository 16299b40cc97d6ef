/**
 * Expert review end to end in Chromium against browser mode on loopback (the local profile acts).
 * Fixture datasets are created through the synthesis and labelling repositories, so no model is needed.
 * Screenshots: test-results/screenshots/review-*.png.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { AuditEntry } from '../../api/review.js';
import { createApp, type AppRuntime } from '../../main/app/index.js';
import type { RunningServer } from '../../main/server/server.js';
import { createReviewFixture } from '../main/review/fixture.js';
import { needChromium, screenshotPath, startBrowserMode, watchPageErrors, type BrowserMode } from './browser.js';

const noChromium = needChromium();

/** The little of the DOM that functions run inside the page use (this code compiles without the DOM library). */
interface DomElement {
  getAttribute(name: string): string | null;
  textContent: string | null;
}
interface Dom {
  document: { querySelector(selector: string): DomElement | null; activeElement: DomElement | null };
}

async function currentId(page: Page): Promise<string> {
  return (await page.getByTestId('review-item').getAttribute('data-question-id')) ?? '';
}

/** The page moves on before a decision is stored; this waits until every decision made is saved. */
async function settled(page: Page): Promise<void> {
  await page.locator('[data-testid="review-page"][data-saving="false"]').waitFor();
}

/** Waits until the item on screen is no longer `id` (the queue moved on). */
async function waitForNext(page: Page, id: string): Promise<string> {
  await page.waitForFunction((prev) => {
    const el = (globalThis as unknown as Dom).document.querySelector('[data-testid="review-item"]');
    return el !== null && el.getAttribute('data-question-id') !== prev;
  }, id);
  return currentId(page);
}

describe('Review page in browser mode', { skip: noChromium }, () => {
  let mode: BrowserMode;
  let app: AppRuntime;
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let ds: number;
  const pageErrors: string[] = [];
  const reviewed: { id: string; key: string }[] = [];

  before(async () => {
    mode = await startBrowserMode({
      prefix: 'medssr-review-e2e-',
      prepare: async (dataDir) => {
        app = await createApp({ dataDir, transport: 'http', seedDemo: true });
        ds = createReviewFixture(app.context.db, { name: 'audit-demo', count: 30, unlabelledEvery: 0 });
        return { services: app };
      },
    });
    ({ server, browser } = mode);
    page = await browser.newPage({ viewport: { width: 1500, height: 950 } });
    watchPageErrors(page, pageErrors);
  });

  after(() => mode?.close());

  const audit = async (): Promise<AuditEntry[]> => (await app.handlers['review.audit']({ datasetIds: [ds], offset: 0, limit: 1000 })).entries.reverse();

  test('ten items reviewed with the keyboard only', async () => {
    await page.goto(`${server.url}#/review`);
    await page.getByTestId('review-item').waitFor();
    await page.getByTestId('vote-histogram').waitFor();
    assert.match((await page.getByTestId('review-counts').textContent()) ?? '', /0 of 30 decided · 30 in this queue/);
    await page.screenshot({ path: screenshotPath('review-01-item.png') });

    // One of every decision: accept, pick an answer, reject with a reason, skip, edit then answer.
    const plan = ['a', '2', 'reject', 's', 'edit', 'a', '4', 'reject-other', '3', '5'];
    for (const step of plan) {
      const id = await currentId(page);
      if (step === 'reject') {
        await page.keyboard.press('r');
        await page.getByTestId('reject-dialog').waitFor();
        await page.keyboard.press('3');
        if (reviewed.length === 2) await page.screenshot({ path: screenshotPath('review-02-reject-dialog.png') });
        await page.keyboard.press('Enter');
      } else if (step === 'reject-other') {
        await page.keyboard.press('r');
        await page.getByTestId('reject-dialog').waitFor();
        await page.keyboard.press('6');
        await page.keyboard.press('Tab');
        await page.keyboard.press('Tab');
        await page.keyboard.type('asks for a recalled fact');
        await page.keyboard.press('Control+Enter');
      } else if (step === 'edit') {
        await page.keyboard.press('e');
        await page.getByTestId('edit-dialog').waitFor();
        await page.keyboard.press('Control+End');
        await page.keyboard.type(' Reviewed wording.');
        await page.keyboard.press('Control+Enter');
        await page.getByTestId('edit-dialog').waitFor({ state: 'detached' });
        await page.getByTestId('edited-chip').waitFor();
        assert.equal(await currentId(page), id, 'an edit keeps the item on screen');
        assert.match((await page.getByTestId('item-stem').textContent()) ?? '', /Reviewed wording\.$/);
        await page.keyboard.press('1');
      } else {
        await page.keyboard.press(step);
      }
      reviewed.push({ id, key: step });
      await waitForNext(page, id).catch(async (err: unknown) => {
        await page.screenshot({ path: screenshotPath('review-failed-step.png') });
        const focus = await page.evaluate(() => String((globalThis as unknown as { document: { activeElement: { outerHTML: string } | null } }).document.activeElement?.outerHTML).slice(0, 300));
        console.log('# focus at failure:', focus);
        throw new Error(`step ${reviewed.length} (${step}) did not move on: ${String(err)}`);
      });
    }
    await settled(page);
    const entries = await audit();
    assert.deepEqual(
      entries.map((e) => e.action),
      ['accept', 'answer', 'reject', 'skip', 'edit', 'answer', 'accept', 'answer', 'reject', 'answer', 'answer'],
    );
    assert.deepEqual([...new Set(entries.map((e) => e.questionId))], reviewed.map((r) => r.id));
    assert.equal(entries.find((e) => e.action === 'reject')?.reason, 'multiple-correct');
    assert.equal(entries.filter((e) => e.action === 'reject')[1]?.reason, 'other');
    assert.equal(entries.filter((e) => e.action === 'reject')[1]?.note, 'asks for a recalled fact');
    assert.ok(entries.every((e) => e.reviewerName === 'Local reviewer'));

    await page.keyboard.press('?');
    await page.getByTestId('shortcuts-dialog').waitFor();
    await page.screenshot({ path: screenshotPath('review-03-shortcuts.png') });
    await page.keyboard.press('Escape');
    await page.getByTestId('shortcuts-dialog').waitFor({ state: 'detached' });
    await page.keyboard.press('/');
    assert.equal(await page.evaluate(() => (globalThis as unknown as Dom).document.activeElement?.getAttribute('data-testid')), 'review-search');
    await page.keyboard.press('Escape');
    await page.keyboard.press('k');
    assert.equal(await currentId(page), reviewed[9]?.id, 'K goes back');
    await page.keyboard.press('j');
    await waitForNext(page, reviewed[9]?.id ?? '');
  });

  test('decisions, the edit and the audit rows are all there after a reload', async () => {
    await page.reload();
    await page.getByTestId('review-item').waitFor();
    await page.waitForFunction(() => /9 of 30 decided · 20 in this queue/.test((globalThis as unknown as Dom).document.querySelector('[data-testid="review-counts"]')?.textContent ?? ''));
    const edited = reviewed[4]?.id ?? '';
    await page.getByTestId('status-chip-all').click();
    await page.getByTestId('review-search').fill(edited);
    await page.waitForFunction((id) => (globalThis as unknown as Dom).document.querySelector('[data-testid="review-item"]')?.getAttribute('data-question-id') === id, edited);
    assert.match((await page.getByTestId('item-stem').textContent()) ?? '', /Reviewed wording\.$/);
    // Answered 1 (A) after the edit, while the model voted E: a correction.
    assert.equal(await page.getByTestId('item-status').textContent(), 'corrected');
    const edits = await page.getByTestId('edits').textContent();
    assert.match(edits ?? '', /v1 by Local reviewer/);
    assert.equal(await page.locator('[data-testid="edits"] ins').first().textContent(), ' Reviewed wording.');
    await page.screenshot({ path: screenshotPath('review-04-after-reload-edit.png') });

    const rejected = reviewed[2]?.id ?? '';
    await page.getByTestId('review-search').fill(rejected);
    await page.waitForFunction((id) => (globalThis as unknown as Dom).document.querySelector('[data-testid="review-item"]')?.getAttribute('data-question-id') === id, rejected);
    assert.equal(await page.getByTestId('item-status').textContent(), 'rejected');
    assert.match((await page.getByTestId('decisions').textContent()) ?? '', /Local reviewer: rejected \(More than one correct\)/);
    await page.getByTestId('review-search').fill('');
    await page.getByTestId('review-search').blur();
    await page.waitForFunction(() => /^\d+ \/ 30$/.test((globalThis as unknown as Dom).document.querySelector('[data-testid="queue-position"]')?.textContent ?? ''));
  });

  test('undo reverts the last decision with a new audit row', async () => {
    const before = await audit();
    const last = before[before.length - 1] as AuditEntry;
    await page.keyboard.press('u');
    await page.getByTestId('review-message').filter({ hasText: `Undid answer on ${last.questionId}` }).waitFor();
    await page.waitForFunction((id) => (globalThis as unknown as Dom).document.querySelector('[data-testid="review-item"]')?.getAttribute('data-question-id') === id, last.questionId);
    await page.waitForFunction(() => (globalThis as unknown as Dom).document.querySelector('[data-testid="item-status"]')?.textContent === 'pending');
    const afterUndo = await audit();
    assert.equal(afterUndo.length, before.length + 1);
    const undo = afterUndo[afterUndo.length - 1] as AuditEntry;
    assert.deepEqual([undo.action, undo.reverts, undo.questionId], ['undo', last.id, last.questionId]);
    assert.equal((await audit()).find((e) => e.id === last.id)?.revertedBy, undo.id);
    await page.screenshot({ path: screenshotPath('review-05-after-undo.png') });
  });

  test('a bulk reject touches exactly the selection', async () => {
    await page.getByTestId('status-chip-all').waitFor();
    // The finer filters fold behind "Filters" so the question stays above the fold at 1024×700.
    await page.getByTestId('toggle-filters').click();
    await page.getByTestId('orpha-filter').fill('399');
    const expected = await app.handlers['review.queue']({ filter: { datasetIds: [ds], orphaCode: '399' }, order: 'created', offset: 0, limit: 1000 });
    await page.waitForFunction((n) => new RegExp(`· ${n} in this queue`).test((globalThis as unknown as Dom).document.querySelector('[data-testid="review-counts"]')?.textContent ?? ''), expected.total);
    await page.getByTestId('open-bulk').click();
    await page.getByTestId('bulk-dialog').waitFor();
    // Nothing is chosen when the dialog opens: confirming needs a decision (and for a reject, its reason).
    assert.ok(await page.getByTestId('bulk-confirm').isDisabled(), 'no destructive default');
    await page.getByTestId('bulk-kind-reject').click();
    assert.ok(await page.getByTestId('bulk-confirm').isDisabled(), 'a reject needs its reason');
    await page.getByTestId('bulk-reason-medically-wrong').click();
    assert.match((await page.getByTestId('bulk-count').textContent()) ?? '', new RegExp(`^Reject ${expected.total} items`));
    await page.screenshot({ path: screenshotPath('review-06-bulk-confirm.png') });
    const beforeStates = new Map((await app.handlers['review.queue']({ filter: { datasetIds: [ds] }, order: 'created', offset: 0, limit: 1000 })).rows.map((r) => [r.seq, r.status]));
    await page.getByTestId('bulk-confirm').click();
    await page.getByTestId('review-message').filter({ hasText: `Applied to ${expected.total} items` }).waitFor();

    const selected = new Set(expected.rows.map((r) => r.seq));
    const after = (await app.handlers['review.queue']({ filter: { datasetIds: [ds] }, order: 'created', offset: 0, limit: 1000 })).rows;
    for (const r of after) {
      if (selected.has(r.seq)) assert.equal(r.status, 'rejected', `seq ${r.seq} is in the selection`);
      else assert.equal(r.status, beforeStates.get(r.seq), `seq ${r.seq} is outside the selection and unchanged`);
    }
    const bulkRows = (await audit()).filter((e) => e.batch !== null);
    assert.equal(bulkRows.length, expected.total);
    assert.deepEqual(new Set(bulkRows.map((e) => e.seq)), selected);
    await page.getByTestId('orpha-filter').fill('');
  });

  test('bulk on ticked rows (click, shift-click): the confirmation names the count and the contradictions; undo refills the queue', async () => {
    await page.getByTestId('status-chip-pending').click();
    const queue = await app.handlers['review.queue']({ filter: { datasetIds: [ds], statuses: ['pending'] }, order: 'uncertainty', offset: 0, limit: 1000 });
    assert.ok(queue.total >= 4, `enough pending items (${queue.total})`);
    await page.waitForFunction((n) => new RegExp(`· ${n} in this queue`).test((globalThis as unknown as Dom).document.querySelector('[data-testid="review-counts"]')?.textContent ?? ''), queue.total);
    const picks = page.getByTestId('queue-row-pick');
    await picks.nth(0).click();
    await picks.nth(3).click({ modifiers: ['Shift'] });
    await page.getByTestId('picked-count').filter({ hasText: '4 ticked' }).waitFor();
    const ticked = queue.rows.slice(0, 4);
    const items = await Promise.all(ticked.map((r) => app.handlers['review.item']({ datasetId: r.datasetId, seq: r.seq })));
    const contradicting = items.filter((it) => it.pseudoLabel?.label && it.pseudoLabel.label !== it.intendedAnswer).length;

    await page.getByTestId('open-bulk').click();
    await page.getByTestId('bulk-dialog').waitFor();
    assert.match((await page.getByTestId('bulk-scope').textContent()) ?? '', /^4 ticked in the queue/);
    await page.getByTestId('bulk-kind-accept').click();
    const text = (await page.getByTestId('bulk-count').textContent()) ?? '';
    assert.match(text, /^Accept the pseudo-label of 4 items\./);
    if (contradicting > 0) assert.match(text, new RegExp(`${contradicting} of them have a pseudo-label that contradicts the intended answer: accepting stores those labels as correct`));
    else assert.match(text, /None has a pseudo-label that contradicts/);
    await page.screenshot({ path: screenshotPath('review-07-bulk-ticked.png') });
    await page.getByTestId('bulk-confirm').click();
    await page.getByTestId('review-message').filter({ hasText: 'Applied to 4 items' }).waitFor();
    for (const r of ticked) assert.equal((await app.handlers['review.item']({ datasetId: r.datasetId, seq: r.seq })).status, 'accepted');
    const untouched = queue.rows[4];
    if (untouched) assert.equal((await app.handlers['review.item']({ datasetId: untouched.datasetId, seq: untouched.seq })).status, 'pending', 'the next row was not ticked');
    await settled(page);

    // Undo one of the four: it is pending again, and the pending queue shows it (rows and counters agree).
    await page.getByTestId('undo').click();
    await page.getByTestId('review-message').filter({ hasText: /^Undid accept/ }).waitFor();
    await page.waitForFunction((n) => new RegExp(`· ${n} in this queue`).test((globalThis as unknown as Dom).document.querySelector('[data-testid="review-counts"]')?.textContent ?? ''), queue.total - 3);
    await page.getByTestId('review-item').waitFor();
    assert.equal(await page.getByTestId('no-item').count(), 0);
    assert.equal(await page.getByTestId('queue-row').count() > 0, true);
    await page.getByTestId('status-chip-all').click();
  });

  test('the agreement dashboard and guidelines sit beside the item', async () => {
    await page.getByTestId('guidelines').waitFor();
    await page.getByTestId('agreement-tab').click();
    await page.getByTestId('human-vs-pseudo').waitFor();
    assert.match((await page.getByTestId('throughput-table').textContent()) ?? '', /Local reviewer/);
    await page.screenshot({ path: screenshotPath('review-07-agreement.png') });
    assert.deepEqual(pageErrors, []);
  });

  test('every sampled trace opens, with its final answer marked; written answers are not flagged as recovered', async () => {
    await page.getByTestId('traces').scrollIntoViewIfNeeded();
    const traces = page.getByTestId('trace');
    assert.equal(await traces.count(), 8);
    // The fixture's samples all wrote their answer (recovered letters no longer vote): none may carry the flag.
    assert.equal(await page.getByTestId('trace-recovered').count(), 0);
    assert.equal(await page.getByTestId('recovered-letters').count(), 0);
    await traces.nth(7).locator('.MuiAccordionSummary-root').click();
    const mark = page.getByTestId('trace-answer');
    await mark.waitFor();
    assert.match((await mark.textContent()) ?? '', /^The answer is [A-E]$/);
    assert.ok((await page.getByTestId('fact-in-stem').count()) >= 2, 'the phenotypes named in the stem are highlighted');
    await page.getByTestId('source-knowledge').scrollIntoViewIfNeeded();
    await page.screenshot({ path: screenshotPath('review-10-traces-and-source.png') });
  });

  test('blind double review: two reviewers disagree, the admin adjudicates from the conflict queue', async () => {
    const alice = await app.handlers['review.addReviewer']({ name: 'Alice', role: 'reviewer' });
    const bob = await app.handlers['review.addReviewer']({ name: 'Bob', role: 'reviewer' });
    await app.handlers['review.setBlind']({ blind: true });
    const pending = await app.handlers['review.queue']({ filter: { datasetIds: [ds], statuses: ['pending'] }, order: 'created', offset: 0, limit: 1 });
    const seq = pending.rows[0]!.seq;
    await app.handlers['review.decide']({ datasetId: ds, seq, decision: { kind: 'answer', answer: 'A' }, adjudicate: false, reviewerId: alice.id });
    // Bob, in blind mode, is shown the item as still pending, without Alice's answer.
    const seenByBob = await app.handlers['review.item']({ datasetId: ds, seq, reviewerId: bob.id });
    assert.deepEqual([seenByBob.status, seenByBob.others.length], ['pending', 0]);
    await app.handlers['review.decide']({ datasetId: ds, seq, decision: { kind: 'answer', answer: 'B' }, adjudicate: false, reviewerId: bob.id });

    await page.reload();
    await page.getByTestId('review-item').waitFor();
    await page.getByTestId('status-chip-conflict').click();
    await page.getByTestId('conflict-banner').waitFor();
    assert.match((await page.getByTestId('conflict-banner').textContent()) ?? '', /Alice: A, Bob: B/);
    await page.screenshot({ path: screenshotPath('review-11-adjudication.png') });
    await page.keyboard.press('2');
    await settled(page);
    const settledItem = await app.handlers['review.item']({ datasetId: ds, seq });
    assert.equal(settledItem.answer, 'B');
    assert.notEqual(settledItem.status, 'conflict');
    assert.equal(settledItem.mine?.adjudication, true);
    await app.handlers['review.setBlind']({ blind: false });
  });
});

describe('Review page behind a login (server bound to 0.0.0.0)', { skip: noChromium }, () => {
  let mode: BrowserMode;
  let app: AppRuntime;
  let server: RunningServer;
  let browser: Browser;

  before(async () => {
    mode = await startBrowserMode({
      prefix: 'medssr-review-login-',
      prepare: async (dataDir) => {
        app = await createApp({ dataDir, transport: 'http', seedDemo: true });
        createReviewFixture(app.context.db, { name: 'shared', count: 12 });
        await app.handlers['review.addReviewer']({ name: 'Rex', role: 'reviewer', password: 'reviewer-pass-1' });
        await app.handlers['review.addReviewer']({ name: 'Ada', role: 'admin', password: 'admin-pass-1' });
        return { host: '0.0.0.0', services: app };
      },
    });
    ({ server, browser } = mode);
  });

  after(() => mode?.close());

  test('a reviewer signs in, decides with the CSRF token the page holds, and sees no admin controls', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors = watchPageErrors(page, [], { console: false });
    await page.goto(`http://127.0.0.1:${server.port}/#/review`);
    await page.getByTestId('login-form').waitFor();
    await page.getByTestId('login-name').fill('Rex');
    await page.getByTestId('login-password').fill('wrong-password');
    await page.getByTestId('login-submit').click();
    await page.getByTestId('login-error').filter({ hasText: 'Wrong name or password' }).waitFor();
    await page.screenshot({ path: screenshotPath('review-08-login.png') });
    await page.getByTestId('login-password').fill('reviewer-pass-1');
    await page.getByTestId('login-submit').click();
    await page.getByTestId('review-item').waitFor();
    assert.equal(await page.getByTestId('signed-in-as').textContent(), 'Rex · reviewer');
    assert.equal(await page.getByTestId('open-bulk').count(), 0, 'bulk is an admin action');
    assert.equal(await page.getByTestId('guidelines-edit').count(), 0, 'guidelines are edited by admins');
    const id = await currentId(page);
    await page.keyboard.press('2');
    await waitForNext(page, id);
    await settled(page);
    const entries = (await app.handlers['review.audit']({ offset: 0, limit: 10 })).entries;
    assert.deepEqual(entries.map((e) => [e.reviewerName, e.questionId, e.action]), [['Rex', id, 'answer']]);
    await page.screenshot({ path: screenshotPath('review-09-signed-in-reviewer.png') });
    assert.deepEqual(errors, []);
  });
});
