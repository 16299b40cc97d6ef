/**
 * End to end in Chromium against browser mode: a fresh data folder (demo set), import of the real
 * ORPHApackets through the UI, search, detail, facets and deep links. Screenshots go to
 * test-results/screenshots/.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { RunningServer } from '../../main/server/server.js';
import { needShared, sharedPath } from '../helpers/shared.js';
import { needChromium, screenshotPath, startBrowserMode, watchPageErrors, type BrowserMode } from './browser.js';

const packetsDir = sharedPath('data', 'orphapacket', 'json');
const noChromium = needChromium();

/** The shown results answer the current query (the previous ones stay on screen until they do). */
async function settled(page: Page, query: string): Promise<void> {
  await page.locator(`[data-testid="result-list"][data-query="${query}"]`).waitFor();
  await page.locator('[data-testid="result-count"][data-settled="true"]').waitFor();
}

async function resultCount(page: Page): Promise<number> {
  const text = (await page.getByTestId('result-count').textContent()) ?? '';
  const m = /^([\d,]+) entr/.exec(text);
  return m ? Number(m[1]!.replace(/,/g, '')) : -1;
}

async function waitForCount(page: Page, predicate: (n: number) => boolean, what: string): Promise<number> {
  const deadline = Date.now() + 10_000;
  let n = -1;
  while (Date.now() < deadline) {
    n = await resultCount(page);
    if (predicate(n)) return n;
    await page.waitForTimeout(50);
  }
  throw new Error(`result count never became ${what} (last ${n})`);
}

describe('Knowledge page in browser mode', { skip: noChromium }, () => {
  let mode: BrowserMode;
  let dataDir: string;
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let imported = false;
  const pageErrors: string[] = [];

  before(async () => {
    mode = await startBrowserMode({ prefix: 'medssr-e2e-' });
    ({ dataDir, server, browser } = mode);
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    // The bad-path import answers 4xx, which watchPageErrors leaves out.
    watchPageErrors(page, pageErrors);
  });

  after(() => mode?.close());

  test('a first start shows the demo set and offers the import prominently', async () => {
    await page.goto(server.url);
    await page.getByTestId('disorder-row').first().waitFor();
    await page.getByTestId('demo-banner').waitFor();
    assert.equal(await page.getByTestId('open-import').textContent(), 'Import ORPHApackets…');
    const n = await waitForCount(page, (c) => c > 0, 'positive');
    assert.ok(n >= 20 && n <= 60, `demo set has ${n} entries`);
    assert.ok((await page.getByTestId('disorder-row').first().textContent())?.includes('demo'), 'demo rows carry a badge');
    await page.screenshot({ path: screenshotPath('01-demo-start.png') });
  });

  test('importing from a path that does not exist says so and changes nothing', async () => {
    await page.getByTestId('open-import').click();
    await page.getByTestId('import-path').fill('/nonexistent/orphapackets');
    await page.getByTestId('import-start').click();
    const message = page.locator('[data-testid="import-error"], [data-testid="import-failed"]');
    await message.waitFor({ timeout: 30_000 });
    assert.match((await message.textContent()) ?? '', /\/nonexistent\/orphapackets/);
    await page.screenshot({ path: screenshotPath('01b-import-error.png') });
    await page.getByRole('button', { name: 'Close' }).click();
    await page.getByTestId('import-dialog').waitFor({ state: 'detached' });
    await page.getByTestId('demo-banner').waitFor();
  });

  test('importing the real ORPHApackets through the UI', { skip: needShared('data', 'orphapacket', 'json') }, async () => {
    await page.getByTestId('open-import').click();
    await page.getByTestId('import-path').fill(packetsDir);
    await page.getByTestId('import-start').click();
    const report = page.getByTestId('import-report');
    await report.waitFor({ timeout: 120_000 });
    const text = (await report.textContent()) ?? '';
    assert.match(text, /9,960 packets/);
    await page.screenshot({ path: screenshotPath('02-import-finished.png') });
    await page.getByRole('button', { name: 'Close' }).click();
    await page.getByTestId('demo-banner').waitFor({ state: 'detached' });
    assert.equal(await waitForCount(page, (c) => c === 9960, '9,960'), 9960);
    imported = true;
  });

  test('search "marfan", open ORPHA:558 and see its phenotypes', async () => {
    const input = page.getByTestId('search-input');
    await input.fill('');
    const started = Date.now();
    await input.pressSequentially('marfan', { delay: 30 });
    await settled(page, 'marfan');
    const first = page.locator('[data-testid="disorder-row"][data-orpha="558"]');
    await first.waitFor({ timeout: 20_000 });
    const tookMs = Date.now() - started;
    console.log(`# "marfan" typed and ORPHA:558 listed after ${tookMs} ms (typing took ~180 ms)`);
    // Latency targets belong to bench/ (bench/knowledge.ts: search p95; bench/ui.ts: first render); here the figure is
    // only printed, so a loaded CI machine cannot fail a correct UI.
    assert.equal(await page.getByTestId('disorder-row').first().getAttribute('data-orpha'), '558', 'best match first');
    await first.click();
    assert.equal(new URL(page.url()).hash, '#/knowledge/558');
    const detail = page.locator('[data-testid="disorder-detail"][data-orpha="558"]');
    await detail.waitFor();
    assert.equal(await page.getByTestId('disorder-name').textContent(), 'Marfan syndrome');
    const phenotypes = page.getByTestId('phenotype-row');
    await phenotypes.first().waitFor();
    const count = await phenotypes.count();
    if (imported) {
      assert.equal(count, 68);
      assert.ok(await page.getByText('Arachnodactyly', { exact: true }).first().isVisible());
      const groups = await page.getByTestId('phenotype-group').allTextContents();
      assert.ok(groups[0]?.startsWith('Very frequent'), `first group is ${groups[0]}`);
      const genes = await page.getByTestId('gene-table').textContent();
      assert.match(genes ?? '', /FBN1/);
      assert.match(genes ?? '', /via subtype/);
      assert.match((await page.getByTestId('detail-attribution').textContent()) ?? '', /Orphanet \(c\) 2025/);
    } else {
      assert.ok(count > 0, 'demo Marfan entry lists phenotypes');
    }
    await page.screenshot({ path: screenshotPath('03-marfan-detail.png') });
    await page.getByTestId('genes-section').scrollIntoViewIfNeeded();
    await page.screenshot({ path: screenshotPath('04-marfan-genes.png') });
  });

  test('a row\'s gene count is its detail\'s; PMIDs are https links; an HPO search names the term; "On this page" reaches Genes', async (t) => {
    if (!imported) return t.skip('needs the real ORPHApackets (../shared/data/orphapacket/json)');
    const input = page.getByTestId('search-input');
    // Alport syndrome: 4 distinct genes, all through its subtypes, in 10 association rows.
    await input.fill('Alport syndrome');
    await settled(page, 'Alport syndrome');
    const row = page.locator('[data-testid="disorder-row"][data-orpha="63"]');
    await row.waitFor();
    const rowGenes = Number(/(\d+) genes?/.exec((await row.textContent()) ?? '')?.[1]);
    await row.click();
    await page.locator('[data-testid="disorder-detail"][data-orpha="63"]').waitFor();
    const heading = (await page.getByTestId('genes-section-count').textContent()) ?? '';
    assert.equal(Number(heading.replace(/,/g, '')), rowGenes, `the row says ${rowGenes} genes, the detail's heading ${heading}`);
    assert.match((await page.getByTestId('genes-section-note').textContent()) ?? '', /distinct genes · all through its subtypes · \d+ associations listed/);
    const pmids = page.getByTestId('pmid-link');
    assert.ok((await pmids.count()) > 0, 'the prevalence sources link their PubMed ids');
    for (const href of await pmids.evaluateAll((els) => els.map((e) => e.getAttribute('href')))) assert.match(href ?? '', /^https:\/\/pubmed\.ncbi\.nlm\.nih\.gov\/\d+\/$/);

    // Keyboard: the section links come right after the Orphanet button, and move the focus to the section.
    await page.getByTestId('section-jumps').getByRole('button', { name: 'Genes' }).focus();
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } } }).document.activeElement.id), 'section-genes');

    await input.fill('HP:0001166');
    await settled(page, 'HP:0001166');
    const hpoRow = page.getByTestId('disorder-row').first();
    await hpoRow.waitFor();
    assert.match((await hpoRow.textContent()) ?? '', /HP:0001166 Arachnodactyly/);
    await page.screenshot({ path: screenshotPath('05-hpo-search.png') });
  });

  test('the phenotype table sorts by term within frequency groups', async () => {
    await page.getByTestId('phenotypes-section').scrollIntoViewIfNeeded();
    const termsBefore = await page.getByTestId('phenotype-row').locator('td:first-child').allTextContents();
    await page.getByTestId('phenotype-table').getByRole('button', { name: 'Phenotype' }).click();
    await page.getByTestId('phenotype-table').getByRole('button', { name: 'Phenotype' }).click();
    const termsAfter = await page.getByTestId('phenotype-row').locator('td:first-child').allTextContents();
    assert.equal(termsAfter.length, termsBefore.length);
    assert.notDeepEqual(termsAfter, termsBefore, 'descending order differs');
    const firstGroup = (await page.getByTestId('phenotype-group').first().textContent()) ?? '';
    const groupSize = Number(/· (\d+)/.exec(firstGroup)?.[1] ?? '0');
    const firstGroupTerms = termsAfter.slice(0, groupSize);
    const sorted = [...firstGroupTerms].sort((a, b) => b.localeCompare(a, undefined, { sensitivity: 'base', numeric: true }));
    assert.deepEqual(firstGroupTerms, sorted);
  });

  test('facet filtering changes the list to the counted entries', async () => {
    await page.getByTestId('search-input').fill('');
    await settled(page, '');
    const all = await waitForCount(page, (c) => c > 0 && c === (imported ? 9960 : c), 'the full set');
    const option = page.getByTestId('facet-disorderType').locator('[data-testid="facet-option"][data-facet-value="Disease"]');
    const expected = Number((/([\d,]+)$/.exec((await option.textContent()) ?? '')?.[1] ?? '').replace(/,/g, ''));
    assert.ok(expected > 0 && expected < all, `Disease facet counts ${expected} of ${all}`);
    await option.locator('input[type=checkbox]').check();
    const filtered = await waitForCount(page, (c) => c === expected, String(expected));
    assert.equal(filtered, expected);
    await page.getByTestId('active-filters').waitFor();
    const rowTexts = await page.getByTestId('disorder-row').allTextContents();
    assert.ok(rowTexts.length > 0 && rowTexts.every((t) => t.includes('Disease')), 'every listed row is a Disease');
    await page.getByTestId('facet-hasGenes').locator('input[type=checkbox]').check();
    const withGenes = await waitForCount(page, (c) => c > 0 && c < filtered, `< ${filtered}`);
    await page.screenshot({ path: screenshotPath('05-facets.png') });
    await page.getByRole('button', { name: /^Clear \d/ }).click();
    assert.equal(await waitForCount(page, (c) => c === all, String(all)), all);
    console.log(`# facets: all ${all}, Disease ${filtered}, Disease with genes ${withGenes}`);
  });

  test('the whole list scrolls to its last entry', async (t) => {
    if (!imported) {
      t.skip('needs the real import');
      return;
    }
    const list = page.getByTestId('result-list');
    await list.evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
    const lastRow = page.getByTestId('disorder-row').last();
    const deadline = Date.now() + 5000;
    while ((await list.evaluate((el) => el.scrollTop)) < 500_000 && Date.now() < deadline) await page.waitForTimeout(50);
    await lastRow.waitFor();
    const listBox = await list.boundingBox();
    const rowBox = await lastRow.boundingBox();
    assert.ok(listBox && rowBox && rowBox.y + rowBox.height <= listBox.y + listBox.height + 2, 'last row is inside the viewport');
    await list.evaluate((el) => el.scrollTo({ top: 0 }));
  });

  test('deep links open an entry directly, and children are clickable', async () => {
    const fresh = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    try {
      await fresh.goto(`${server.url}#/knowledge/558`);
      await fresh.locator('[data-testid="disorder-detail"][data-orpha="558"]').waitFor();
      assert.equal(await fresh.getByTestId('disorder-name').textContent(), 'Marfan syndrome');
      if (imported) {
        const child = fresh.getByTestId('children').locator('a').first();
        const childCode = await child.getAttribute('data-orpha');
        await child.click();
        await fresh.locator(`[data-testid="disorder-detail"][data-orpha="${childCode}"]`).waitFor();
        assert.equal(new URL(fresh.url()).hash, `#/knowledge/${childCode}`);
        await fresh.goBack();
        await fresh.locator('[data-testid="disorder-detail"][data-orpha="558"]').waitFor();
      }
      await fresh.goto(`${server.url}#/knowledge/999999999`);
      await fresh.getByText('ORPHA:999999999 is not in the knowledge base.').waitFor();
    } finally {
      await fresh.close();
    }
  });

  test('settings show the data folder', async () => {
    await page.goto(`${server.url}#/settings`);
    await page.getByTestId('settings-page').waitFor();
    await page.getByText(path.resolve(dataDir)).waitFor();
    await page.screenshot({ path: screenshotPath('07-settings.png') });
  });

  test('no page errors along the way', () => {
    assert.deepEqual(pageErrors, []);
  });
});
