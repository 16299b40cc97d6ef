#!/usr/bin/env bash
# The one-go GPU check (issue 10) for a machine with an NVIDIA GPU: build the trainer, run the native tests on CUDA,
# run the trainer benchmark with CUDA beside the CPU. Everything lands in bench/results/gpu-*: device.txt, build.log,
# native-tests.log, trainer.log, and gpu-trainer.json (the benchmark's result).
# Fails loudly (exit 1, reason on stderr) if any step fails, a test is skipped for want of the trainer or of CUDA,
# or the benchmark's CUDA variant did not run on a CUDA device. Not runnable without a GPU: it says so and stops.
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/results
mkdir -p "$out"
fail() {
  echo "bench/gpu.sh: FAILED: $*" >&2
  exit 1
}

command -v nvidia-smi >/dev/null || fail "nvidia-smi not found: this check needs an NVIDIA GPU and its driver"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader >"$out/gpu-device.txt" || fail "nvidia-smi cannot query the GPU"
echo "GPU: $(head -1 "$out/gpu-device.txt")"

echo "1/3 npm run build:native"
npm run build:native >"$out/gpu-build.log" 2>&1 || fail "npm run build:native (see $out/gpu-build.log)"

echo "2/3 native tests on CUDA"
MEDSSR_TEST_BACKEND=cuda node scripts/run-tests.mjs tests/native >"$out/gpu-native-tests.log" 2>&1 || fail "native tests on CUDA (see $out/gpu-native-tests.log)"
grep -q '^ℹ fail 0' "$out/gpu-native-tests.log" || fail "native tests report failures (see $out/gpu-native-tests.log)"
# A skipped test is no result: refuse skips for a missing trainer, CUDA or model (Vulkan's own skips are fine here).
if grep -E '^# skipped' "$out/gpu-native-tests.log" | grep -viE 'vulkan' | grep -iE 'trainer|cuda|gpu|model|absent'; then
  fail "native tests were skipped (above; see $out/gpu-native-tests.log)"
fi
grep -E '^ℹ (tests|pass|fail|skipped)' "$out/gpu-native-tests.log"

echo "3/3 trainer benchmark (CPU and CUDA side by side)"
npx tsx bench/trainer.ts --cuda --out gpu-trainer >"$out/gpu-trainer.log" 2>&1 || fail "bench/trainer.ts --cuda (see $out/gpu-trainer.log)"
node -e '
const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
if (r.skipped) { console.error("benchmark skipped: " + r.skipped); process.exit(1); }
const cuda = (r.variants || []).find((v) => v.backend === "cuda");
if (!cuda) { console.error("no CUDA variant in the result"); process.exit(1); }
if (cuda.error) { console.error("CUDA variant failed: " + cuda.error); process.exit(1); }
if (!cuda.cases.length) { console.error("CUDA variant ran no case"); process.exit(1); }
for (const v of r.variants) for (const c of v.cases) console.log(`${v.name} [${v.device}] ${c.name}: ${c.tokensPerSecond.toFixed(0)} tokens/s, ${(100 * c.fractionOfPeak).toFixed(1)}% of ${v.matmulPeakGflops.toFixed(0)} GFLOP/s`);
' "$out/gpu-trainer.json" || fail "the CUDA benchmark did not produce a CUDA result (see $out/gpu-trainer.json, $out/gpu-trainer.log)"
echo "bench/gpu.sh: OK; results in $out/gpu-*"
