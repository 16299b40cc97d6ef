/**
 * A stand-in model host for tests of main/llm/hostChannel.ts: it answers each request through parentChannel()
 * with the request itself; method "stderr" writes its first argument to stderr, "exit" exits with that code.
 */
import { parentChannel } from '../../main/llm/hostChannel.js';

const parent = parentChannel();
parent.onDisconnect(() => process.exit(0));
parent.onMessage((msg) => {
  if (msg.op === 'call' && msg.method === ('stderr' as string)) process.stderr.write(String(msg.args[0]));
  if (msg.op === 'call' && msg.method === ('exit' as string)) process.exit(Number(msg.args[0]));
  if (msg.op === 'abort') return;
  parent.send({ op: 'result', id: msg.id, ok: true, value: msg, stats: null });
  if (msg.op === 'close') parent.close();
});
