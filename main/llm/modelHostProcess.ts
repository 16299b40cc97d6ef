/**
 * The model host: a child process that loads one model and samples for one job. llama.cpp aborts the whole
 * process on some bad files (GGML_ASSERT on absurd hyperparameters); here that ends this process only, and the
 * app reports it as the job's failure.
 */
import type { GbnfJsonSchema, Token } from 'node-llama-cpp';
import { LocalGenerationContext, loadModel, type LoadedModel, type PromptSpec, type SampleSettings } from './generation.js';
import { parentChannel } from './hostChannel.js';
import type { FromHost, ToHost } from './modelHostProtocol.js';

let loaded: LoadedModel | null = null;
let gen: LocalGenerationContext | null = null;
const aborts = new Map<number, AbortController>();

const parent = parentChannel();

function send(msg: FromHost): void {
  parent.send(msg);
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function fatal(err: unknown): void {
  send({ op: 'fatal', message: describe(err) });
  // Give the IPC channel a moment to carry the message before exiting.
  setTimeout(() => process.exit(70), 50);
}

process.on('unhandledRejection', fatal);
process.on('uncaughtException', fatal);
// The app went away (or closed the channel): nothing is left to sample for.
parent.onDisconnect(() => process.exit(0));

async function call(msg: Extract<ToHost, { op: 'call' }>): Promise<unknown> {
  if (!gen) throw new Error('No model is open in the model host');
  const signal = msg.abortable ? aborts.get(msg.id)?.signal : undefined;
  const a = msg.args;
  switch (msg.method) {
    case 'sample':
      return gen.sample(a[0] as PromptSpec, a[1] as number, a[2] as SampleSettings, signal);
    case 'chooseLetter':
      return gen.chooseLetter(a[0] as PromptSpec, a[1] as string[], 0, a[2] as boolean);
    case 'continuationLogProbs':
      return gen.continuationLogProbs(a[0] as PromptSpec, a[1] as string[]);
    case 'generateJson':
      return gen.generateJson(a[0] as PromptSpec, a[1] as GbnfJsonSchema, a[2] as SampleSettings, signal);
    case 'biasedGreedy':
      return gen.biasedGreedy(a[0] as PromptSpec, a[1] as Token[], a[2] as number, a[3] as number);
    case 'encode':
      return gen.encode(a[0] as string[]);
  }
}

async function handle(msg: ToHost): Promise<void> {
  if (msg.op === 'abort') {
    aborts.get(msg.id)?.abort();
    return;
  }
  try {
    let value: unknown;
    if (msg.op === 'open') {
      loaded = await loadModel(msg.modelPath, msg.gpu);
      gen = await LocalGenerationContext.create(loaded, msg.context);
      await gen.assertFiniteOutput();
      value = { mode: gen.mode, threads: gen.threads, parallel: gen.parallel };
    } else if (msg.op === 'call') {
      if (msg.abortable) aborts.set(msg.id, new AbortController());
      value = await call(msg);
    } else {
      await gen?.dispose();
      await loaded?.model.dispose();
      gen = null;
      loaded = null;
      value = null;
    }
    send({ op: 'result', id: msg.id, ok: true, value, stats: gen?.stats() ?? null });
    if (msg.op === 'close') parent.close();
  } catch (err) {
    send({ op: 'result', id: msg.id, ok: false, message: describe(err), stats: gen?.stats() ?? null });
  } finally {
    aborts.delete(msg.id);
  }
}

parent.onMessage((msg) => void handle(msg));
