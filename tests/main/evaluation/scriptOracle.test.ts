/**
 * Our extraction, prompts, recovery rules and accuracy arithmetic against MedSSR's own script functions
 * (issue 12), on the same cases.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Token } from 'node-llama-cpp';
import { extractOption } from '../../../main/labeling/answerExtraction.js';
import { baseRecoveryPrompt, cotTemplate, fallbackRecoveryPrompt } from '../../../main/llm/prompts.js';
import { aggregateSet, normalisePrediction, scriptAccuracy, type ScoreRow } from '../../../main/evaluation/metrics.js';
import { recoveryBiasTokens, recoveryMaxTokens, resolvePromptMode } from '../../../main/evaluation/protocol.js';
import { createRng } from '../../../main/synthesis/rng.js';
import { runScriptOracle, scriptOracleSkip } from '../../helpers/medssrScript.js';

const skip = scriptOracleSkip();
const here = path.dirname(fileURLToPath(import.meta.url));
const { cases } = JSON.parse(readFileSync(path.join(here, 'fixtures', 'extractionCases.json'), 'utf8')) as { cases: { text: string; model: string | null }[] };

test('extract_option: the script and we agree on every case (177: 59 texts × Qwen, Gemma, no model name)', { skip }, () => {
  const ref = runScriptOracle<(string | null)[]>('print(json.dumps([ns["extract_option"](c["text"], c["model"]) for c in inp]))', cases);
  assert.equal(ref.length, cases.length);
  cases.forEach((c, i) => assert.equal(extractOption(c.text, c.model ?? undefined), ref[i], `${JSON.stringify(c.text)} with ${c.model}`));
  // The gemma rule is exercised: some case differs between the Gemma and the Qwen model name.
  assert.ok(cases.some((c, i) => c.model?.startsWith('gemma') && ref[i] !== ref[i - 1]));
});

test('evaluate_generation_group: accuracy rounding as the script, 109/800 → 13.63', { skip }, () => {
  const rng = createRng(12);
  const groups: { gold: string; pred: string | null; recovery_used: boolean }[][] = [];
  const sizes = [800, 800, 1273, 1200, 1089, 782, 500, 308, 3, 7, 1, 16, 400, 200];
  const correctCounts = [109, 327, 0, 1200, 545, 391, 250, 77, 1, 5, 0, 2, 1, 199];
  sizes.forEach((n, k) => {
    const g = Array.from({ length: n }, (_, i) => {
      const right = i < (correctCounts[k] as number);
      const kind = rng.next();
      const pred = right ? 'A' : kind < 0.1 ? null : kind < 0.2 ? 'b.' : 'C';
      return { gold: 'A', pred: right && kind < 0.1 ? 'a.' : pred, recovery_used: kind > 0.9 };
    });
    groups.push(g);
  });
  const ref = runScriptOracle<{ accuracy: number; recovery_used: number; invalid_answers: number; sample_count: number }[]>(
    'print(json.dumps([ns["evaluate_generation_group"](g) for g in inp]))',
    groups,
  );
  groups.forEach((g, k) => {
    const correct = g.filter((x) => normalisePrediction(x.pred) === x.gold).length;
    assert.equal(scriptAccuracy(correct, g.length), ref[k]!.accuracy, `group ${k}: ${correct}/${g.length}`);
    assert.equal(g.filter((x) => normalisePrediction(x.pred) === 'UNKNOWN').length, ref[k]!.invalid_answers);
  });
  assert.equal(ref[0]!.accuracy, 13.63);
  assert.equal(scriptAccuracy(109, 800), 13.63);
});

test('mean and std over generations: numpy.mean / numpy.std rounded, on 1 to 200 generations', { skip }, () => {
  const rng = createRng(5);
  const lists = [1, 2, 3, 4, 5, 8, 9, 16, 17, 64, 129, 200].map((g) => Array.from({ length: g }, () => Math.floor(rng.next() * 801)));
  const ref = runScriptOracle<{ per: number[]; mean: number; std: number }[]>(
    `out = []
for counts in inp:
    accs = [round(ns["accuracy_score"](["A"] * 800, ["A"] * c + ["B"] * (800 - c)) * 100, 2) for c in counts]
    out.append({"per": accs, "mean": round(float(np.mean(accs)), 2), "std": round(float(np.std(accs)), 2)})
print(json.dumps(out))`,
    lists,
  );
  lists.forEach((counts, k) => {
    const rows: ScoreRow[] = [];
    for (let q = 0; q < 800; q++) counts.forEach((c, g) => rows.push({ seq: q, generation: g, answer: q < c ? 'A' : 'B', recovered: false, correct: q < c }));
    const agg = aggregateSet(rows, counts.length);
    assert.deepEqual(agg.perGeneration.map((m) => m.accuracy), ref[k]!.per, `${counts.length} generations`);
    assert.equal(agg.accuracyMean, ref[k]!.mean, `mean, ${counts.length} generations`);
    assert.equal(agg.accuracyStd, ref[k]!.std, `std, ${counts.length} generations`);
  });
});

test('prompts: the COT template, the base recovery text and the no-template fallback are the script’s', { skip }, () => {
  const items = [
    { question: 'A 4-year-old boy...\nA. X\nB. Y', answer: 'I think B' },
    { question: 'Q?\nA. a\nB. b\nC. c', answer: 'Reasoning ends here.' },
    { question: 'Q with {braces}\nA. {x}\nB. y', answer: '  spaced answer  ' },
  ];
  const ref = runScriptOracle<{ base: string; rec: string; fallback: string }[]>(
    `class NoTemplate:
    chat_template = None
out = []
for it in inp:
    item = {"question": it["question"]}
    out.append({"base": ns["build_prompt"](item, None, True),
                "rec": ns["build_recovery_prompt"](item, it["answer"], None, True),
                "fallback": ns["build_recovery_prompt"](item, it["answer"], NoTemplate(), False)})
print(json.dumps(out))`,
    items,
  );
  items.forEach((it, k) => {
    assert.equal(cotTemplate(it.question), ref[k]!.base);
    assert.equal(baseRecoveryPrompt(it.question, it.answer), ref[k]!.rec);
    assert.equal(fallbackRecoveryPrompt(it.question, it.answer), ref[k]!.fallback);
  });
});

test('logit-bias recovery: the biased tokens and the token count follow the script’s model-name rules', { skip }, () => {
  // A toy tokenizer standing in for Hugging Face's: BOS (id 1) first, one id per character.
  const models = ['/m/Qwen3-8B-Base', 'Qwen2.5-7B-Instruct', 'gemma-3-12b-it', 'Llama-3.1-8B-Instruct', 'HuatuoGPT-o1-8B', 'm1-7B-23K', 'Mistral-7B', 'DeepSeek-R1-Distill-Qwen-7B', 'qwen3-lower'];
  const letters = ['A', 'B', 'C', 'D', 'E'];
  const ref = runScriptOracle<{ ids: number[]; max: number }[]>(
    `class Args: pass
class Tok:
    def encode(self, text):
        return [1] + [ord(ch) for ch in text]
class SP:
    def __init__(self, **kw): self.kw = kw
class LPL(list): pass
ns["LogitsProcessorList"] = LPL
ns["LogitBiasProcess"] = lambda ids: sorted(ids)
ns["SamplingParams"] = SP
out = []
for m in inp["models"]:
    a = Args(); a.model = m
    sp = ns["build_constrained_sampling_params"](a, Tok(), inp["letters"])
    out.append({"ids": sp.kw["logits_processors"][0], "max": sp.kw["max_tokens"]})
print(json.dumps(out))`,
    { models, letters },
  );
  const encode = (text: string): Token[] => [1, ...[...text].map((c) => c.codePointAt(0) as number)] as Token[];
  models.forEach((m, k) => {
    assert.deepEqual([...recoveryBiasTokens(encode, letters, m)].sort((a, b) => a - b), ref[k]!.ids, m);
    assert.equal(recoveryMaxTokens(m), ref[k]!.max, m);
  });
});

test('prompt mode auto is the script’s "base in the model name" rule; chat without a template falls back to COT', () => {
  assert.deepEqual(resolvePromptMode('auto', 'Qwen3-8B-Base-Q4_K_M.gguf', true), { mode: 'base', fallback: false });
  assert.deepEqual(resolvePromptMode('auto', 'Qwen3-8B-Q4_K_M.gguf', true), { mode: 'chat', fallback: false });
  assert.deepEqual(resolvePromptMode('auto', 'stories260K.gguf', false), { mode: 'base', fallback: true });
  assert.deepEqual(resolvePromptMode('chat', 'x-BASE.gguf', true), { mode: 'chat', fallback: false });
  assert.deepEqual(resolvePromptMode('base', 'instruct.gguf', true), { mode: 'base', fallback: false });
});
