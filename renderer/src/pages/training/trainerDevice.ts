/**
 * What the Training page says about where a run trained, from the trainer's `ready` event as the run stored it
 * (native/README.md: `backend`, `device {name, device, description, memoryTotal?, cpuLibrary?, notUsed}`). Read
 * defensively: runs from before backends were reported, or not started yet, have no device and say so.
 */
export interface TrainerDeviceView {
  /** e.g. "CUDA · CUDA0 · NVIDIA H200 · 139.8 GB" or "CPU · Intel(R) Xeon(R)". */
  line: string;
  /** Why each requested or considered backend was not used, as the trainer said. */
  notUsed: string[];
  gpu: boolean;
}

const label: Record<string, string> = { cpu: 'CPU', cuda: 'CUDA', vulkan: 'Vulkan' };

export function trainerDeviceView(trainer: Record<string, unknown> | null | undefined): TrainerDeviceView | null {
  if (!trainer) return null;
  const backend = typeof trainer.backend === 'string' ? trainer.backend : null;
  const d = trainer.device && typeof trainer.device === 'object' ? (trainer.device as Record<string, unknown>) : null;
  if (!backend && !d) return null;
  const parts = [label[backend ?? ''] ?? backend ?? 'unknown backend'];
  if (d && typeof d.device === 'string' && d.device && d.device !== 'CPU') parts.push(d.device);
  if (d && typeof d.description === 'string' && d.description) parts.push(d.description);
  if (d && typeof d.memoryTotal === 'number' && d.memoryTotal > 0) parts.push(`${(d.memoryTotal / 1e9).toFixed(1)} GB`);
  const notUsed = d && Array.isArray(d.notUsed) ? d.notUsed.filter((x): x is string => typeof x === 'string') : [];
  return { line: parts.join(' · '), notUsed, gpu: backend === 'cuda' || backend === 'vulkan' };
}
