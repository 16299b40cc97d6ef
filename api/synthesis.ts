/**
 * Synthesis, pseudo-labelling and model-registry shapes shared by main, the CLI and the renderer.
 * Plans are validated with zod at every edge (Api, CLI plan.json), so an unknown dimension value or a
 * negative weight is reported with its path instead of silently skewing the mix.
 */
import { z } from 'zod';

export const questionTypes = ['diagnosis', 'gene', 'inheritance', 'phenotype', 'next-investigation'] as const;
export type QuestionType = (typeof questionTypes)[number];

/**
 * What people see of each question type and its share in a new plan. The generator logic of a type lives in
 * main/synthesis/questionTypes/<type>.ts, registered in its index.ts; the compiler asks for all three.
 */
export const questionTypeCatalog: Record<QuestionType, { label: string; defaultWeight: number }> = {
  diagnosis: { label: 'Diagnosis', defaultWeight: 0.5 },
  gene: { label: 'Causal gene', defaultWeight: 0.3 },
  inheritance: { label: 'Inheritance', defaultWeight: 0.2 },
  phenotype: { label: 'Additional finding', defaultWeight: 0 },
  'next-investigation': { label: 'Confirming test', defaultWeight: 0 },
};

export const difficulties = ['easy', 'medium', 'hard'] as const;
export type Difficulty = (typeof difficulties)[number];

/** Orphanet point-prevalence classes, plus 'Unknown' for entries without one. */
export const prevalenceClasses = [
  '<1 / 1 000 000',
  '1-9 / 1 000 000',
  '1-9 / 100 000',
  '1-5 / 10 000',
  '6-9 / 10 000',
  '>1 / 1000',
  'Unknown',
] as const;
export type PrevalenceClass = (typeof prevalenceClasses)[number];

export const planDimensions = ['questionType', 'branch', 'prevalenceClass', 'disorderType', 'difficulty'] as const;
export type PlanDimension = (typeof planDimensions)[number];

const weight = z.number().min(0).finite();
const freeWeights = z.record(z.string().min(1).max(300), weight);

/**
 * The plan is a product over its dimensions, and preview and synthesis walk every cell of it against the
 * knowledge base: without a bound one small request (300 branches × 300 disorder types) exhausts the heap.
 * Orphanet has 33 classification branches and 11 disorder types, so every branch × every type × every fixed
 * value (5 × 7 × 3) is about 38,000 cells; the bound leaves room for that and refuses what only a typo or an
 * attack produces.
 */
export const MAX_PLAN_VALUES_PER_DIMENSION = 100;
export const MAX_PLAN_CELLS = 50_000;

/** Values with a positive weight per dimension: the factors of the cross product the planner enumerates. */
export function planCellCount(weights: Partial<Record<PlanDimension, Record<string, number> | undefined>>): number {
  let cells = 1;
  for (const dim of planDimensions) {
    const w = weights[dim];
    if (!w) continue;
    const positive = Object.values(w).filter((v) => v > 0).length;
    if (positive > 0) cells *= positive;
  }
  return cells;
}

export const planWeightsSchema = z
  .object({
    questionType: z.partialRecord(z.enum(questionTypes), weight).optional(),
    /** Keyed by the ORPHA code of the top-level classification branch. */
    branch: freeWeights.optional(),
    prevalenceClass: z.partialRecord(z.enum(prevalenceClasses), weight).optional(),
    disorderType: freeWeights.optional(),
    difficulty: z.partialRecord(z.enum(difficulties), weight).optional(),
  })
  .strict();
export type PlanWeights = z.infer<typeof planWeightsSchema>;

export const synthesisPlanSchema = z
  .object({
    count: z.number().int().min(1).max(200_000),
    weights: planWeightsSchema.default({}),
    /** Options per question; MedSSR's sets use 4 or 5. */
    optionCount: z.number().int().min(4).max(5).default(5),
    /**
     * Seeded synthesis (MedSSR): a generator model rewrites each seed question `perSeed` times; the dimensions
     * above then steer which rare disorders are injected.
     */
    seeds: z
      .object({
        sets: z.array(z.string().trim().min(1).max(200)).min(1).max(50),
        perSeed: z.number().int().min(1).max(100).default(1),
      })
      .strict()
      .optional(),
    /** α: the share of seeded questions that inject a rare-disease knowledge card (exact, by largest remainder). */
    rareRatio: z.number().min(0).max(1).optional(),
  })
  .strict()
  .superRefine((plan, ctx) => {
    for (const dim of planDimensions) {
      const w = plan.weights[dim];
      if (w && Object.keys(w).length > 0 && Object.values(w).every((v) => v === 0)) {
        ctx.addIssue({ code: 'custom', path: ['weights', dim], message: 'at least one weight must be positive' });
      }
      if (w && Object.keys(w).length > MAX_PLAN_VALUES_PER_DIMENSION) {
        ctx.addIssue({
          code: 'custom',
          path: ['weights', dim],
          message: `${Object.keys(w).length} values given; at most ${MAX_PLAN_VALUES_PER_DIMENSION} per dimension`,
        });
      }
    }
    const cells = planCellCount(plan.weights);
    if (cells > MAX_PLAN_CELLS) {
      ctx.addIssue({
        code: 'custom',
        path: ['weights'],
        message: `the plan's cross product has ${cells.toLocaleString('en-US')} cells (the product of the weighted values per dimension); at most ${MAX_PLAN_CELLS.toLocaleString('en-US')}`,
      });
    }
  });
export type SynthesisPlan = z.output<typeof synthesisPlanSchema>;
export type SynthesisPlanInput = z.input<typeof synthesisPlanSchema>;

export const generatorKinds = ['template', 'model'] as const;
export type GeneratorKind = (typeof generatorKinds)[number];

export const synthesizeInputSchema = z
  .object({
    dataset: z.string().trim().min(1).max(200),
    plan: synthesisPlanSchema,
    generator: z.enum(generatorKinds).default('template'),
    /** Model file for the model generator and the reasoning filter. */
    modelPath: z.string().min(1).max(4096).optional(),
    /**
     * An OpenAI-compatible chat-completions server (llama.cpp, vLLM, Ollama) that writes the questions (seeded or not) instead of
     * a local model; contacted only when set. The key, if any, comes from MEDSSR_ENDPOINT_KEY, never the plan.
     */
    endpoint: z
      .object({
        url: z
          .string()
          .trim()
          .max(2048)
          .refine((u) => /^https?:\/\/[^\s/]+(\/\S*)?$/.test(u), { message: 'must be an http:// or https:// URL' }),
        model: z.string().trim().min(1).max(200).optional(),
      })
      .strict()
      .optional(),
    seed: z.number().int().min(0).max(2 ** 32 - 1).default(1),
    /** Run the reasoning-vs-memorization classifier (needs a model). */
    reasoningFilter: z.boolean().default(false),
    reasoningThreshold: z.number().min(0).max(1).default(0.75),
    nearDuplicateThreshold: z.number().min(0.5).max(1).default(0.8),
  })
  .strict();
export type SynthesizeInput = z.output<typeof synthesizeInputSchema>;

/** One cell of the plan: a value per constrained dimension (unconstrained ones are absent). */
export type PlanCell = Partial<Record<PlanDimension, string>>;

export interface CellReport {
  cell: PlanCell;
  /** Exact quota from largest remainder. */
  planned: number;
  /** Disorders that can fill this cell. */
  eligibleDisorders: number;
  /** What the knowledge base can fill (0 when no disorder is eligible). */
  achievable: number;
  achieved: number;
}

export interface DimensionReport {
  dimension: PlanDimension;
  /** value -> share (0..1) */
  planned: Record<string, number>;
  achieved: Record<string, number>;
  /** Total variation distance between planned and achieved shares. */
  tvd: number;
}

export interface PlanReport {
  count: number;
  planned: number;
  achievable: number;
  achieved: number;
  /** Questions one disorder may answer in one cell (what bounds `achievable`); absent on reports stored before it. */
  perDisorderCap?: number;
  cells: CellReport[];
  dimensions: DimensionReport[];
  /** Labels for dimension values shown to people (branch codes to names). */
  labels: Record<string, string>;
  /** Rejected questions by the rule (or filter) that rejected them; absent before a run. */
  rejections?: Record<string, number>;
  /** The checker's rules with what each holds, for people reading the counts. */
  rules?: { name: string; title: string }[];
  /** Seeded runs: α planned (share and card count) against the share of accepted questions that carry a card. */
  rareRatio?: { planned: number; plannedCards: number; achieved: number; achievedCards: number };
  /** Seed sets of the plan that are also an imported evaluation benchmark (flagged when the plan is made). */
  seedBenchmarks?: SeedBenchmarkFlag[];
}

/** A seed set whose questions are (largely) an imported benchmark's: evaluating on it measures memory. */
export interface SeedBenchmarkFlag {
  seedSet: string;
  benchmark: string;
  benchmarkVersion: number;
  /** Seeds with a near-duplicate in the benchmark, of the set's seeds. */
  nearDuplicates: number;
  seeds: number;
}

export interface QuestionOption {
  letter: string;
  text: string;
}

export interface ProvenanceFact {
  kind: 'phenotype' | 'gene' | 'inheritance' | 'onset' | 'sex' | 'family-history' | 'definition' | 'prevalence' | 'classification';
  orphaCode: string;
  value: string;
  detail?: string;
  /** Knowledge-card provenance id ("ORPHA:828#gene:COL2A1"), on facts taken from a card. */
  id?: string;
}

/** One question-checker rule's verdict on one question (rules: main/synthesis/checker/rules.ts). */
export interface CheckResult {
  rule: string;
  passed: boolean;
  detail?: string;
}

export interface QuestionProvenance {
  /** Disorders the question was built from, the answer's first. */
  orphaCodes: string[];
  facts: ProvenanceFact[];
  cell: PlanCell;
  generator: { kind: GeneratorKind; version: string; model?: string };
  seed: number;
  filters: Record<string, number | string | boolean | null>;
  /** The question checker's verdicts (absent on questions stored before the checker existed). */
  checks?: CheckResult[];
  /** Seeded synthesis: the seed rewritten (`<set>:<id>`), whether a knowledge card was injected, the card facts used. */
  seedId?: string | null;
  knowledge?: boolean;
  factsUsed?: string[];
}

export type QuestionStatus = 'accepted' | 'rejected';

export interface SynthQuestion {
  id: string;
  questionType: QuestionType;
  difficulty: Difficulty;
  stem: string;
  options: QuestionOption[];
  /** The knowledge-derived correct letter. */
  intendedAnswer: string;
  provenance: QuestionProvenance;
  status: QuestionStatus;
  rejectReason: string | null;
}

export interface LabelSample {
  index: number;
  text: string;
  extracted: string | null;
  recovered: boolean;
  tokens: number;
}

export interface PseudoLabel {
  questionId: string;
  /** Null on a tie or when no sample wrote an answer. */
  label: string | null;
  /** Letter → samples that wrote it. */
  votes: Record<string, number>;
  /** Letter → samples whose letter came from the constrained recovery pass; never part of the vote. */
  recovered: Record<string, number>;
  /** Top written count / number of samples; null when no sample wrote an answer. */
  voteShare: number | null;
  tie: boolean;
  /** Samples that wrote an answer, and samples in all. */
  written: number;
  sampleCount: number;
  /** Fewer than half the samples wrote an answer. */
  rarelyAnswered: boolean;
  agreesWithIntended: boolean | null;
  samples: LabelSample[];
}

export interface DatasetSummary {
  id: number;
  name: string;
  version: number;
  createdAt: string;
  generator: GeneratorKind;
  seed: number;
  plan: SynthesisPlan;
  accepted: number;
  rejected: number;
  labelled: number;
  report: PlanReport | null;
}

/** A dataset version whose run did not finish: its questions so far are kept for a resume, never shown as a dataset. */
export interface UnfinishedDataset {
  name: string;
  version: number;
  createdAt: string;
  generator: GeneratorKind;
  jobId: string | null;
  /** The run's job state ('running' while it still runs; 'incomplete' when its job is gone). */
  state: 'queued' | 'running' | 'failed' | 'cancelled' | 'interrupted' | 'incomplete';
  error: string | null;
  /** Questions stored so far (accepted and rejected). */
  questionsSoFar: number;
}

export const datasetRefSchema = z
  .object({
    dataset: z.string().trim().min(1).max(200),
    /** Latest version when omitted. */
    version: z.number().int().min(1).optional(),
  })
  .strict();

export const questionPageSchema = z
  .object({
    dataset: z.string().trim().min(1).max(200),
    version: z.number().int().min(1).optional(),
    status: z.enum(['accepted', 'rejected', 'all']).default('accepted'),
    offset: z.number().int().min(0).default(0),
    limit: z.number().int().min(1).max(1000).default(100),
  })
  .strict();

export interface QuestionPage {
  total: number;
  questions: (SynthQuestion & { pseudoLabel: PseudoLabel | null })[];
}

export const samplingSchema = z
  .object({
    samples: z.number().int().min(1).max(64).default(8),
    temperature: z.number().min(0).max(5).default(0.6),
    topP: z.number().min(0).max(1).default(0.95),
    topK: z.number().int().min(0).max(1000).default(20),
    maxTokens: z.number().int().min(1).max(32768).default(1024),
    seed: z.number().int().min(0).max(2 ** 32 - 1).default(1),
  })
  .strict();
export type SamplingSettings = z.output<typeof samplingSchema>;

export const labelInputSchema = z
  .object({
    dataset: z.string().trim().min(1).max(200),
    version: z.number().int().min(1).optional(),
    modelPath: z.string().min(1).max(4096),
    adapterPath: z.string().min(1).max(4096).optional(),
    sampling: samplingSchema.default(() => samplingSchema.parse({})),
    /** Parallel sequences in one context; 0 = as many as samples. */
    parallel: z.number().int().min(0).max(64).default(0),
    threads: z.number().int().min(0).max(256).optional(),
  })
  .strict();
export type LabelInput = z.output<typeof labelInputSchema>;

export interface ModelInfo {
  id: string;
  name: string;
  path: string;
  /** True when the file was copied into the data folder. */
  copied: boolean;
  sizeBytes: number;
  architecture: string | null;
  parameters: number | null;
  quantization: string | null;
  contextLength: number | null;
  chatTemplate: string | null;
  addedAt: string;
  /**
   * Only in the answer to `models.add`: how its weights were checked for NaN and infinities ('sampled': a large
   * file, read in a few windows of every tensor; a single bad value can hide between them).
   */
  weightCheck?: { mode: 'full' | 'sampled'; tensors: number; bytesRead: number };
}

export interface ModelFit {
  gpu: string | false;
  vramTotalBytes: number;
  vramFreeBytes: number;
  fitsGpu: boolean;
  /** Layers that fit on the GPU (0 on CPU). */
  gpuLayers: number;
  runsOn: 'gpu' | 'cpu';
  note: string;
}

export const addModelSchema = z
  .object({
    path: z.string().min(1).max(4096),
    copy: z.boolean().default(false),
    name: z.string().trim().min(1).max(200).optional(),
  })
  .strict();

/** A model to fetch: a Hugging Face URI ("hf:user/repo:Q4_K_M", "hf:user/repo/file.gguf") or an https URL of a GGUF. */
export const downloadModelSchema = z
  .object({
    uri: z
      .string()
      .trim()
      .min(1)
      .max(2048)
      .refine((u) => /^hf:[\w.-]+\/[\w.-]+(?:[:/]\S+)?$/.test(u) || /^https:\/\/[^\s/]+\/\S+$/.test(u), {
        message: 'must be a Hugging Face URI (hf:user/repo[:quant]) or an https:// URL of a .gguf file',
      }),
  })
  .strict();

/** What llama.cpp evaluated and generated in one job (labelling, evaluation). */
export interface Throughput {
  seconds: number;
  generatedTokens: number;
  generatedTokensPerSecond: number;
  /** Prompt tokens llama.cpp evaluated; a prompt shared by N samples counts once. */
  promptTokensEvaluated: number;
  /** Prompt tokens the samples asked for: evaluated plus those reused from a cache or a shared prompt. */
  promptTokensRequested: number;
  /** Over the job's wall time, like the generated rate (prompts are evaluated while other sequences generate). */
  promptTokensPerSecond: number;
  /** Evaluated prompt tokens per question (null when no question was finished). */
  promptTokensPerQuestion: number | null;
}

/** A completed 'synthesize' job's result. */
export interface SynthesisJobResult {
  dataset: string;
  version: number;
  accepted: number;
  rejected: number;
  planned: number;
  achievable: number;
  failures: Record<string, number>;
  questionsPerSecond: number;
  report: PlanReport;
}

/** A completed 'label' job's result. */
export interface LabelJobResult {
  dataset: string;
  version: number;
  runId: number;
  questions: number;
  labelled: number;
  ties: number;
  noAnswer: number;
  /** Questions where fewer than half the samples wrote an answer. */
  rarelyAnswered: number;
  /** Samples whose letter came from the recovery pass (not counted as votes). */
  recoveredSamples: number;
  /** Mean written-answer share over all labelled questions (a question with nothing written counts 0). */
  meanVoteShare: number;
  agreement: number | null;
  tokens: number;
  tokensPerSecond: number;
  parallel: number;
  threads: number;
  /** What llama.cpp evaluated and generated in this job (prompt tokens counted once per shared prompt). */
  throughput: Throughput;
}
