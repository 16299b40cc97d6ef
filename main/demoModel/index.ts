/** The demoModel domain's public face: the only file another domain or a transport imports. */
export { demoModelModule, setupDemoModel, type DemoModelDeps, type DemoModelExports, type DemoModelMethod } from './module.js';
export { buildDemoModel, readCard, sidecarPaths, stepsFor, STEPS_PER_MINUTE, type BuildDeps, type SftTrainer, type Tokenizer } from './build.js';
export { buildCorpus, type DemoCorpus } from './corpus.js';
export { buildVocab, escapeText, type Vocab } from './vocab.js';
export { defaultArch, writeInitModel, type ArchSpec } from './initModel.js';
export { openLlamaTokenizer, startSftTrainer } from './runtime.js';
