/**
 * One question type = one module: which disorders can be its answer, how its vignette is constrained, its
 * question sentence, its options, and the names that must stay out of its stem. Registered in ./index.ts.
 */
import type { Difficulty, ProvenanceFact, QuestionType } from '../../../api/synthesis.js';
import type { InheritanceMode, SynthDisorder, SynthGene, SynthPhenotype } from '../disorderFacts.js';
import type { KnowledgeIndex } from '../knowledgeIndex.js';
import type { Rng } from '../rng.js';
import type { Vignette } from '../vignette.js';

export interface Choice {
  text: string;
  orphaCode: string;
  fact?: ProvenanceFact;
}

/** How the type shapes the vignette before it is written. */
export interface VignetteSetup {
  /** The finding the question asks for: kept out of the stem. */
  hidden?: SynthPhenotype;
  /** The inheritance mode the family history shows (null: none; absent: any of the disorder's). */
  mode?: InheritanceMode | null;
  familyHistory: boolean;
  /** Meaning words of the answer: findings containing one are left out (they would cue it). */
  avoidWords: string[];
  gene?: SynthGene;
}

export interface OptionsInput {
  index: KnowledgeIndex;
  answer: SynthDisorder;
  difficulty: Difficulty;
  rng: Rng;
  vignette: Vignette;
  /** HPO ids of the vignette's findings. */
  findings: string[];
  /** Wrong options needed. */
  k: number;
  setup: VignetteSetup;
}

export interface Options {
  correct: Choice;
  distractors: Choice[];
  /** Facts the key rests on (the distractors' own facts travel on their choices). */
  facts: ProvenanceFact[];
}

export interface QuestionTypeModule {
  readonly id: QuestionType;
  /** The sentence that ends the stem. */
  readonly question: string;
  /** Whether the disorder can be the answer of this type (the planner counts eligibility up front). */
  eligible(d: SynthDisorder): boolean;
  /** The vignette's constraints, or the reason this disorder cannot be asked now. */
  setup(d: SynthDisorder, difficulty: Difficulty, rng: Rng): VignetteSetup | string;
  options(input: OptionsInput): Options | string;
  /** Names whose presence in the stem gives the answer away. */
  namesNotInStem(d: SynthDisorder, correctText: string): string[];
  /** Words whose presence in the vignette would give the key away (the checker's no-cueing rule). */
  cueWords(answer: SynthDisorder, facts: CueFacts): string[];
}

/** What the checker knows of a written question that a type's cue words may rest on. */
export interface CueFacts {
  /** The finding a phenotype question asks for. */
  askedFinding: string | null;
  /** The gene a gene or next-investigation question is keyed to. */
  keyedGene: string | null;
}
