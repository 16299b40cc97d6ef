/**
 * Import sources: the importer picks the first source that detects a path (ORPHApackets for a folder, a .zip or a
 * .json packet), refuses one no source accepts with the sources' own words, and reads a source's items through the
 * interface alone (a toy second format here stands in for Orphadata XML).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { ImportError } from '../../../main/knowledge/errors.js';
import { collectRecords } from '../../../main/knowledge/importer.js';
import { parsePacketFile } from '../../../main/knowledge/packet.js';
import { detectSource, importSources, type ImportSource } from '../../../main/knowledge/sources/index.js';
import { orphaPacketsSource } from '../../../main/knowledge/sources/orphaPackets.js';
import { demoDir, removeDir, tempDir, writeZip } from './fixtures.js';

describe('knowledge import sources', () => {
  const dir = tempDir();
  after(() => removeDir(dir));
  const packets = readdirSync(demoDir).filter((f) => f.endsWith('.json')).sort();

  it('detects ORPHApackets in a folder, a .zip and a single packet, and names what it accepts otherwise', async () => {
    const one = path.join(demoDir, packets[0] as string);
    const zip = path.join(dir, 'release.zip');
    writeZip(zip, [{ name: packets[0] as string, data: readFileSync(one) }]);
    for (const p of [demoDir, zip, one]) assert.equal(await detectSource(p, importSources), orphaPacketsSource, p);
    const txt = path.join(dir, 'notes.bin');
    writeFileSync(txt, 'hello');
    await assert.rejects(detectSource(txt, importSources), (e: unknown) => e instanceof ImportError && e.message === 'notes.bin: not a directory, a .zip archive or an ORPHApacket .json file');
    await assert.rejects(detectSource(path.join(dir, 'missing'), importSources), /no such file or directory/);
  });

  it('a second format plugs in through the interface: detect, open, records, with duplicates and problems handled by the importer', async () => {
    const bytes = readFileSync(path.join(demoDir, packets[0] as string));
    const toy: ImportSource = {
      label: 'toy records',
      items: 'records',
      accepts: 'a .toy file',
      detect: async (file) => file.endsWith('.toy'),
      open: async () => ({
        total: 3,
        problems: [{ file: 'link', reason: 'a symbolic link' }],
        *records({ demo }) {
          const record = parsePacketFile('a.json', bytes, { demo });
          yield { file: 'a', record };
          yield { file: 'b', record };
          yield { file: 'c', problem: { file: 'c', reason: 'unreadable' } };
        },
      }),
    };
    const file = path.join(dir, 'x.toy');
    writeFileSync(file, '');
    const source = await detectSource(file, [orphaPacketsSource, toy]);
    assert.equal(source, toy);
    const opened = await source.open(file);
    const parsed = collectRecords(opened, source, { demo: true });
    assert.deepEqual(parsed.records.map((r) => [r.file, r.rec.isDemo]), [['a', true]]);
    assert.deepEqual(parsed.problems.map((p) => p.file), ['b', 'c']);
    assert.match(parsed.problems[0]?.reason ?? '', /appears twice \(also in a\)/);
  });
});
