/**
 * MedSSR's own evaluation script as a test oracle: its pure functions are lifted out of
 * ../shared/reference/medssr/vllm_logitsbias_multi.py with Python's ast (the script imports vllm, torch and
 * sklearn at top level, which CI does not have) and run by python3 on JSON input. sklearn's accuracy_score
 * is replaced by what it computes for 1-D label lists (numpy's mean of the element-wise equality).
 */
import { spawnSync } from 'node:child_process';
import { needShared, sharedPath } from './shared.js';

const SCRIPT = ['reference', 'medssr', 'vllm_logitsbias_multi.py'];

const loader = String.raw`
import ast, json, re, sys
import numpy as np
src = open(sys.argv[1], encoding="utf-8").read()
tree = ast.parse(src)
keep = [n for n in tree.body if (isinstance(n, ast.FunctionDef)) or (isinstance(n, ast.Assign) and any(getattr(t, "id", "") == "COT_TEMPLATE" for t in n.targets))]
def accuracy_score(y_true, y_pred):
    return float(np.average(np.asarray(y_true) == np.asarray(y_pred)))
ns = {"re": re, "np": np, "accuracy_score": accuracy_score, "json": json}
exec(compile(ast.Module(body=keep, type_ignores=[]), "vllm_logitsbias_multi.py", "exec"), ns)
inp = json.loads(sys.stdin.read())
`;

/** Skip reason (printed) when the script or python3 with numpy is missing; undefined when usable. */
export function scriptOracleSkip(): string | undefined {
  const missing = needShared(...SCRIPT);
  if (missing) return missing;
  const r = spawnSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' });
  if (r.status === 0) return undefined;
  const reason = 'skipped: python3 with numpy is not available to run MedSSR’s script functions';
  console.log(`# ${reason}`);
  return reason;
}

/**
 * Runs `body` (Python, after the loader: the script's functions are in `ns`, the input in `inp`) and returns
 * the JSON of its last printed line (the script's functions print notes of their own).
 */
export function runScriptOracle<T>(body: string, input: unknown): T {
  const r = spawnSync('python3', ['-c', `${loader}\n${body}`, sharedPath(...SCRIPT)], { input: JSON.stringify(input), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`python3 failed: ${r.stderr}`);
  const lines = r.stdout.trimEnd().split('\n');
  return JSON.parse(lines[lines.length - 1] ?? '') as T;
}
