/**
 * Loaded (--import) into a child of fakeUtilityProcess.ts: gives it Electron's process.parentPort (postMessage
 * out; 'message' events carrying { data }) over Node's IPC channel and hides process.send, so the host's
 * parentChannel() takes its Electron branch. As Electron's port does, it holds what arrives before the first
 * 'message' listener (this file runs before the host's module, which would otherwise miss the first request),
 * and the child does not outlive its parent.
 */
import { EventEmitter } from 'node:events';

const send = process.send?.bind(process);
const port = Object.assign(new EventEmitter(), {
  postMessage(message: unknown) {
    send?.(message);
  },
});
const early: unknown[] = [];
process.on('message', (data) => {
  if (port.listenerCount('message') === 0) early.push(data);
  else port.emit('message', { data, ports: [] });
});
port.on('newListener', (event: string) => {
  if (event !== 'message') return;
  // After the listener is added (newListener fires before), in arrival order.
  process.nextTick(() => {
    for (const data of early.splice(0)) port.emit('message', { data, ports: [] });
  });
});
process.on('disconnect', () => process.exit(0));
Object.defineProperty(process, 'parentPort', { value: port });
process.send = undefined;
