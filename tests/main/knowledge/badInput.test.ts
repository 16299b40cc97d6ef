import assert from 'node:assert/strict';
import { writeFileSync, unlinkSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Db } from '../../../main/platform/db/open.js';
import { openAppDatabase } from '../../../main/app/index.js';
import { KnowledgeRepo } from '../../../main/knowledge/store.js';
import { KnowledgeSearch } from '../../../main/knowledge/search.js';
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

  it('fields of the wrong type, over-long or too deeply nested are refused by field and value', async () => {
    const cases: [string, (p: Record<string, unknown>) => void, RegExp][] = [
      ['a numeric Label', (p) => (p.Label = 42), /ORPHApacket_586\.json: Label must be a text, found number 42/],
      ['a Phenotypes string', (p) => (p.Phenotypes = 'fever'), /ORPHApacket_586\.json: Phenotypes must be a list or an object, found string "fever"/],
      ['a Genes number', (p) => (p.Genes = 7), /ORPHApacket_586\.json: Genes must be a list or an object, found number 7/],
      ['a 5 MB label', (p) => (p.Label = 'x'.repeat(5_000_000)), /ORPHApacket_586\.json: Label is 5,000,000 characters long; at most 1,000 are accepted/],
      ['a 30,000-character definition', (p) => (p.TextSection = [{ TextSectionType: 'Definition', Contents: 'y'.repeat(30_000) }]), /TextSection\[0\]\.Contents is 30,000 characters long; at most 20,000/],
      ['nesting 40 levels deep', (p) => (p.Extra = JSON.parse(`${'['.repeat(40)}1${']'.repeat(40)}`) as unknown), /ORPHApacket_586\.json: Extra(\[0\])+ is nested deeper than 32 levels/],
    ];
    for (const [what, change, pattern] of cases) {
      const dir = copyOfDemo();
      const p = readPacket(dir, '586');
      change(p.Orphapacket);
      writePacket(dir, 'ORPHApacket_586.json', p);
      await expectRejected(dir, pattern).catch((err: unknown) => assert.fail(`${what}: ${String(err)}`));
      removeDir(dir);
    }
    // Orphanet's own "no data" for an empty list stays accepted.
    const dir = copyOfDemo();
    const p = readPacket(dir, '586');
    p.Orphapacket.Genes = 'no data';
    writePacket(dir, 'ORPHApacket_586.json', p);
    await importOrphanet(db, dir, { demo: true });
    removeDir(dir);
    await importOrphanet(db, demoDir, { demo: true });
    digestBefore = repo.digest();
  });

  it('bytes that are not UTF-8 (a Latin-1 file) are refused with their offset, not stored as mojibake', async () => {
    const dir = copyOfDemo();
    const text = JSON.stringify({ Orphapacket: { ORPHAcode: '586', Label: 'Sj\u00f6gren syndrome', DisorderType: { value: 'Disease' } } });
    writeFileSync(path.join(dir, 'ORPHApacket_586.json'), Buffer.from(text, 'latin1'));
    await expectRejected(dir, /ORPHApacket_586\.json: not UTF-8: byte 0xF6 at offset 45 is not valid UTF-8 \(Latin-1/);
    writeFileSync(path.join(dir, 'ORPHApacket_586.json'), Buffer.concat([Buffer.from('{"Orphapacket": {"ORPHAcode": "586", "Label": "A'), Buffer.from([0xc3, 0x28]), Buffer.from('"}}')]));
    await expectRejected(dir, /ORPHApacket_586\.json: not UTF-8: byte 0xC3 at offset 48/);
    removeDir(dir);
  });

  it('a search hit carries at most 500 characters of a name, even one stored before the import limit', () => {
    const copy = openAppDatabase(path.join(work, 'kb.db'));
    const huge = `Marfan ${'x'.repeat(1_000_000)}`;
    try {
      copy.exec('CREATE TEMP TABLE keep AS SELECT name FROM kb_disorders WHERE code = 558');
      copy.prepare('UPDATE kb_disorders SET name = ? WHERE code = 558').run(huge);
      const hits = new KnowledgeSearch(new KnowledgeRepo(copy)).search({ text: 'marfan', filters: {}, limit: 10, offset: 0 }).hits;
      const marfan = hits.find((h) => h.orphaCode === '558');
      assert.ok(marfan);
      assert.equal(marfan.name.length, 500);
      assert.ok(marfan.name.endsWith('…'));
      assert.ok(JSON.stringify(hits).length < 10_000);
    } finally {
      copy.exec('UPDATE kb_disorders SET name = (SELECT name FROM keep) WHERE code = 558');
      copy.close();
    }
    assert.equal(repo.digest(), digestBefore);
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
