/** The llm domain's public face: the only file another domain or a transport imports. */
export { llmModule, type LlmExports, type LlmMethod } from './module.js';
export { ModelRegistry } from './registry.js';
export { GenerationContext, loadModel, type LoadedModel, type PromptSpec } from './generation.js';
export { readGgufSummary } from './ggufMetadata.js';
export { chooseThreads, getRuntime, type GpuSetting } from './llama.js';
export { baseRecoveryPrompt, cotTemplate, fallbackRecoveryPrompt, formatQuestion, RECOVERY_USER, SYSTEM_PROMPT } from './prompts.js';
export { openGenerator } from './modelHost.js';
export { useHostLauncher, utilityHostLauncher, type HostLauncher } from './hostChannel.js';
export { forEachInFlight, questionsInFlight } from './inFlight.js';
export { throughput, throughputMessage, type Throughput } from './throughput.js';
export { assertAdapterFits, assertModelLoadable } from './modelCheck.js';
export { GgufValidationError } from './ggufValidation.js';
