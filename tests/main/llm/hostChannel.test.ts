/**
 * The model host's channel (main/llm/hostChannel.ts): outside Electron launchHost forks a Node child, which
 * answers over IPC, reports its stderr and its exit (code or signal), and refuses sends once gone. The Electron
 * utility-process adapter is driven with a stand-in for utilityProcess.fork: Electron itself cannot run here,
 * so the real utility process is untested.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { launchHost, utilityHost, type HostChannel, type UtilityFork } from '../../../main/llm/hostChannel.js';
import type { FromHost, HostMethod } from '../../../main/llm/modelHostProtocol.js';
import { repoRoot } from '../../helpers/shared.js';

const launch = { file: path.join(repoRoot, 'tests', 'helpers', 'echoHost.ts'), execArgv: ['--import', import.meta.resolve('tsx')], env: process.env };

function nextMessage(host: HostChannel): Promise<FromHost> {
  return new Promise((resolve) => host.onMessage(resolve));
}
const exitOf = (host: HostChannel): Promise<[number | null, NodeJS.Signals | null]> => new Promise((resolve) => host.onExit((code, signal) => resolve([code, signal])));
const call = (id: number, method: string, args: unknown[] = []) => ({ op: 'call' as const, id, method: method as HostMethod, args, abortable: false });

test('outside Electron the host is a forked Node child: messages both ways, stderr, exit code', { timeout: 60_000 }, async () => {
  const host = await launchHost(launch);
  let stderr = '';
  host.onStderr((c) => (stderr += c));
  const exit = exitOf(host);
  const reply = nextMessage(host);
  host.send(call(1, 'encode', [['a']]), (err) => assert.fail(err));
  assert.deepEqual(await reply, { op: 'result', id: 1, ok: true, value: call(1, 'encode', [['a']]), stats: null });
  assert.ok(host.pid && host.pid > 0);
  assert.equal(host.exited, false);
  const answered = nextMessage(host);
  host.send(call(2, 'stderr', ['GGML_ASSERT(x) failed\n']), (err) => assert.fail(err));
  await answered;
  host.send(call(3, 'exit', [7]), (err) => assert.fail(err));
  assert.deepEqual(await exit, [7, null]);
  assert.match(stderr, /GGML_ASSERT\(x\) failed/);
  assert.equal(host.exited, true);
  const refused = await new Promise<Error>((resolve) => host.send(call(4, 'encode'), resolve));
  assert.match(refused.message, /closed|exited/);
});

test('a killed host reports the signal; close ends it cleanly', { timeout: 60_000 }, async () => {
  const killed = await launchHost(launch);
  const exit = exitOf(killed);
  // Wait until it runs (answers) before the kill, as a job would have it loading a model.
  const ready = nextMessage(killed);
  killed.send(call(1, 'encode'), (err) => assert.fail(err));
  await ready;
  killed.kill();
  assert.deepEqual(await exit, [null, 'SIGKILL']);

  const closing = await launchHost(launch);
  const closed = exitOf(closing);
  const answer = nextMessage(closing);
  closing.send({ op: 'close', id: 1 }, (err) => assert.fail(err));
  assert.equal((await answer).op, 'result');
  assert.deepEqual(await closed, [0, null]);
});

test('inside Electron: the utility-process adapter maps messages, stderr, exit codes and refuses sends after exit', () => {
  const emitter = new EventEmitter();
  const child = Object.assign(emitter, {
    pid: 42 as number | undefined,
    stderr: new PassThrough(),
    posted: [] as unknown[],
    postMessage(m: unknown) {
      child.posted.push(m);
    },
    kill() {
      return emitter.emit('exit', 15);
    },
  });
  const forked: { file: string; options: Parameters<UtilityFork>[2] }[] = [];
  const fakeFork = ((file: string, _args: string[], options: Parameters<UtilityFork>[2]) => {
    forked.push({ file, options });
    return child;
  }) as unknown as UtilityFork;
  const host = utilityHost(launch, fakeFork);
  assert.equal(forked[0]?.file, launch.file);
  assert.deepEqual(forked[0]?.options.stdio, ['ignore', 'ignore', 'pipe']);
  assert.equal(forked[0]?.options.env?.ELECTRON_RUN_AS_NODE, undefined, 'no run-as-node');
  const got: FromHost[] = [];
  host.onMessage((m) => got.push(m));
  let stderr = '';
  host.onStderr((c) => (stderr += c));
  const exits: [number | null, NodeJS.Signals | null][] = [];
  host.onExit((code, signal) => exits.push([code, signal]));
  host.send(call(1, 'encode'), (err) => assert.fail(err));
  assert.deepEqual(child.posted, [call(1, 'encode')]);
  child.emit('message', { op: 'result', id: 1, ok: true, value: 5, stats: null });
  assert.deepEqual(got, [{ op: 'result', id: 1, ok: true, value: 5, stats: null }]);
  child.stderr.write('abort!');
  assert.equal(stderr, 'abort!');
  assert.equal(host.pid, 42);
  host.kill();
  assert.deepEqual(exits, [[15, null]]);
  assert.equal(host.exited, true);
  let refused: Error | null = null;
  host.send(call(2, 'encode'), (err) => (refused = err));
  assert.match((refused as Error | null)?.message ?? '', /exited/);
  assert.equal(child.posted.length, 1);
});
