/**
 * Where a seeded question is written: a local GGUF through node-llama-cpp (grammar-constrained JSON), or an
 * OpenAI-compatible chat-completions server the user configured by URL (JSON-schema response format). Same
 * prompt either way. A server that cannot be reached or does not answer like a chat-completions server is an
 * error for the whole run (nothing is stored); what the model wrote is judged per question.
 */
import type { GbnfJsonSchema } from 'node-llama-cpp';
import type { GenerationContext, PromptSpec } from '../llm/index.js';

export interface WrittenText {
  /** The model's reply (JSON text as the model wrote it). */
  text: string;
}

export interface QuestionWriter {
  readonly name: string;
  write(prompt: PromptSpec, schema: Record<string, unknown>, seed: number, signal?: AbortSignal): Promise<WrittenText>;
}

export class EndpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EndpointError';
  }
}

export function localWriter(ctx: GenerationContext, modelName: string): QuestionWriter {
  return {
    name: modelName,
    async write(prompt, schema, seed, signal) {
      try {
        const r = await ctx.generateJson<unknown>(prompt, schema as GbnfJsonSchema, { temperature: 0.7, topP: 0.95, topK: 40, maxTokens: 768, seed }, signal);
        return { text: r.text };
      } catch (err) {
        // The grammar keeps the text JSON; a reply cut off at maxTokens is still the model's answer, judged as such.
        return { text: err instanceof Error ? `{"error": ${JSON.stringify(err.message)}}` : '{}' };
      }
    },
  };
}

/** The chat-completions URL for what the user typed: a base URL, a …/v1 URL, or the full path. */
export function completionsUrl(url: string): string {
  const u = url.trim().replace(/\/+$/, '');
  if (/\/chat\/completions$/.test(u)) return u;
  if (/\/v1$/.test(u)) return `${u}/chat/completions`;
  return `${u}/v1/chat/completions`;
}

export function endpointWriter(opts: { url: string; model?: string; apiKey?: string; timeoutMs?: number }): QuestionWriter {
  const target = completionsUrl(opts.url);
  return {
    name: `${opts.model ?? 'default'} @ ${target}`,
    async write(prompt, schema, seed, signal) {
      const body = {
        model: opts.model ?? 'default',
        messages: prompt.turns.map((t) => ({ role: t.role, content: t.text })),
        temperature: 0.7,
        top_p: 0.95,
        max_tokens: 768,
        seed,
        response_format: { type: 'json_schema', json_schema: { name: 'question', schema, strict: true } },
      };
      const timeout = AbortSignal.timeout(opts.timeoutMs ?? 120_000);
      let res: Response;
      try {
        res = await fetch(target, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(opts.apiKey ? { authorization: `Bearer ${opts.apiKey}` } : {}) },
          body: JSON.stringify(body),
          signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        });
      } catch (err) {
        if (signal?.aborted) throw err;
        throw new EndpointError(`Cannot reach the generator server at ${target}: ${err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err)}`);
      }
      const raw = await res.text();
      if (!res.ok) throw new EndpointError(`The generator server at ${target} answered HTTP ${res.status}: ${raw.slice(0, 200)}`);
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch {
        throw new EndpointError(`The generator server at ${target} did not answer with JSON (got ${JSON.stringify(raw.slice(0, 80))}); is it an OpenAI-compatible server?`);
      }
      const content = (parsed as { choices?: { message?: { content?: unknown } }[] }).choices?.[0]?.message?.content;
      if (typeof content !== 'string') throw new EndpointError(`The generator server at ${target} answered without choices[0].message.content; is it an OpenAI-compatible chat-completions server?`);
      return { text: content };
    },
  };
}
