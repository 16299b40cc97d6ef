/** Packet import within limits: zip bombs, oversized packets, links and FIFOs, and removals that need consent. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { Db } from '../../../main/platform/db/open.js';
import { openAppDatabase as openDatabase } from '../../../main/app/index.js';
import { KnowledgeRepo } from '../../../main/knowledge/store.js';
import { ImportError } from '../../../main/knowledge/errors.js';
import { importOrphanet, RemovalsNeedConsent } from '../../../main/knowledge/importer.js';
import { defaultSourceLimits, readPacketSource } from '../../../main/knowledge/source.js';
import { copyOfDemo, demoDir as bundledDemoDir, readPacket, removeDir, tempDir, writePacket, writeZip } from './fixtures.js';

const MiB = 1024 * 1024;

/** The bundled packets without their demo mark: they stand for a release the user imported. */
function releaseCopy(): string {
  const dir = copyOfDemo();
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
    const packet = readPacket(dir, name.replace(/^ORPHApacket_|\.json$/g, ''));
    delete packet.Orphapacket.demo;
    delete packet.Orphapacket.isDemo;
    writePacket(dir, name, packet);
  }
  return dir;
}

describe('packet import limits', () => {
  let work: string;
  let db: Db;
  let repo: KnowledgeRepo;
  let digest: string;
  let count: number;
  let demoDir: string;

  before(async () => {
    demoDir = releaseCopy();
    work = tempDir();
    db = openDatabase(path.join(work, 'kb.db'));
    repo = new KnowledgeRepo(db);
    await importOrphanet(db, demoDir);
    digest = repo.digest();
    count = repo.count();
  });
  after(() => {
    db.close();
    removeDir(work);
    removeDir(demoDir);
  });
  beforeEach(() => assert.equal(repo.digest(), digest));

  async function refused(source: string, pattern: RegExp, options: Parameters<typeof importOrphanet>[2] = {}): Promise<ImportError> {
    const t0 = performance.now();
    const err = await importOrphanet(db, source, options).then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(err instanceof ImportError, `expected an ImportError, got ${String(err)}`);
    assert.match(err.message, pattern);
    assert.equal(repo.digest(), digest, 'the knowledge base changed although the import was refused');
    assert.ok(performance.now() - t0 < 20_000);
    return err;
  }

  it('a zip entry inflating far beyond its size (a zip bomb) is refused by name before it is inflated', async () => {
    const bomb = path.join(work, 'bomb.zip');
    writeZip(bomb, [
      { name: 'json/ORPHApacket_15.json', data: readFileSync(path.join(demoDir, 'ORPHApacket_15.json')), deflate: true },
      { name: 'json/ORPHApacket_99.json', data: Buffer.alloc(6 * MiB, 0x20), deflate: true },
    ]);
    await refused(bomb, /bomb\.zip\/json\/ORPHApacket_99\.json: inflates \d+:1 .* over 100:1 looks like a zip bomb/);
  });

  it('a packet over the largest-packet limit is refused, named, in a folder and in a zip', async () => {
    const big = Buffer.from(JSON.stringify({ Orphapacket: { ORPHAcode: 1, Label: 'x'.repeat(defaultSourceLimits.maxFileBytes) } }));
    const dir = releaseCopy();
    try {
      writeFileSync(path.join(dir, 'ORPHApacket_1.json'), big);
      await refused(dir, /ORPHApacket_1\.json: 8\.0 MiB; a packet over 8\.0 MiB is refused/);
      const zip = path.join(work, 'big.zip');
      writeZip(zip, [{ name: 'ORPHApacket_1.json', data: big, deflate: true }]);
      await refused(zip, /big\.zip\/ORPHApacket_1\.json: .*a packet over 8\.0 MiB is refused/);
    } finally {
      removeDir(dir);
    }
  });

  it('total size and entry count are bounded too', async () => {
    await assert.rejects(readPacketSource(demoDir, undefined, { ...defaultSourceLimits, maxEntries: 10 }), /more than 10 files \(at ORPHApacket_/);
    await assert.rejects(readPacketSource(demoDir, undefined, { ...defaultSourceLimits, maxTotalBytes: 100_000 }), /more than 0\.1 MiB in all/);
  });

  it('symbolic links and FIFOs inside the folder are never opened; the import names them, and with skip-invalid lists them', async () => {
    const dir = releaseCopy();
    try {
      const victim = readdirSync(dir).find((n) => n.endsWith('.json')) as string;
      const outside = path.join(work, 'outside.json');
      writeFileSync(outside, readFileSync(path.join(dir, victim)));
      execFileSync('rm', [path.join(dir, victim)]);
      symlinkSync(outside, path.join(dir, victim));
      execFileSync('mkfifo', [path.join(dir, 'ORPHApacket_fifo.json')]);
      const err = await refused(dir, /2 invalid files/);
      assert.deepEqual(
        err.problems.map((p) => [p.file, p.reason.split(' (')[0]]),
        [
          ['ORPHApacket_fifo.json', 'a FIFO'],
          [victim, 'a symbolic link'],
        ].sort((a, b) => ((a[0] as string) < (b[0] as string) ? -1 : 1)),
      );
      // Skipping them would drop the linked disorder: that removal is asked for, not done silently.
      const consent = await refused(dir, /would remove 1 entry .*--allow-removals/, { skipInvalid: true });
      assert.ok(consent instanceof RemovalsNeedConsent);
      assert.equal(consent.codes.length, 1);
    } finally {
      removeDir(dir);
    }
  });

  it('importing a single packet file does not delete the others: it says how many and needs consent', async () => {
    const one = path.join(demoDir, 'ORPHApacket_15.json');
    const err = await refused(one, new RegExp(`would remove ${count - 1} entries that the knowledge base has and ORPHApacket_15\\.json lacks \\(ORPHA:`));
    assert.ok(err instanceof RemovalsNeedConsent);
    assert.equal(err.codes.length, count - 1);
    assert.equal(repo.count(), count);
    const report = await importOrphanet(db, one, { allowRemovals: true });
    assert.equal(report.removed, count - 1);
    assert.equal(repo.count(), 1);
    await importOrphanet(db, demoDir);
    assert.equal(repo.count(), count);
    digest = repo.digest();
  });

  it('replacing the bundled demo set needs no consent', async () => {
    const demoDb = openDatabase(path.join(work, 'demo.db'));
    try {
      await importOrphanet(demoDb, bundledDemoDir);
      const report = await importOrphanet(demoDb, path.join(demoDir, 'ORPHApacket_15.json'));
      assert.equal(report.removed, count - 1);
      assert.equal(new KnowledgeRepo(demoDb).count(), 1);
    } finally {
      demoDb.close();
    }
  });
});
