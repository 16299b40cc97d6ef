/**
 * Evaluation on recorded model outputs gives exactly what MedSSR's extraction rules give: each recorded
 * generation (awkward ones included) goes through the real protocol code with a stand-in for the model, and
 * the extracted answers, recovery flags and per-set accuracies equal the hand-derived ones in the fixture.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { evalSamplingSchema } from '../../../api/evaluation.js';
import { evaluateQuestion, type EvaluatedGeneration } from '../../../main/evaluation/evaluator.js';
import { aggregateSet, scoreGeneration } from '../../../main/evaluation/metrics.js';
import { RECOVERY_USER, SYSTEM_PROMPT } from '../../../main/llm/prompts.js';
import type { GenerationContext, PromptSpec, SampleSettings } from '../../../main/llm/generation.js';

interface Fixture {
  generations: number;
  questions: { id: string; gold: string }[];
  outputs: { q: number; g: number; text: string; recovery: string | null; expected: { extracted: string | null; answer: string | null; recovered: boolean; correct: boolean } }[];
  expected: { n: number; perGeneration: number[]; correct: number[]; accuracyMean: number; accuracyStd: number; invalid: number; recovered: number };
}

const fixture = JSON.parse(readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'recordedOutputs.json'), 'utf8')) as Fixture;

/** Replays recorded outputs: generation g of a question is the sample drawn with seed seedBase + g. */
function replayModel(q: number, seedBase: number, calls: { recoveryPrompts: PromptSpec[]; letters: (readonly string[])[]; settings: SampleSettings[] }): GenerationContext {
  const outputs = fixture.outputs.filter((o) => o.q === q);
  const stub = {
    parallel: 3,
    async sample(_spec: PromptSpec, n: number, settings: SampleSettings) {
      calls.settings.push(settings);
      return Array.from({ length: n }, (_, j) => {
        const o = outputs.find((x) => x.g === settings.seed - seedBase + j);
        assert.ok(o, `no recorded output for generation ${settings.seed - seedBase + j}`);
        return { text: o.text, tokens: o.text.length, stopReason: 'eog' as const };
      });
    },
    async chooseLetter(spec: PromptSpec, letters: readonly string[]) {
      calls.recoveryPrompts.push(spec);
      calls.letters.push(letters);
      const answer = spec.turns[2]?.text ?? '';
      const o = outputs.find((x) => x.text.trim() === answer);
      if (!o?.recovery) throw new Error('recovery failed (recorded)');
      return { letter: o.recovery, probabilities: {} };
    },
  };
  return stub as unknown as GenerationContext;
}

test('each recorded output scores as MedSSR extracts it', () => {
  for (const o of fixture.outputs) {
    const gold = fixture.questions[o.q]!.gold;
    const got = scoreGeneration(o.text.trim(), gold, o.recovery);
    assert.deepEqual(got, o.expected, `q${o.q} g${o.g}: ${JSON.stringify(o.text)}`);
  }
});

test('the **X** form counts only for Gemma models, as in the script', () => {
  assert.equal(scoreGeneration('The answer is **B**', 'B', null).answer, null);
  assert.deepEqual(scoreGeneration('The answer is **B**', 'B', null, 'gemma-2-9b-it-Q4_K_M.gguf'), { extracted: 'B', answer: 'B', recovered: false, correct: true });
});

test('the protocol on recorded outputs: recovery prompts, letters, sampling settings and per-set figures', async () => {
  const sampling = evalSamplingSchema.parse({});
  assert.deepEqual([sampling.temperature, sampling.topP, sampling.topK], [0.6, 0.95, 20]);
  const letters = [...new Set(fixture.questions.map((q) => q.gold))].sort();
  const rows: (EvaluatedGeneration & { seq: number })[] = [];
  const calls = { recoveryPrompts: [] as PromptSpec[], letters: [] as (readonly string[])[], settings: [] as SampleSettings[] };
  for (const [seq, q] of fixture.questions.entries()) {
    const seedBase = 42 + seq * 1009;
    const ctx = replayModel(seq, seedBase, calls);
    const { generations } = await evaluateQuestion(ctx, { seq, question: `Question ${q.id}\nA. a\nB. b\nC. c\nD. d`, gold: q.gold }, {
      missing: [0, 1, 2],
      sampling,
      letters,
      recovery: true,
      seedBase,
    });
    for (const g of generations) {
      const o = fixture.outputs.find((x) => x.q === seq && x.g === g.generation)!;
      assert.deepEqual({ extracted: g.extracted, answer: g.answer, recovered: g.recovered, correct: g.correct }, o.expected, `q${seq} g${g.generation}`);
      rows.push({ ...g, seq });
    }
  }
  assert.equal(rows.length, 12);
  for (const s of calls.settings) assert.deepEqual([s.temperature, s.topP, s.topK], [0.6, 0.95, 20]);
  // Recovery ran exactly for the three outputs without an extractable answer, with the model's own answer.
  assert.equal(calls.recoveryPrompts.length, 3);
  for (const p of calls.recoveryPrompts) {
    assert.equal(p.turns[0]?.text, SYSTEM_PROMPT);
    assert.equal(p.turns[3]?.text, RECOVERY_USER);
    assert.equal(RECOVERY_USER, 'Respond with one option only. The answer is ');
    assert.match(p.baseText, /\nRespond with one option only\.\nThe answer is $/);
  }
  for (const l of calls.letters) assert.deepEqual(l, ['A', 'B', 'C', 'D']);

  const agg = aggregateSet(rows, fixture.generations);
  assert.equal(agg.n, fixture.expected.n);
  assert.deepEqual(agg.perGeneration.map((g) => g.accuracy), fixture.expected.perGeneration);
  assert.deepEqual(agg.perGeneration.map((g) => g.correct), fixture.expected.correct);
  assert.equal(agg.accuracyMean, fixture.expected.accuracyMean);
  assert.equal(agg.accuracyStd, fixture.expected.accuracyStd);
  assert.equal(agg.invalid, fixture.expected.invalid);
  assert.equal(agg.recovered, fixture.expected.recovered);
});

test('resuming samples only the missing generations, with the seeds they would have had', async () => {
  const calls = { recoveryPrompts: [] as PromptSpec[], letters: [] as (readonly string[])[], settings: [] as SampleSettings[] };
  const seedBase = 42 + 3 * 1009;
  const { generations } = await evaluateQuestion(replayModel(3, seedBase, calls), { seq: 3, question: 'Q\nA. a\nB. b', gold: 'D' }, {
    missing: [1, 2],
    sampling: evalSamplingSchema.parse({}),
    letters: ['A', 'B', 'C', 'D'],
    recovery: true,
    seedBase,
  });
  assert.deepEqual(generations.map((g) => g.generation), [1, 2]);
  assert.deepEqual(calls.settings.map((s) => s.seed), [seedBase + 1]);
  assert.deepEqual(generations.map((g) => g.answer), ['D', 'D']);
});

test('with the recovery pass off, outputs without an answer are invalid, not recovered', async () => {
  const calls = { recoveryPrompts: [] as PromptSpec[], letters: [] as (readonly string[])[], settings: [] as SampleSettings[] };
  const { generations } = await evaluateQuestion(replayModel(1, 0, calls), { seq: 1, question: 'Q\nA. a\nB. b', gold: 'B' }, {
    missing: [0, 1, 2],
    sampling: evalSamplingSchema.parse({}),
    letters: ['A', 'B'],
    recovery: false,
    seedBase: 0,
  });
  assert.equal(calls.recoveryPrompts.length, 0);
  const g2 = generations.find((g) => g.generation === 2)!;
  assert.deepEqual([g2.answer, g2.recovered, g2.correct], [null, false, false]);
  const agg = aggregateSet(generations.map((g) => ({ ...g, seq: 1 })), 3);
  assert.equal(agg.invalid, 1);
  assert.equal(agg.recovered, 0);
});

/**
 * The same rules written independently in Python (re, numpy), run on the fixture: Python's regex engine and
 * numpy's mean/std must agree with ours on every awkward output and on the aggregate.
 */
const pythonReference = String.raw`
import json, re, sys
import numpy as np
fx = json.load(open(sys.argv[1]))
def extract(p, model=None):
    if not p:
        return None
    p = p.strip()
    for pat in (r"The answer is ([A-Z])", r"The answer is \$\\boxed{([A-Z])}\$", r"The answer is \[([A-Z])\]"):
        found = [m.group(1) for m in re.finditer(pat, p)]
        if found:
            return found[-1]
    if model and "gemma" in model.lower():
        found = [m.group(1) for m in re.finditer(r"The answer is \*\*([A-Z])\*\*", p)]
        if found:
            return found[-1]
    found = [m.group(1) for m in re.finditer(r"The answer is ([A-Z])", p, re.IGNORECASE)]
    return found[-1].upper() if found else None
rows = []
for o in fx["outputs"]:
    text = o["text"].strip()
    ext = extract(text)
    pred = ext if ext else o["recovery"]
    rows.append({"q": o["q"], "g": o["g"], "extracted": ext, "pred": pred})
accs = []
for g in range(fx["generations"]):
    group = [r for r in rows if r["g"] == g]
    golds = [fx["questions"][r["q"]]["gold"].upper() for r in group]
    preds = [(r["pred"] or "UNKNOWN").strip().rstrip(".").upper() for r in group]
    accs.append(round(sum(1 for a, b in zip(golds, preds) if a == b) / len(group) * 100, 2))
print(json.dumps({"rows": rows, "per": accs, "mean": round(float(np.mean(accs)), 2), "std": round(float(np.std(accs)), 2),
  "invalid": sum(1 for r in rows if (r["pred"] or "UNKNOWN").strip().rstrip(".").upper() == "UNKNOWN"),
  "recovered": sum(1 for r in rows if not r["extracted"] and r["pred"])}))
`;

function pythonSkip(): string | undefined {
  const r = spawnSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' });
  if (r.status === 0) return undefined;
  const reason = 'skipped: python3 with numpy is not available for the reference cross-check';
  console.log(`# ${reason}`);
  return reason;
}

test('an independent Python implementation of the rules agrees on every output and the aggregate', { skip: pythonSkip() }, () => {
  const file = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'recordedOutputs.json');
  const r = spawnSync('python3', ['-c', pythonReference, file], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const ref = JSON.parse(r.stdout) as { rows: { q: number; g: number; extracted: string | null; pred: string | null }[]; per: number[]; mean: number; std: number; invalid: number; recovered: number };
  for (const row of ref.rows) {
    const o = fixture.outputs.find((x) => x.q === row.q && x.g === row.g)!;
    const ours = scoreGeneration(o.text.trim(), fixture.questions[o.q]!.gold, o.recovery);
    assert.equal(ours.extracted, row.extracted, `q${o.q} g${o.g}`);
    assert.equal(ours.answer, row.pred, `q${o.q} g${o.g}`);
  }
  assert.deepEqual(ref.per, fixture.expected.perGeneration);
  assert.deepEqual([ref.mean, ref.std, ref.invalid, ref.recovered], [fixture.expected.accuracyMean, fixture.expected.accuracyStd, fixture.expected.invalid, fixture.expected.recovered]);
});

test('a question that does not fit the context is invalid: no recovery from a prompt the model never saw whole', async () => {
  let recoveries = 0;
  const stub = {
    parallel: 2,
    sample: async (_s: PromptSpec, n: number) => Array.from({ length: n }, () => ({ text: '', tokens: 0, stopReason: 'contextFull' as const })),
    chooseLetter: async () => {
      recoveries++;
      return { letter: 'A', probabilities: {} };
    },
  } as unknown as GenerationContext;
  const { generations } = await evaluateQuestion(stub, { seq: 0, question: 'Q\nA. a\nB. b', gold: 'A' }, { missing: [0, 1], sampling: evalSamplingSchema.parse({}), letters: ['A', 'B'], recovery: true, seedBase: 0 });
  assert.equal(recoveries, 0);
  assert.deepEqual(generations.map((g) => [g.answer, g.recovered, g.stopReason]), [
    [null, false, 'contextFull'],
    [null, false, 'contextFull'],
  ]);
});
