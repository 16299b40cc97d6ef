/** The 'demoModel.build' job: builds the nano model (see build.ts) with step progress, and registers it. */
import path from 'node:path';
import { demoBuildInputSchema } from '../../api/demoModel.js';
import { defineJobHandler, type AnyJobHandler } from '../platform/jobs/types.js';
import { buildDemoModel, type BuildDeps } from './build.js';

export interface BuildJobDeps extends BuildDeps {
  dataDir: string;
  register?: (file: string) => Promise<{ id: string }>;
}

export function defaultOut(dataDir: string, seed: number): string {
  return path.join(dataDir, 'models', `nano-demo-s${seed}.gguf`);
}

export function buildJobHandler(deps: BuildJobDeps): AnyJobHandler {
  return defineJobHandler<'demoModel.build'>({
    kind: 'demoModel.build',
    parseParams: (raw) => {
      const p = demoBuildInputSchema.parse(raw);
      return { ...p, out: path.resolve(p.out ?? defaultOut(deps.dataDir, p.seed)) };
    },
    title: (p) => `Build the nano demo model (seed ${p.seed}, ${p.steps !== undefined ? `${p.steps} steps` : `${p.minutes} min`})`,
    async run(params, ctx) {
      const r = await buildDemoModel(params, deps, {
        signal: ctx.signal,
        progress: (p) => ctx.progress({ done: p.done, total: p.total, message: p.message, unit: 'steps' }),
      });
      const losses = r.card.lossCurve;
      let modelId: string | null = null;
      if (params.register && deps.register) modelId = (await deps.register(r.path)).id;
      return {
        path: r.path,
        cardPath: r.cardPath,
        questionsPath: r.questionsPath,
        steps: r.card.steps,
        firstLoss: losses[0]?.loss ?? NaN,
        finalLoss: losses[losses.length - 1]?.loss ?? NaN,
        modelId,
      };
    },
  });
}
