/** The evaluation domain's public face: the only file another domain or a transport imports. */
export { evaluationModule, type EvaluationExports } from './module.js';
export type { EvaluateJobResult } from './evaluateJob.js';
export { cliSetResult, scriptLogEntry } from './results.js';
export { parseBenchmarkText, BenchmarkFormatError } from '../platform/benchmarkFile.js';
