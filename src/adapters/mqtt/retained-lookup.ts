import { Readable } from 'node:stream';
import type { Aedes } from 'aedes';
import { parseDeviceTopic } from '../../../protocol/topics.js';

/**
 * Aedes' memory persistence answers every SUBSCRIBE by testing the filter against *every*
 * retained message (aedes-persistence `retainedMessagesByPattern`). Each device keeps two
 * retained messages (hello and snapshot), so with N devices connecting each SUBSCRIBE costs
 * O(N) and a reconnect storm O(N²): the device simulator measured 19,000 controllers needing
 * minutes to connect, the gateway CPU-bound in that scan. A device may only subscribe to its
 * own `cmd` topic (the ACL refuses anything else) and nothing is ever retained there (commands
 * are published with retain false and devices cannot publish on `cmd`), so for those filters
 * the answer is known without looking.
 */
export function skipRetainedScanForCommandTopics(aedes: Aedes): void {
  // `persistence` is public in Aedes but missing from its type declarations.
  const persistence = (aedes as unknown as { persistence: { createRetainedStreamCombi(patterns: string[]): Readable } }).persistence;
  const scan = persistence.createRetainedStreamCombi.bind(persistence);
  persistence.createRetainedStreamCombi = (patterns: string[]) =>
    patterns.every((p) => parseDeviceTopic(p)?.channel === 'cmd') ? Readable.from([]) : scan(patterns);
}
