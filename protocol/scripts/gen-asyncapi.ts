/**
 * Generates protocol/asyncapi.yaml from the protocol's source of truth: the topic rules in
 * protocol/topics.ts, the zod schemas in protocol/schemas and the examples listed in
 * protocol/examples/index.json.
 *
 *     npx tsx protocol/scripts/gen-asyncapi.ts          # rewrite protocol/asyncapi.yaml
 *     npx tsx protocol/scripts/gen-asyncapi.ts --check  # exit 1 if the file is out of date
 *
 * test/protocol/asyncapi.test.ts imports the helpers below and fails when the committed
 * document no longer matches what this script would write.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { parse, stringify } from 'yaml';
import {
  CHANNEL_RULES,
  DEVICE_ID_PATTERN,
  MAX_PAYLOAD_BYTES,
  PROTOCOL_VERSION,
  TOPIC_ROOT,
  type Channel,
} from '../index.js';
import {
  ASYNCAPI_PATH,
  CHANNELS,
  EXAMPLES_DIR,
  MQTT_BINDING_VERSION,
  SCHEMA_FORMAT,
  pascal,
  payloadJsonSchema,
  payloadVariants,
  readExamplesManifest,
  type Json,
} from './asyncapi-payloads.js';

export * from './asyncapi-payloads.js';


const CHANNEL_DOCS: Readonly<Record<Channel, string>> = {
  status:
    'Connection status. The device publishes the hello (`state: online`) retained after subscribing to its cmd topic; ' +
    'the broker publishes the last will (`state: offline`, registered in CONNECT) retained when the connection dies.',
  state:
    'Full sensed state of every compartment (door, occupancy), published retained after the hello on every (re)connect. ' +
    'The gateway reconciles it with what it believes and raises snapshot_mismatch alarms for differences.',
  events:
    'Sequenced facts from the controller: door and occupancy changes, the outcome of an open command, keypad entries, faults, ' +
    'and (v1.1) openings the controller granted itself from its code set (local_open). ' +
    'Events that happen while offline are queued and replayed on reconnect, oldest first: after the snapshot for v1.0 controllers, ' +
    'before it (right after the hello) for v1.1 controllers.',
  acks:
    "The controller's answer to each command: accepted (it will act; for an open: the relay was pulsed) or rejected with a reason. " +
    'A repeated command id is answered with the same ack plus `duplicate: true` and is not executed again.',
  telemetry: 'Periodic health report (signal, power, battery, temperature, uptime). QoS 0: losing one is harmless.',
  cmd:
    'Commands from the gateway: open, ping, reboot, keypad_reply, and (v1.1, only to devices whose hello says 1.1) code_sync. ' +
    'Each carries an id, issuedAt and expiresAt (ms since epoch). ' +
    'The controller executes an id at most once and never after expiresAt.',
};

const MESSAGE_DOCS: Readonly<Record<string, { title: string; summary: string }>> = {
  statusOnline: { title: 'Hello (status online)', summary: 'First message of every connection; starts or continues a boot.' },
  statusOffline: {
    title: 'Last will / offline status',
    summary:
      'Registered in CONNECT and published by the broker when the connection dies, or published by the controller before an orderly ' +
      'disconnect (v1.1: with reason, and nextWakeAt when a sleepy controller goes to sleep). Carries no seq.',
  },
  stateSnapshot: { title: 'State snapshot', summary: 'Door and occupancy of every compartment, retained.' },
  eventDoor: { title: 'Door event', summary: 'A door sensor changed; commandId names the open command that caused an opening.' },
  eventOccupancy: { title: 'Occupancy event', summary: 'An occupancy sensor changed (compartments with a sensor only).' },
  eventOpenResult: { title: 'Open result event', summary: "The controller's verdict on an accepted open: opened, already_open or jammed." },
  eventKeypad: { title: 'Keypad event', summary: 'A code typed at the keypad; answered by a keypad_reply command.' },
  eventFault: { title: 'Fault event', summary: 'Tamper, power lost/restored, sensor fault or low battery.' },
  eventLocalOpen: {
    title: 'Local open event (v1.1)',
    summary: 'The controller accepted a code from its own code set and opened (offline pickup, or a household at its mailbox); door events carry openId as commandId.',
  },
  commandAck: { title: 'Command ack', summary: 'accepted (will act) or rejected with a reason; duplicate: true for a repeated id.' },
  telemetry: { title: 'Telemetry', summary: 'Uptime, signal, power and temperature.' },
  cmdOpen: { title: 'Open command', summary: 'Pulse the lock of one compartment.' },
  cmdPing: { title: 'Ping command', summary: 'Liveness check; done when acked accepted.' },
  cmdReboot: { title: 'Reboot command', summary: 'Restart the controller after acking; done when acked accepted.' },
  cmdKeypadReply: { title: 'Keypad reply command', summary: 'Answer to a keypad event: open a compartment, or deny with a reason.' },
  cmdCodeSync: {
    title: 'Code sync command (v1.1)',
    summary: 'Changes the controller\'s offline code set: a delta on top of fromVersion (else rejected out_of_sync), or a full set in parts.',
  },
};

function ref(pointer: string): { $ref: string } {
  return { $ref: pointer };
}

function operationId(channel: Channel): string {
  return `${CHANNEL_RULES[channel].direction === 'up' ? 'receive' : 'send'}${pascal(channel)}`;
}

/** The whole AsyncAPI 3.0 document as a plain object. */
export function buildAsyncApi(): Json {
  const manifest = readExamplesManifest();
  const examplesByMessage = new Map<string, Array<{ name: string; summary: string; payload: unknown }>>();

  const channels: Json = {};
  const operations: Json = {};
  const messages: Json = {};

  for (const channel of CHANNELS) {
    const rules = CHANNEL_RULES[channel];
    const variants = payloadVariants(channel);
    for (const entry of manifest.valid.filter((e) => e.channel === channel)) {
      const payload: unknown = JSON.parse(readFileSync(`${EXAMPLES_DIR}${entry.file}`, 'utf8'));
      const variant = variants.find((v) => v.schema.safeParse(payload).success);
      if (!variant) throw new Error(`gen-asyncapi: example ${entry.file} matches no message of channel ${channel}`);
      const list = examplesByMessage.get(variant.messageId) ?? [];
      list.push({ name: entry.file.replace(/\.json$/, ''), summary: entry.summary, payload });
      examplesByMessage.set(variant.messageId, list);
    }

    const channelMessages: Json = {};
    for (const v of variants) {
      const docs = MESSAGE_DOCS[v.messageId];
      if (!docs) throw new Error(`gen-asyncapi: MESSAGE_DOCS has no entry for ${v.messageId}; document the new message`);
      channelMessages[v.messageId] = ref(`#/components/messages/${v.messageId}`);
      messages[v.messageId] = {
        name: v.messageId,
        title: docs.title,
        summary: docs.summary,
        contentType: 'application/json',
        payload: { schemaFormat: SCHEMA_FORMAT, schema: payloadJsonSchema(v.schema) },
        examples: examplesByMessage.get(v.messageId) ?? [],
        'x-lockergate-channel': channel,
        ...(v.discriminatorValue === null ? {} : { 'x-lockergate-discriminator-value': v.discriminatorValue }),
      };
    }

    channels[channel] = {
      address: `${TOPIC_ROOT}/{deviceId}/${channel}`,
      title: channel,
      description: CHANNEL_DOCS[channel],
      parameters: { deviceId: ref('#/components/parameters/deviceId') },
      messages: channelMessages,
      'x-lockergate': { direction: rules.direction, qos: rules.qos, retain: rules.retain },
    };

    const opId = operationId(channel);
    operations[opId] = {
      action: rules.direction === 'up' ? 'receive' : 'send',
      channel: ref(`#/channels/${channel}`),
      title: rules.direction === 'up' ? `Gateway receives ${channel} from a device` : `Gateway sends ${channel} to a device`,
      summary:
        rules.direction === 'up'
          ? `Device publishes on ${TOPIC_ROOT}/<deviceId>/${channel} with QoS ${rules.qos}${rules.retain ? ', retained' : ''}.`
          : `Gateway publishes on ${TOPIC_ROOT}/<deviceId>/${channel} with QoS ${rules.qos}; the device subscribes with QoS ${rules.qos}.`,
      messages: variants.map((v) => ref(`#/channels/${channel}/messages/${v.messageId}`)),
      bindings: { mqtt: { qos: rules.qos, retain: rules.retain, bindingVersion: MQTT_BINDING_VERSION } },
      ...(channel === 'cmd'
        ? {
            reply: {
              channel: ref('#/channels/acks'),
              messages: payloadVariants('acks').map((v) => ref(`#/channels/acks/messages/${v.messageId}`)),
            },
          }
        : {}),
    };
  }

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'lockergate device protocol',
      version: PROTOCOL_VERSION,
      description:
        'MQTT protocol between smart parcel locker controllers and the lockergate gateway. ' +
        'Operations are described from the gateway\'s point of view: it receives the uplink channels and sends cmd. ' +
        'The normative text (connect sequence, boot id and sequence rules, command lifecycle, reconciliation) is protocol/README.md. ' +
        `Every payload is one UTF-8 JSON object of at most ${MAX_PAYLOAD_BYTES} bytes; objects are strict (unknown fields are rejected). ` +
        'Generated by protocol/scripts/gen-asyncapi.ts; do not edit by hand.',
      license: { name: 'Apache-2.0' },
    },
    defaultContentType: 'application/json',
    servers: {
      tcp: {
        host: '{host}:1883',
        protocol: 'mqtt',
        protocolVersion: '3.1.1',
        title: 'MQTT over TCP',
        description:
          'The embedded broker. Client id = username = device id; password = device secret. Clean session (v1.1: mailbox-bank devices may ' +
          'connect with clean session 0, a persistent session); keepalive 10-300 s (60 recommended).',
        variables: { host: { default: 'localhost', description: 'Gateway host name' } },
        security: [ref('#/components/securitySchemes/deviceCredentials')],
        bindings: {
          mqtt: {
            cleanSession: true,
            keepAlive: 60,
            lastWill: {
              topic: `${TOPIC_ROOT}/{deviceId}/status`,
              qos: CHANNEL_RULES.status.qos,
              retain: CHANNEL_RULES.status.retain,
              message: '{"state":"offline","bootId":"<bootId of this boot>"}',
            },
            bindingVersion: MQTT_BINDING_VERSION,
          },
        },
      },
      websocket: {
        host: '{host}:8080',
        pathname: '/mqtt',
        protocol: 'ws',
        title: 'MQTT over WebSocket',
        description: 'The same broker over WebSocket (subprotocol "mqtt"); identical credentials, topics and rules as tcp.',
        variables: { host: { default: 'localhost', description: 'Gateway host name' } },
        security: [ref('#/components/securitySchemes/deviceCredentials')],
      },
    },
    channels,
    operations,
    components: {
      parameters: {
        deviceId: {
          description: `Device id (also the MQTT client id and username): must match ${DEVICE_ID_PATTERN.source}`,
          examples: ['lk-2201-0042'],
          'x-pattern': DEVICE_ID_PATTERN.source,
        },
      },
      securitySchemes: {
        deviceCredentials: {
          type: 'userPassword',
          description:
            'MQTT username = client id = device id; password = the device secret printed once by `lockergate device provision <lockerId>`.',
        },
      },
      messages,
    },
  };
}

export function renderAsyncApi(doc: Json = buildAsyncApi()): string {
  const header = [
    '# lockergate device protocol v1: AsyncAPI 3.0 description.',
    '# GENERATED by protocol/scripts/gen-asyncapi.ts from protocol/topics.ts, protocol/schemas/*.ts',
    '# and protocol/examples/index.json. Do not edit by hand: run `npx tsx protocol/scripts/gen-asyncapi.ts`.',
    '# The normative prose is protocol/README.md.',
    '',
  ].join('\n');
  return header + stringify(doc, { lineWidth: 0, aliasDuplicateObjects: false });
}

function main(): void {
  const doc = buildAsyncApi();
  if (process.argv.includes('--check')) {
    const current: unknown = parse(readFileSync(ASYNCAPI_PATH, 'utf8'));
    if (!isDeepStrictEqual(current, doc)) {
      console.error(`${ASYNCAPI_PATH} is out of date; run: npx tsx protocol/scripts/gen-asyncapi.ts`);
      process.exit(1);
    }
    console.log(`${ASYNCAPI_PATH} is up to date`);
    return;
  }
  writeFileSync(ASYNCAPI_PATH, renderAsyncApi(doc));
  console.log(`wrote ${ASYNCAPI_PATH}`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
