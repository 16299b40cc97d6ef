/** ORPHApackets (one JSON file per disorder) as an import source: a folder, a .zip of one, or a single packet. */
import { PacketError, parsePacketFile } from '../packet.js';
import { isPacketName, looksLikeZip, readPacketSource } from '../source.js';
import type { ImportSource, OpenedSource, SourceItem } from './source.js';

export const orphaPacketsSource: ImportSource = {
  label: 'ORPHApackets',
  items: 'packets',
  accepts: 'a directory, a .zip archive or an ORPHApacket .json file',
  async detect(file, info) {
    return info.isDirectory() || /\.zip$/i.test(file) || (info.isFile() && (await looksLikeZip(file))) || isPacketName(file);
  },
  async open(file, onFile): Promise<OpenedSource> {
    const { files, problems } = await readPacketSource(file, onFile);
    return {
      total: files.length,
      problems,
      *records({ demo }): Iterable<SourceItem> {
        for (const f of files) {
          if (!isPacketName(f.name)) {
            yield { file: f.name, problem: { file: f.name, reason: 'not a JSON file (ORPHApackets are .json files)' } };
            continue;
          }
          try {
            yield { file: f.name, record: parsePacketFile(f.name, f.bytes, { demo }) };
          } catch (err) {
            if (!(err instanceof PacketError)) throw err;
            yield { file: f.name, problem: { file: err.file, reason: err.problem } };
          }
        }
      },
    };
  },
};
