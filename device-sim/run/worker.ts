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
  process.send?.(msg);
};
const node = new SimNode(send);
process.on('message', (msg: ToNode) => {
  node.handle(msg).then(
    () => {
      if (msg.t === 'stop') process.disconnect();
    },
    (err: unknown) => {
      send({ t: 'fatal', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
      process.exitCode = 1;
    },
  );
});
// The supervisor went away: nothing left to report to.
process.on('disconnect', () => process.exit(process.exitCode ?? 0));
// SIGINT reaches the whole process group on Ctrl-C; the supervisor decides how to end.
process.on('SIGINT', () => undefined);
