/** The import sources, tried in order; a new format is one module here (see README, "An import source"). */
import { orphaPacketsSource } from './orphaPackets.js';
import type { ImportSource } from './source.js';

export const importSources: readonly ImportSource[] = [orphaPacketsSource];

export { detectSource, type ImportProblem, type ImportSource, type KnowledgeRecord, type OpenedSource, type SourceItem } from './source.js';
