/**
 * The model-backed parts of synthesis with a real (tiny) model: the JSON-schema-constrained model generator keeps
 * the knowledge-derived answer and its provenance, and the reasoning filter scores and rejects with a reason.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { synthesisPlanSchema } from '../../../api/synthesis.js';
import { GenerationContext, loadModel, type LoadedModel } from '../../../main/llm/generation.js';
import { formatQuestion } from '../../../main/llm/prompts.js';
import { KnowledgeIndex } from '../../../main/synthesis/knowledgeIndex.js';
import { createModelGenerator } from '../../../main/synthesis/modelGenerator.js';
import { localWriter } from '../../../main/synthesis/questionWriter.js';
import { reasoningProb } from '../../../main/synthesis/reasoningFilter.js';
import { createRng } from '../../../main/synthesis/rng.js';
import { runSynthesis } from '../../../main/synthesis/synthesize.js';
import { needShared, sharedPath } from '../../helpers/shared.js';
import { fixtureFacts } from './fixtures.js';

const skip = needShared('models', 'stories260K.gguf');
const index = new KnowledgeIndex(fixtureFacts());
let loaded: LoadedModel | null = null;
let ctx: GenerationContext | null = null;

before(async () => {
  if (skip) return;
  loaded = await loadModel(sharedPath('models', 'stories260K.gguf'), false);
  ctx = await GenerationContext.create(loaded, { sequences: 1 });
});
after(async () => {
  await ctx?.dispose();
  await loaded?.model.dispose();
});

test('model generator: schema-shaped output, knowledge-derived answer kept, generator recorded', { skip, timeout: 120_000 }, async () => {
  const gen = createModelGenerator(index, localWriter(ctx!, 'stories260K.gguf'));
  const answer = index.answerPool[0]!;
  const r = await gen({ answer, questionType: 'diagnosis', difficulty: 'easy', optionCount: 4, correctIndex: 2, cell: { questionType: 'diagnosis' }, seed: 1 }, createRng(1));
  if (!r.ok) {
    assert.match(r.reason, /did not parse/);
    return;
  }
  assert.equal(r.answerText, answer.name, 'the answer comes from the knowledge base, not from the model');
  assert.equal(r.draft.intendedAnswer, 'C');
  assert.equal(r.draft.options.length, 4, 'the grammar enforces the option count');
  assert.deepEqual(r.draft.provenance.generator, { kind: 'model', version: 'model-generator-v1', model: 'stories260K.gguf' });
  assert.equal(r.draft.provenance.orphaCodes[0], answer.orphaCode);
});

test('model generator inside a run: every invalid question is rejected with its reason', { skip, timeout: 180_000 }, async () => {
  const plan = synthesisPlanSchema.parse({ count: 1, weights: { questionType: { diagnosis: 1 } }, optionCount: 4 });
  const gen = createModelGenerator(index, localWriter(ctx!, 'stories260K.gguf'));
  let calls = 0;
  const out = await runSynthesis(index, plan, { seed: 2, idPrefix: 'm' }, { generate: (req, rng) => (++calls > 3 ? { ok: false, reason: 'stop' } : gen(req, rng)) });
  for (const q of out.questions) {
    assert.equal(q.provenance.generator.kind, 'model');
    if (q.status === 'rejected') assert.match(q.rejectReason ?? '', /^validity: /);
  }
});

test('reasoning filter: reasoning_prob kept on every question, under-threshold ones rejected with the score', { skip, timeout: 180_000 }, async () => {
  const g = ctx!;
  const plan = synthesisPlanSchema.parse({ count: 2, weights: { questionType: { diagnosis: 1 }, difficulty: { easy: 1 } } });
  const hooks = { reasoningProb: (d: { stem: string; options: { letter: string; text: string }[] }) => reasoningProb(g, formatQuestion(d.stem, d.options)) };
  const keepAll = await runSynthesis(index, plan, { seed: 3, idPrefix: 'r', reasoningThreshold: 0 }, hooks);
  const accepted = keepAll.questions.filter((q) => q.status === 'accepted');
  assert.equal(accepted.length, 2);
  for (const q of accepted) {
    const p = q.provenance.filters.reasoningProb;
    assert.ok(typeof p === 'number' && p >= 0 && p <= 1);
  }
  let calls = 0;
  const strict = await runSynthesis(index, plan, { seed: 3, idPrefix: 'r', reasoningThreshold: 1.01 }, {
    reasoningProb: (d) => (++calls > 4 ? Promise.resolve(0) : hooks.reasoningProb(d)),
  });
  assert.equal(strict.questions.filter((q) => q.status === 'accepted').length, 0);
  for (const q of strict.questions) assert.match(q.rejectReason ?? '', /^memorization: reasoning_prob \d\.\d{3} < 1\.01$/);
});
