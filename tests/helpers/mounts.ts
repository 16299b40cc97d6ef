/** Private mounts for fault tests (a small tmpfs as a full disk), which need root on Linux and unshare -m. */
import { spawnSync } from 'node:child_process';

/** Why a private tmpfs cannot be mounted here (printed), or undefined when it can. */
export function privateTmpfsSkip(): string | undefined {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return 'skipped: a small tmpfs needs root on Linux';
  if (spawnSync('unshare', ['-m', 'sh', '-c', 'mount -t tmpfs -o size=1m none /mnt']).status !== 0) {
    const reason = 'skipped: no right to mount a private tmpfs (unshare -m)';
    console.log(`# ${reason}`);
    return reason;
  }
  return undefined;
}
