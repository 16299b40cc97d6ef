/**
 * Dataset files in and out of the app: seed question sets for seeded synthesis, and a dataset in MedSSR's
 * benchmark format (what `medssr import seeds` and `medssr export` do, through the Api like every caller).
 */
import { z } from 'zod';
import { method } from './method.js';
import type { CheckResult, Difficulty, QuestionType } from './synthesis.js';

export interface SeedSetSummary {
  name: string;
  file: string;
  sha256: string;
  importedAt: string;
  count: number;
}

/** What a label run adds to an exported question's meta. */
export interface VoteMeta {
  votes: Record<string, number>;
  recovered: Record<string, number>;
  voteShare: number | null;
  pseudoLabel: string | null;
  tie: boolean;
  rarelyAnswered: boolean;
}

export interface MedssrItem {
  id: string;
  question: string;
  gold: string;
  name: string;
  meta: {
    questionType: QuestionType;
    difficulty: Difficulty;
    orphaCodes: string[];
    intendedAnswer: string;
    dataset: string;
    version: number;
    generator: string;
    /** The seed question rewritten (`<set>:<id>`); null for template questions. */
    seedId: string | null;
    /** True when a rare-disease knowledge card was injected. */
    knowledge: boolean;
    /** Provenance ids of the card facts the question used. */
    factsUsed: string[];
    /** The question checker's rules and results. */
    checks: CheckResult[];
  } & Partial<VoteMeta>;
}

export const importSeedsSchema = z.object({ path: z.string().min(1).max(4096), name: z.string().trim().min(1).max(200) }).strict();

export const exportMedssrSchema = z
  .object({ dataset: z.string().min(1).max(200), version: z.number().int().positive().optional() })
  .strict();

export const datasetFileMethods = {
  /** Imports a MedSSR benchmark-shaped file as the seed set `name` (replacing a set of that name). */
  'synthesis.importSeeds': method<SeedSetSummary>('loopback')(importSeedsSchema),
  /** A complete dataset's accepted questions with their latest pseudo-labels, in MedSSR format. */
  'labeling.exportMedssr': method<MedssrItem[]>('loopback')(exportMedssrSchema),
} as const;
