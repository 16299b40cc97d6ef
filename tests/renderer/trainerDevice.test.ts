/** The Training page's line about where a run trained, from the trainer's stored `ready` event. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { trainerDeviceView } from '../../renderer/src/pages/training/trainerDevice.js';

test('a CUDA run shows backend, device, GPU name and memory', () => {
  const v = trainerDeviceView({ backend: 'cuda', device: { name: 'cuda', device: 'CUDA0', description: 'NVIDIA H200', memoryTotal: 150_000_000_000, notUsed: [] }, threads: 8 });
  assert.deepEqual(v, { line: 'CUDA · CUDA0 · NVIDIA H200 · 150.0 GB', notUsed: [], gpu: true });
});

test('a CPU fallback shows why the GPU backends were not used', () => {
  const v = trainerDeviceView({
    backend: 'cpu',
    device: { name: 'cpu', device: 'CPU', description: 'AMD EPYC', cpuLibrary: 'libggml-cpu-haswell.so', notUsed: ['cuda: libcuda.so.1: cannot open shared object file', 'vulkan: no GPU-type device'] },
  });
  assert.equal(v?.line, 'CPU · AMD EPYC');
  assert.deepEqual(v?.notUsed, ['cuda: libcuda.so.1: cannot open shared object file', 'vulkan: no GPU-type device']);
  assert.equal(v?.gpu, false);
});

test('runs without a reported device say nothing rather than guess', () => {
  assert.equal(trainerDeviceView(null), null);
  assert.equal(trainerDeviceView({ arch: 'llama' }), null);
  assert.equal(trainerDeviceView({ backend: 'vulkan', device: { notUsed: 'oops' } })?.line, 'Vulkan');
});
