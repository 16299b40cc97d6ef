/**
 * Synthesis, pseudo-labelling and model-registry shapes shared by main, the CLI and the renderer.
 * Plans are validated with zod at every edge (Api, CLI plan.json), so an unknown dimension value or a
 * negative weight is reported with its path instead of silently skewing the mix.
 */
import { z } from 'zod';

export const questionTypes = ['diagnosis', 'gene', 'inheritance', 'phenotype', 'next-investigation'] as const;
export type QuestionType = (typeof questionTypes)[number];

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
  })
  .strict()
  .superRefine((plan, ctx) => {
    for (const dim of planDimensions) {
      const w = plan.weights[dim];
      if (w && Object.keys(w).length > 0 && Object.values(w).every((v) => v === 0)) {
        ctx.addIssue({ code: 'custom', path: ['weights', dim], message: 'at least one weight must be positive' });
      }
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
  cells: CellReport[];
  dimensions: DimensionReport[];
  /** Labels for dimension values shown to people (branch codes to names). */
  labels: Record<string, string>;
}

export interface QuestionOption {
  letter: string;
  text: string;
}

export interface ProvenanceFact {
  kind: 'phenotype' | 'gene' | 'inheritance' | 'onset' | 'sex' | 'family-history';
  orphaCode: string;
  value: string;
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
