import { createRequire } from 'node:module';

/** The part of bl's BufferList that mqtt-packet's parser uses. */
interface ParserBuffer {
  readonly length: number;
  append(buf: Buffer): unknown;
}

/**
 * mqtt-packet's parser keeps its unparsed bytes in `bl()`, a BufferListStream: a whole Duplex
 * stream (about 1 KB of heap per connection) of which the parser only uses the buffer-list
 * methods (append, consume, length, readUInt*, slice, toString). The plain BufferList from the
 * same `bl` package — resolved through mqtt-packet, so it is the very version the parser was
 * written against — has exactly those methods without the stream (about 70 bytes). Issue 6.
 */
const requireFromMqttPacket = createRequire(createRequire(import.meta.url).resolve('mqtt-packet'));
const { BufferList } = requireFromMqttPacket('bl') as { BufferList: new () => ParserBuffer };

/** What Aedes hangs on a connection: its client and that client's parser (not in Aedes' types). */
interface ConnWithClient {
  client?: { _parser?: { _list?: ParserBuffer } };
}

/**
 * Swaps the parser's stream for a plain buffer list. Called right after `aedes.handle(conn)`
 * created the client, before any byte was read (Aedes reads on 'readable', never synchronously);
 * anything already buffered is carried over all the same. After a parse error mqtt-packet resets
 * to a new `bl()`, but the connection is closed on that error anyway.
 */
export function useLeanParserBuffer(conn: object): void {
  const parser = (conn as ConnWithClient).client?._parser;
  if (!parser?._list) return;
  const lean = new BufferList();
  if (parser._list.length > 0) lean.append((parser._list as unknown as { slice(): Buffer }).slice());
  parser._list = lean;
}
