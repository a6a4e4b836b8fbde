import type { FromNode, ToNode } from './messages.js';
import { SimNode } from './node.js';

/**
 * Entry point of a simulator worker process (child_process.fork): one node, driven over IPC.
 * Each worker holds at most a few thousand sockets, under the per-process open-files limit.
 */
if (!process.send) {
  console.error('device-sim worker: start me with child_process.fork (IPC channel missing)');
  process.exit(2);
}

const send = (msg: FromNode): void => {
  // The last word: leave only once it is written, or the supervisor never gets the final stats.
  if (msg.t === 'stopped') process.send?.(msg, () => process.disconnect());
  else process.send?.(msg);
};
const node = new SimNode(send);
process.on('message', (msg: ToNode) => {
  node.handle(msg).catch((err: unknown) => {
    send({ t: 'fatal', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    process.exitCode = 1;
  });
});
// The supervisor went away (or we said goodbye): nothing left to report to.
process.on('disconnect', () => process.exit(process.exitCode ?? 0));
// Ctrl-C (or a SIGTERM to the process group) reaches the workers too; the supervisor decides
// how the run ends, and a worker whose supervisor is gone exits on 'disconnect'.
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => undefined);
