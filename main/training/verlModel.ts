/**
 * What the verl export learns from the run's GGUF: how many tokens the longest prompt is (the model's own
 * tokenizer and chat template, through node-llama-cpp), and which Hugging Face checkpoint the GGUF was made from
 * (its metadata), so run.sh can default BASE_MODEL. Either falls back, saying why, when the GGUF cannot tell.
 */
import { JinjaTemplateChatWrapper, resolveChatWrapper, type ChatHistoryItem, type ChatWrapper, type LlamaModel } from 'node-llama-cpp';
import { getRuntime, readGgufSummary, SYSTEM_PROMPT } from '../llm/index.js';

/** Tokens of chat-template framing allowed for when the model has no template to render (Qwen/Llama/Gemma use < 40). */
export const TEMPLATE_ALLOWANCE_TOKENS = 64;

/** How many of the longest prompts (by their own tokens) are rendered through the chat template in full. */
export const RENDERED_PROMPTS = 256;
/** Tokens a prompt's edges may merge differently with the template's text around it. */
const BOUNDARY_TOKENS = 2;

export interface PromptTokenCount {
  /** 'tokenizer': counted with the GGUF's tokenizer; 'bytes': the UTF-8 upper bound (no usable tokenizer). */
  method: 'tokenizer' | 'bytes';
  longest: number;
  /** One sentence for the export's README: how `longest` was obtained. */
  basis: string;
}

/** UTF-8 bytes of the system and user messages plus a template allowance: an upper bound on any tokenizer's count. */
export function bytesBound(questions: readonly string[]): number {
  const sys = Buffer.byteLength(SYSTEM_PROMPT, 'utf8');
  let longest = 0;
  for (const q of questions) longest = Math.max(longest, Buffer.byteLength(q, 'utf8'));
  return sys + longest + TEMPLATE_ALLOWANCE_TOKENS;
}

function bytesCount(questions: readonly string[], why: string): PromptTokenCount {
  const longest = bytesBound(questions);
  return {
    method: 'bytes',
    longest,
    basis:
      `the longest of ${questions.length} prompts bounded at ${longest} tokens by counting bytes, not tokens (${why}): UTF-8 bytes of system + question plus ${TEMPLATE_ALLOWANCE_TOKENS} for the chat template; ` +
      'byte-level BPE never makes more tokens than bytes, so no prompt is cut, but the limit is looser than a token count',
  };
}

/**
 * The longest prompt of `questions` in tokens of the run's model: each prompt rendered as verl renders it (system and
 * user message, generation prompt open) with the GGUF's chat template and tokenized by its tokenizer. Only the
 * vocabulary is loaded (no weights, no context), so no thread count applies: llama.cpp tokenizes on the calling
 * thread. Falls back to the byte bound, with the reason, when the GGUF has no usable tokenizer.
 */
export async function countPromptTokens(modelPath: string, questions: readonly string[]): Promise<PromptTokenCount> {
  let chatTemplate: string | null;
  try {
    chatTemplate = (await readGgufSummary(modelPath)).summary.chatTemplate;
  } catch (err) {
    return bytesCount(questions, `the run's model could not be read: ${err instanceof Error ? err.message : String(err)}`);
  }
  let model: LlamaModel;
  try {
    const llama = await getRuntime();
    model = await llama.loadModel({ modelPath, vocabOnly: true });
  } catch (err) {
    return bytesCount(questions, `the run's model's tokenizer did not load: ${err instanceof Error ? err.message : String(err)}`);
  }
  try {
    let longest = 0;
    if (chatTemplate) {
      // Rendering the template costs ~3 ms a prompt (17 s for 5,000): every prompt is tokenized alone (fast), and
      // only the RENDERED_PROMPTS longest are rendered in full. The framing the template adds is the same text for
      // every prompt; a prompt not rendered is bounded by its own tokens + the largest framing seen + a boundary
      // allowance, so the result never undercounts.
      const textTokens = questions.map((q) => model.tokenize(q).length);
      const order = textTokens.map((n, i) => [n, i] as const).sort((a, b) => b[0] - a[0]);
      const rendered = order.slice(0, RENDERED_PROMPTS);
      const rest = order.slice(RENDERED_PROMPTS);
      const count = (wrapper: ChatWrapper) => {
        let full = 0;
        let framing = 0;
        for (const [n, i] of rendered) {
          const history: ChatHistoryItem[] = [
            { type: 'system', text: SYSTEM_PROMPT },
            { type: 'user', text: questions[i] ?? '' },
            { type: 'model', response: [] },
          ];
          const t = wrapper.generateContextState({ chatHistory: history }).contextText.tokenize(model.tokenizer).length;
          full = Math.max(full, t);
          framing = Math.max(framing, t - n);
        }
        const bound = rest.length ? (rest[0]?.[0] ?? 0) + framing + BOUNDARY_TOKENS : 0;
        return Math.max(full, bound);
      };
      // The GGUF's own Jinja template is the Hugging Face checkpoint's (the converter copies it), so it renders what
      // verl's apply_chat_template renders; node-llama-cpp's specialised wrappers may add a BOS the template does not.
      let how = "its chat template's rendering";
      try {
        longest = count(new JinjaTemplateChatWrapper({ template: chatTemplate, tokenizer: model.tokenizer }));
      } catch (err) {
        how = `node-llama-cpp's chat format for it (its Jinja template did not render here: ${err instanceof Error ? err.message : String(err)})`;
        longest = count(resolveChatWrapper(model));
      }
      const sampled = rest.length ? ` (the ${RENDERED_PROMPTS} longest rendered in full; the others bounded by their own tokens plus the template's framing and ${BOUNDARY_TOKENS})` : '';
      return {
        method: 'tokenizer',
        longest,
        basis: `the longest of ${questions.length} prompts is ${longest} tokens, counted with the run's GGUF tokenizer on ${how} of the system and user message (generation prompt included)${sampled}`,
      };
    }
    const sys = model.tokenize(SYSTEM_PROMPT).length;
    for (const q of questions) longest = Math.max(longest, model.tokenize(q).length);
    const total = sys + longest + TEMPLATE_ALLOWANCE_TOKENS + 1;
    return {
      method: 'tokenizer',
      longest: total,
      basis: `the longest of ${questions.length} prompts is ${sys + longest} tokens of system and question text, counted with the run's GGUF tokenizer; the GGUF has no chat template, so ${TEMPLATE_ALLOWANCE_TOKENS + 1} tokens are added for the template the Hugging Face checkpoint applies (and BOS): ${total}`,
    };
  } finally {
    await model.dispose();
  }
}

export interface BaseModelGuess {
  /** A Hugging Face hub id (or a path) run.sh may default BASE_MODEL to; null when the metadata names none safely. */
  id: string | null;
  /** The metadata key it came from. */
  from: string | null;
  /** For the README and run.sh when there is no default: what the metadata does say, to check by hand. */
  hint: string | null;
}

const HUB_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,95}\/[A-Za-z0-9][A-Za-z0-9._-]{0,95}$/;

/** "https://huggingface.co/Qwen/Qwen2.5-0.5B-Instruct[/tree/main]" → "Qwen/Qwen2.5-0.5B-Instruct". */
function hubIdFromUrl(url: unknown): string | null {
  if (typeof url !== 'string') return null;
  const m = /^https?:\/\/(?:www\.)?(?:huggingface\.co|hf\.co)\/([^/?#\s]+\/[^/?#\s]+)/.exec(url.trim());
  const id = m?.[1]?.replace(/\.git$/, '') ?? null;
  return id && HUB_ID.test(id) && !id.startsWith('datasets/') && !id.startsWith('spaces/') ? id : null;
}

type General = Record<string, unknown> & { source?: Record<string, unknown> & { huggingface?: Record<string, unknown> }; base_model?: Record<string, unknown> };

/**
 * The Hugging Face checkpoint a GGUF was converted from, by what llama.cpp's converter records: its source repository
 * (general.source.repo_url / general.source.huggingface.repository / general.repo_url), else general.name when it is
 * a hub id. general.base_model.* is never a default: the converter fills it from the model card's `base_model`, the
 * model this one was fine-tuned from (Qwen2.5-0.5B for Qwen2.5-0.5B-Instruct), whose weights are not the GGUF's.
 */
export function baseModelFromMetadata(general: unknown): BaseModelGuess {
  const g = (general && typeof general === 'object' ? general : {}) as General;
  const candidates: [string, string | null][] = [
    ['general.source.repo_url', hubIdFromUrl(g.source?.repo_url)],
    ['general.source.huggingface.repository', typeof g.source?.huggingface?.repository === 'string' && HUB_ID.test(g.source.huggingface.repository) ? g.source.huggingface.repository : null],
    ['general.repo_url', hubIdFromUrl(g.repo_url)],
    ['general.name', typeof g.name === 'string' && HUB_ID.test(g.name) ? g.name : null],
  ];
  for (const [from, id] of candidates) if (id) return { id, from, hint: null };
  const hints: string[] = [];
  const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : null);
  const org = str(g.organization);
  const parts = [str(g.basename), str(g.size_label), str(g.finetune)].filter((p): p is string => p !== null);
  if (org && parts.length >= 2) {
    const composed = `${org}/${parts.join('-')}`.replace(/\s+/g, '-');
    if (HUB_ID.test(composed)) hints.push(`general.organization/basename/size_label/finetune suggest ${composed}`);
  }
  const base0 = g.base_model?.['0'] as Record<string, unknown> | undefined;
  const baseId = hubIdFromUrl(base0?.repo_url) ?? (str(base0?.organization) && str(base0?.name) ? `${str(base0?.organization)}/${str(base0?.name)}` : null);
  if (baseId) hints.push(`general.base_model.0 names ${baseId}, the model this GGUF was derived from (a fine-tune's parent, not necessarily its own weights)`);
  if (str(g.name) && !hints.length) hints.push(`general.name is ${JSON.stringify(str(g.name))}, not a hub id`);
  return { id: null, from: null, hint: hints.length ? hints.join('; ') : null };
}

/** baseModelFromMetadata on the GGUF at `modelPath`; no guess (with the reason as hint) when it cannot be read. */
export async function baseModelOf(modelPath: string): Promise<BaseModelGuess> {
  try {
    const { info } = await readGgufSummary(modelPath);
    return baseModelFromMetadata((info.metadata as unknown as { general?: unknown }).general);
  } catch (err) {
    return { id: null, from: null, hint: `the run's model could not be read (${err instanceof Error ? err.message : String(err)})` };
  }
}
