/**
 * Adapters are known by content: a trained adapter's sha256 is recorded, so an exported copy in another folder is
 * still the adapter of its run for evaluation.trainingOverlap (matchedBy 'content'); a row written before hashes
 * were recorded (sha256 NULL) is hashed when first needed; a file of the same size with other bytes stays unknown.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { createApp } from '../../../main/app/index.js';
import { TrainingRepo } from '../../../main/training/store.js';
import { sha256OfFile } from '../../../main/training/adapterHash.js';
import { plantTrainedAdapter } from '../synthesis/overlapFixture.js';

const question = 'A 7-year-old boy is evaluated for arachnodactyly, ectopia lentis and aortic root dilatation. Which of the following is the most likely diagnosis?\nA. Marfan syndrome\nB. Homocystinuria';

test('an exported copy of an adapter is recognised by its sha256; old rows are hashed lazily; other bytes stay unknown', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'medssr-adapter-id-'));
  const app = await createApp({ dataDir: dir, dbPath: ':memory:', transport: 'ipc', seedDemo: false });
  try {
    const db = app.context.db;
    // The adapter file exists before its row, as when the trainer has written it.
    const adapter = path.join(dir, 'runs', 'adapter-final.gguf');
    mkdirSync(path.dirname(adapter), { recursive: true });
    const bytes = Buffer.from('GGUF adapter bytes of run one '.repeat(40));
    writeFileSync(adapter, bytes);
    const { runId } = plantTrainedAdapter(db, dir, 'run-one', question);
    const stored = db.prepare('SELECT sha256 FROM train_adapters WHERE run_id = ?').pluck().get(runId);
    assert.equal(stored, sha256OfFile(adapter), 'the hash is recorded with the adapter');

    // Exported through the Api into another folder: same bytes, other path.
    const adapterId = db.prepare('SELECT id FROM train_adapters WHERE run_id = ?').pluck().get(runId) as number;
    const exported = (await app.call('training.exportAdapter', { adapterId, path: path.join(dir, 'elsewhere', 'shared.gguf') })).path;
    const byPath = await app.call('evaluation.trainingOverlap', { adapterPath: adapter });
    assert.deepEqual([byPath.run, byPath.matchedBy], [{ id: runId, name: 'run-one' }, 'path']);
    const byContent = await app.call('evaluation.trainingOverlap', { adapterPath: exported });
    assert.deepEqual([byContent.run, byContent.matchedBy, byContent.questions], [{ id: runId, name: 'run-one' }, 'content', 1]);

    // A row from before this release: no hash. A copy is still matched, and the hash is kept.
    db.prepare('UPDATE train_adapters SET sha256 = NULL').run();
    const copy = path.join(dir, 'usb', 'copy.gguf');
    mkdirSync(path.dirname(copy), { recursive: true });
    copyFileSync(adapter, copy);
    const lazy = await app.call('evaluation.trainingOverlap', { adapterPath: copy });
    assert.deepEqual([lazy.run, lazy.matchedBy], [{ id: runId, name: 'run-one' }, 'content']);
    assert.equal(db.prepare('SELECT sha256 FROM train_adapters WHERE run_id = ?').pluck().get(runId), sha256OfFile(adapter));

    // Same size, other bytes: not this run's adapter, and said to be unknown.
    const other = path.join(dir, 'usb', 'other.gguf');
    const changed = Buffer.from(bytes);
    changed[changed.length - 1] = changed[changed.length - 1]! ^ 1;
    writeFileSync(other, changed);
    const unknown = await app.call('evaluation.trainingOverlap', { adapterPath: other });
    assert.equal(unknown.run, null);
    assert.equal(unknown.matchedBy, undefined);
    // A row whose file is gone is not matched by anything but its path.
    assert.equal(new TrainingRepo(db).runOfAdapter(path.join(dir, 'nothing.gguf')), null);
  } finally {
    await app.close();
  }
});
