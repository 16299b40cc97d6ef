/**
 * A knowledge import source: one format of rare-disease data the importer can read (ORPHApackets today; Orphadata
 * XML is meant to be a second implementation). A source detects whether a path is its format, opens it within the
 * read limits, and yields one normalised record (or the reason an item is not one) per item. The importer does the
 * rest the same way for every source: duplicate codes, progress, cancel, the all-or-nothing write and the report.
 */
import type { Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { checkReadablePath, UnsafePathError } from '../../platform/safePath.js';
import { ImportError } from '../errors.js';
import type { PacketRecord } from '../packet.js';

/** The record every source produces: what the knowledge store writes. */
export type KnowledgeRecord = PacketRecord;

export interface ImportProblem {
  /** The file (or entry) the problem is in, relative to the source root. */
  file: string;
  reason: string;
}

export type SourceItem = { file: string; record: KnowledgeRecord } | { file: string; problem: ImportProblem };

export interface OpenedSource {
  /** How many items `records` visits (for progress). */
  readonly total: number;
  /** What could not be read at all (links, special files): reported with the parse problems. */
  readonly problems: ImportProblem[];
  /** Each item parsed, in a stable order; a bad item is a problem, never a throw (the importer decides). */
  records(options: { demo: boolean }): Iterable<SourceItem>;
}

export interface ImportSource {
  /** The format's name as messages use it ("No ORPHApackets found in …"). */
  readonly label: string;
  /** One item of it, plural, for progress ("Parsing packets"). */
  readonly items: string;
  /** What paths it accepts, for the message when no source accepts one ("a directory, a .zip archive or …"). */
  readonly accepts: string;
  /** Whether the existing `file` is this format: from its name, its kind or its first bytes, not a full read. */
  detect(file: string, info: Stats): Promise<boolean>;
  /** Reads it within the import limits; `onFile` hears each name read (progress). */
  open(file: string, onFile?: (name: string) => void): Promise<OpenedSource>;
}

/** The source that reads `file`: the first that detects it. Checks the path first so every source gets the same errors. */
export async function detectSource(file: string, sources: readonly ImportSource[]): Promise<ImportSource> {
  let info: Stats;
  try {
    checkReadablePath(file, 'Packet source', 'file-or-folder');
    info = await stat(file);
  } catch (err) {
    if (err instanceof UnsafePathError && err.reason !== 'no such file or folder') throw new ImportError(err.message);
    throw new ImportError(`${file}: no such file or directory`);
  }
  for (const s of sources) if (await s.detect(file, info)) return s;
  throw new ImportError(`${path.basename(file)}: not ${sources.map((s) => s.accepts).join(', or ')}`);
}
