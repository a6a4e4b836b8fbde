import type { Aedes, Client, PublishPacket } from 'aedes';

type Done = (error?: Error | null) => void;

/** `Aedes.publish` as Aedes itself calls it (with the publishing client); not in its types. */
interface RoutingBroker {
  publish(packet: PublishPacket, client?: Client | Done | null, done?: Done): void;
}

/**
 * After its hooks, Aedes routes every accepted PUBLISH: it stores it when retained, looks up
 * offline subscriptions (a topic-trie match in the persistence), matches it against every live
 * subscription (another trie match, in mqemitter) and calls `published`. A device's own
 * publishes — its uplink messages and its will — are consumed in `authorizePublish` before the
 * PUBACK (docs/adr/0002), and no connection may subscribe to them: the ACL lets a device
 * subscribe to its own `cmd` topic only, never to another device's channels or to `$SYS`. So
 * routing them, and Aedes' own `$SYS` announcements, can reach nobody. Skipping it saves two
 * trie matches and a packet copy per device message, and the retained hello and snapshot of
 * every device, which the broker kept in memory for no reader (issue 6).
 * The devices still publish them retained as the protocol says; it is this broker that has no
 * one to hand them to. Commands published by the gateway (no client) are routed as before
 * (docs/adr/0008).
 */
export function skipRoutingOfUnreadablePublishes(aedes: Aedes): void {
  const broker = aedes as unknown as RoutingBroker;
  const route = broker.publish.bind(broker);
  broker.publish = (packet, client, done) => {
    const callback = typeof client === 'function' ? client : done;
    const fromConnection = typeof client === 'object' && client !== null;
    if (fromConnection || packet.topic.startsWith('$SYS/')) return callback?.(null);
    route(packet, client, done);
  };
}
