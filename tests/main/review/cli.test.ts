/** `medssr reviewers …`, `medssr review export-audit` and `medssr export --reviewed`, spawned as users run them. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createApp } from '../../../main/app/index.js';
import { openAppDatabase } from '../../../main/app/index.js';
import { runMedssr } from '../../helpers/cli.js';
import { createReviewFixture } from './fixture.js';

/** The password prompt reads stdin: every run gets one (empty unless given), and no inherited MEDSSR_PASSWORD. */
const medssr = (args: string[], env: NodeJS.ProcessEnv = {}, stdin?: string) => runMedssr(args, { env: { MEDSSR_PASSWORD: '', ...env }, stdin: stdin ?? '' });
describe('review commands of the medssr CLI', () => {
  let dir: string;
  let db: string;

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'medssr-review-cli-'));
    db = path.join(dir, 'medssr.db');
    const raw = openAppDatabase(db);
    createReviewFixture(raw, { name: 'cli-set', count: 6 });
    raw.close();
    const app = await createApp({ dataDir: dir, dbPath: db, transport: 'ipc' });
    await app.handlers['review.decide']({ datasetId: 1, seq: 0, decision: { kind: 'accept' }, adjudicate: false });
    await app.handlers['review.decide']({ datasetId: 1, seq: 1, decision: { kind: 'answer', answer: 'C' }, adjudicate: false });
    await app.handlers['review.decide']({ datasetId: 1, seq: 2, decision: { kind: 'reject', reason: 'duplicate', note: '' }, adjudicate: false });
    await app.close();
  });

  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('reviewers add takes the password from MEDSSR_PASSWORD or stdin, never argv, and checks its length', async () => {
    const added = await medssr(['reviewers', 'add', '--name', 'Ada', '--role', 'admin', '--db', db], { MEDSSR_PASSWORD: 'admin-pass-1' });
    assert.equal(added.code, 0, added.stderr);
    const piped = await medssr(['reviewers', 'add', '--name', 'Rex', '--db', db], {}, 'reviewer-pass-1\n');
    assert.equal(piped.code, 0, piped.stderr);
    const short = await medssr(['reviewers', 'add', '--name', 'Bob', '--db', db], {}, 'short\n');
    assert.notEqual(short.code, 0);
    assert.match(short.stderr, /at least 8 characters/);
    const list = await medssr(['reviewers', 'list', '--db', db]);
    assert.deepEqual(list.stdout.trim().split('\n'), ['1\tLocal reviewer\tadmin\tlocal', '2\tAda\tadmin\tpassword set', '3\tRex\treviewer\tpassword set']);
  });

  test('export --reviewed writes the human-labelled set in MedSSR format; export-audit writes the log', async () => {
    const out = path.join(dir, 'human.json');
    const r = await medssr(['export', '--dataset', 'cli-set', '--reviewed', '--out', out, '--db', db]);
    assert.equal(r.code, 0, r.stderr);
    const items = JSON.parse(readFileSync(out, 'utf8')) as { id: string; question: string; gold: string; name: string }[];
    assert.deepEqual(items.map((i) => [i.id, i.gold]), [
      ['cli-set-000001', 'A'],
      ['cli-set-000002', 'C'],
    ]);
    assert.match(items[0]?.question ?? '', /\nE\. /);
    const csv = path.join(dir, 'audit.csv');
    const a = await medssr(['review', 'export-audit', '--out', csv, '--db', db]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(readFileSync(csv, 'utf8').trim().split('\r\n').length, 4);
    const json = path.join(dir, 'audit.json');
    assert.equal((await medssr(['review', 'export-audit', '--format', 'json', '--out', json, '--db', db])).code, 0);
    assert.deepEqual((JSON.parse(readFileSync(json, 'utf8')) as { action: string }[]).map((e) => e.action), ['accept', 'answer', 'reject']);
  });
});
