import assert from 'node:assert/strict';
import { writeFileSync, unlinkSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Db } from '../../../main/platform/db/open.js';
import { openAppDatabase } from '../../../main/app/index.js';
import { KnowledgeRepo } from '../../../main/knowledge/store.js';
import { importOrphanet } from '../../../main/knowledge/importer.js';
import { ImportError } from '../../../main/knowledge/errors.js';
import { copyOfDemo, demoDir, readPacket, removeDir, tempDir, writePacket, writeZip, zipFolder } from './fixtures.js';

describe('import: bad input stops everything and leaves the database exactly as before', () => {
  let work: string;
  let db: Db;
  let repo: KnowledgeRepo;
  let digestBefore: string;

  before(async () => {
    work = tempDir();
    db = openAppDatabase(path.join(work, 'kb.db'));
    repo = new KnowledgeRepo(db);
    await importOrphanet(db, demoDir, { demo: true });
    digestBefore = repo.digest();
    assert.ok(repo.count() > 30);
  });
  after(() => {
    db.close();
    removeDir(work);
  });

  async function expectRejected(source: string, pattern: RegExp): Promise<ImportError> {
    let caught: unknown;
    try {
      await importOrphanet(db, source, {});
    } catch (err) {
      caught = err;
    }
    assert.ok(caught instanceof ImportError, `expected an ImportError, got ${String(caught)}`);
    assert.match(caught.message, pattern);
    assert.equal(repo.digest(), digestBefore, 'the knowledge tables changed although the import failed');
    return caught;
  }

  it('truncated JSON names the file and says it is truncated or malformed', async () => {
    const dir = copyOfDemo();
    const file = path.join(dir, 'ORPHApacket_586.json');
    const text = JSON.stringify(readPacket(dir, '586'));
    writeFileSync(file, text.slice(0, Math.floor(text.length / 2)));
    // A changed valid packet in the same folder must not be written either.
    const marfan = readPacket(dir, '558');
    marfan.Orphapacket.Label = 'Changed name';
    writePacket(dir, 'ORPHApacket_558.json', marfan);
    const err = await expectRejected(dir, /ORPHApacket_586\.json: invalid JSON \(truncated or malformed\)/);
    assert.deepEqual(err.problems.map((p) => p.file), ['ORPHApacket_586.json']);
    assert.equal(repo.getDisorder(558)?.name, 'Marfan syndrome');
    removeDir(dir);
  });

  it('a wrong top level names the file and what was found', async () => {
    const dir = copyOfDemo();
    writePacket(dir, 'ORPHApacket_586.json', { Disorder: { ORPHAcode: '586' } });
    await expectRejected(dir, /ORPHApacket_586\.json: wrong top level: expected \{ "Orphapacket": \{ \.\.\. \} \}, found an object with keys Disorder/);
    writePacket(dir, 'ORPHApacket_586.json', [1, 2]);
    await expectRejected(dir, /ORPHApacket_586\.json: wrong top level.*found an array/);
    removeDir(dir);
  });

  it('an ORPHAcode twice names both files', async () => {
    const dir = copyOfDemo();
    writePacket(dir, 'copy_of_marfan.json', readPacket(dir, '558'));
    await expectRejected(dir, /copy_of_marfan\.json: ORPHAcode 558 appears twice \(also in ORPHApacket_558\.json\)/);
    removeDir(dir);
  });

  it('a non-JSON file is named as such', async () => {
    const dir = copyOfDemo();
    writeFileSync(path.join(dir, 'notes.txt'), 'not a packet');
    await expectRejected(dir, /notes\.txt: not a JSON file/);
    unlinkSync(path.join(dir, 'notes.txt'));
    writeFileSync(path.join(dir, 'ORPHApacket_999999.json'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3]));
    await expectRejected(dir, /ORPHApacket_999999\.json: not a JSON file/);
    removeDir(dir);
  });

  it('a zip that is not one is named as not a valid zip archive', async () => {
    const dir = tempDir();
    const fake = path.join(dir, 'orphapackets.zip');
    writeFileSync(fake, 'this is plain text, not a zip archive at all');
    await expectRejected(fake, /orphapackets\.zip: not a valid zip archive/);
    removeDir(dir);
  });

  it('a packet without ORPHAcode, an empty folder and a missing path are refused', async () => {
    const dir = copyOfDemo();
    const p = readPacket(dir, '586');
    delete p.Orphapacket.ORPHAcode;
    delete p.Orphapacket.ORPHApacketId;
    writePacket(dir, 'ORPHApacket_586.json', p);
    await expectRejected(dir, /ORPHApacket_586\.json: missing ORPHAcode/);
    removeDir(dir);
    const empty = tempDir();
    mkdirSync(path.join(empty, 'json'));
    await expectRejected(empty, /No ORPHApackets found/);
    removeDir(empty);
    await expectRejected(path.join(work, 'does-not-exist'), /does-not-exist: no such file or directory/);
  });

  it('several problems are all listed (the first five in the message)', async () => {
    const dir = copyOfDemo();
    writeFileSync(path.join(dir, 'ORPHApacket_586.json'), '{"Orphapacket": {');
    writeFileSync(path.join(dir, 'ORPHApacket_558.json'), '{"Orphapacket": {');
    const err = await expectRejected(dir, /2 invalid files.*ORPHApacket_558\.json.*ORPHApacket_586\.json/);
    assert.equal(err.problems.length, 2);
    assert.match(err.message, /--skip-invalid/);
    removeDir(dir);
  });

  it('--skip-invalid imports the valid packets and lists every skipped file with its reason', async () => {
    const dir = copyOfDemo();
    writeFileSync(path.join(dir, 'ORPHApacket_586.json'), '{"Orphapacket": {"ORPHAcode": "586",');
    writeFileSync(path.join(dir, 'notes.txt'), 'hello');
    writePacket(dir, 'dup.json', readPacket(dir, '558'));
    const report = await importOrphanet(db, dir, { skipInvalid: true });
    assert.deepEqual(report.skipped.map((s) => s.file).sort(), ['ORPHApacket_586.json', 'dup.json', 'notes.txt']);
    for (const s of report.skipped) assert.ok(s.reason.length > 5);
    assert.match(report.skipped.find((s) => s.file === 'ORPHApacket_586.json')?.reason ?? '', /invalid JSON/);
    assert.match(report.skipped.find((s) => s.file === 'dup.json')?.reason ?? '', /appears twice/);
    // 586 was skipped, so the new release no longer has it: it is removed, everything else unchanged.
    assert.equal(report.removed, 1);
    assert.equal(repo.getDisorder(586), null);
    assert.ok(repo.getDisorder(558));
    removeDir(dir);
    // Restore the full demo for the next tests.
    await importOrphanet(db, demoDir, { demo: true });
    assert.equal(repo.digest().length, 64);
  });

  it('imports from a zip laid out as GitHub archives are (README ignored)', async () => {
    const dir = tempDir();
    const zip = path.join(dir, 'orphapacket-master.zip');
    zipFolder(demoDir, zip);
    const report = await importOrphanet(db, zip, { demo: true });
    assert.equal(report.packets, repo.count());
    assert.equal(report.skipped.length, 0);
    assert.equal(report.unchanged, report.packets);
    // A zip whose packet is broken names the entry inside the archive.
    const bad = path.join(dir, 'bad.zip');
    writeZip(bad, [{ name: 'json/ORPHApacket_1.json', data: Buffer.from('{"Orphapacket": [') }]);
    const before = repo.digest();
    await assert.rejects(importOrphanet(db, bad), /json\/ORPHApacket_1\.json: invalid JSON/);
    assert.equal(repo.digest(), before);
    removeDir(dir);
  });
});

describe('re-import of another release updates in place', () => {
  it('reports added, removed, changed and unchanged entries', async () => {
    const work = tempDir();
    const db = openAppDatabase(path.join(work, 'kb.db'));
    const repo = new KnowledgeRepo(db);
    try {
      const first = await importOrphanet(db, demoDir);
      assert.equal(first.added, first.packets);
      const dir = copyOfDemo();
      const marfan = readPacket(dir, '558');
      marfan.Orphapacket.Label = 'Marfan syndrome (revised)';
      writePacket(dir, 'ORPHApacket_558.json', marfan);
      const cf = readPacket(dir, '586');
      cf.Orphapacket.version = 'another release';
      cf.Orphapacket.creationDate = '2026-06-01';
      writePacket(dir, 'ORPHApacket_586.json', cf);
      unlinkSync(path.join(dir, 'ORPHApacket_399.json'));
      writePacket(dir, 'ORPHApacket_123456.json', { Orphapacket: { ORPHAcode: '123456', Label: 'Test disorder', DisorderType: { value: 'Disease' } } });
      const second = await importOrphanet(db, dir);
      assert.equal(second.added, 1);
      assert.equal(second.removed, 1);
      assert.equal(second.changed, 1, 'only the label change counts; a new version/date alone does not');
      assert.equal(second.unchanged, first.packets - 2);
      assert.equal(repo.getDisorder(558)?.name, 'Marfan syndrome (revised)');
      assert.equal(repo.getDisorder(399), null);
      assert.equal(repo.getDisorder(123456)?.name, 'Test disorder');
      const hits = repo.ftsMatch('"revised"*');
      assert.deepEqual(hits.map((h) => h.code), [558]);
      assert.deepEqual(repo.ftsMatch('"huntington"*').map((h) => h.code), [], 'removed entries leave the search index');
      removeDir(dir);
    } finally {
      db.close();
      removeDir(work);
    }
  });
});
