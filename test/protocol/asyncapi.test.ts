/**
 * protocol/asyncapi.yaml must describe exactly the protocol in code: the channels and their
 * rules from protocol/topics.ts and payload schemas equal to what zod generates from
 * protocol/schemas now. Regenerate with `npx tsx protocol/scripts/gen-asyncapi.ts`.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import {
  CHANNEL_RULES,
  CHANNEL_SCHEMAS,
  DEVICE_ID_PATTERN,
  PROTOCOL_VERSION,
  deviceTopic,
  type Channel,
} from '../../protocol/index.js';
import {
  ASYNCAPI_PATH,
  REFINEMENT_JSON_SCHEMAS,
  SCHEMA_FORMAT,
  buildAsyncApi,
  payloadJsonSchema,
} from '../../protocol/scripts/gen-asyncapi.js';

type Obj = Record<string, unknown>;

const doc = parse(readFileSync(ASYNCAPI_PATH, 'utf8')) as Obj;
const CHANNELS = Object.keys(CHANNEL_RULES) as Channel[];

function obj(v: unknown, what: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`${what} is not an object`);
  return v as Obj;
}

/** Resolves a local `#/a/b` JSON pointer in the document. */
function resolve(pointer: string): unknown {
  if (!pointer.startsWith('#/')) throw new Error(`not a local ref: ${pointer}`);
  return pointer
    .slice(2)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((node, key) => (node === undefined ? undefined : (node as Obj)[key]), doc);
}

function deref(v: unknown, what: string): Obj {
  const o = obj(v, what);
  return typeof o['$ref'] === 'string' ? obj(resolve(o['$ref']), `${what} -> ${o['$ref']}`) : o;
}

const channels = obj(doc['channels'], 'channels');
const operations = obj(doc['operations'], 'operations');

/** The message objects of a channel, in document order. */
function channelMessages(channel: Channel): Obj[] {
  const msgs = obj(obj(channels[channel], channel)['messages'], `${channel}.messages`);
  return Object.entries(msgs).map(([id, m]) => deref(m, `${channel}.messages.${id}`));
}

function withoutDialect(schema: Obj): Obj {
  const { $schema: _dialect, ...rest } = schema;
  return rest;
}

describe('protocol/asyncapi.yaml', () => {
  it('is an AsyncAPI 3.0 document of the current protocol version', () => {
    expect(doc['asyncapi']).toBe('3.0.0');
    expect(obj(doc['info'], 'info')['version']).toBe(PROTOCOL_VERSION);
  });

  it('is what protocol/scripts/gen-asyncapi.ts generates now (run it after changing schemas or examples)', () => {
    expect(doc).toEqual(buildAsyncApi());
  });

  it('has exactly the channels of CHANNEL_RULES, each at lg/v1/{deviceId}/<channel>', () => {
    expect(Object.keys(channels).sort()).toEqual([...CHANNELS].sort());
    for (const channel of CHANNELS) {
      const c = obj(channels[channel], channel);
      expect(c['address']).toBe(deviceTopic('{deviceId}', channel));
      const param = deref(obj(c['parameters'], `${channel}.parameters`)['deviceId'], `${channel}.parameters.deviceId`);
      expect(param['x-pattern']).toBe(DEVICE_ID_PATTERN.source);
      expect(Object.keys(obj(c['parameters'], 'parameters'))).toEqual(['deviceId']);
    }
  });

  it('gives every channel the direction, QoS and retain flag of CHANNEL_RULES', () => {
    for (const channel of CHANNELS) {
      const rules = CHANNEL_RULES[channel];
      expect(obj(channels[channel], channel)['x-lockergate'], channel).toEqual({
        direction: rules.direction,
        qos: rules.qos,
        retain: rules.retain,
      });
    }
  });

  it('has one operation per channel, from the gateway side: receive for uplink, send for cmd, with matching MQTT bindings', () => {
    const byChannel = new Map<string, Obj[]>();
    for (const [id, op] of Object.entries(operations)) {
      const o = obj(op, id);
      const target = obj(o['channel'], `${id}.channel`)['$ref'];
      expect(typeof target, `${id}.channel must be a $ref`).toBe('string');
      const channel = (target as string).replace('#/channels/', '');
      byChannel.set(channel, [...(byChannel.get(channel) ?? []), o]);
    }
    expect([...byChannel.keys()].sort()).toEqual([...CHANNELS].sort());
    for (const channel of CHANNELS) {
      const ops = byChannel.get(channel)!;
      expect(ops, channel).toHaveLength(1);
      const op = ops[0]!;
      const rules = CHANNEL_RULES[channel];
      expect(op['action'], channel).toBe(rules.direction === 'up' ? 'receive' : 'send');
      const mqtt = obj(obj(op['bindings'], `${channel} bindings`)['mqtt'], `${channel} mqtt binding`);
      expect(mqtt['qos'], channel).toBe(rules.qos);
      expect(mqtt['retain'], channel).toBe(rules.retain);
      // The operation carries exactly the channel's messages.
      const refs = (op['messages'] as Obj[]).map((m) => m['$ref']);
      const own = Object.keys(obj(obj(channels[channel], channel)['messages'], 'messages')).map((id) => `#/channels/${channel}/messages/${id}`);
      expect(refs, channel).toEqual(own);
    }
  });

  it("describes each channel's payload with JSON Schemas equal to what zod generates now", () => {
    for (const channel of CHANNELS) {
      const messages = channelMessages(channel);
      expect(messages.length, channel).toBeGreaterThan(0);
      for (const m of messages) {
        expect(m['contentType'], channel).toBe('application/json');
        expect(obj(m['payload'], 'payload')['schemaFormat'], channel).toBe(SCHEMA_FORMAT);
      }
      const schemas = messages.map((m) => obj(obj(m['payload'], 'payload')['schema'], `${channel} schema`));
      const generated = payloadJsonSchema(CHANNEL_SCHEMAS[channel]);
      if (schemas.length === 1) {
        expect(schemas[0], channel).toEqual(generated);
      } else {
        // A discriminated union: one message per option, in the union's order.
        const { $schema, ...rest } = generated;
        expect(Object.keys(rest), channel).toEqual(['oneOf']);
        for (const s of schemas) expect(s['$schema'], channel).toBe($schema);
        expect(schemas.map(withoutDialect), channel).toEqual(rest['oneOf']);
      }
    }
  });

  it('spells out every zod refinement of the protocol schemas in JSON Schema (z.toJSONSchema cannot see them)', () => {
    const unhandled: string[] = [];
    const seen = new Set<unknown>();
    const walk = (schema: unknown, path: string): void => {
      if (seen.has(schema)) return;
      seen.add(schema);
      const def = (schema as { _zod: { def: Obj } })._zod.def;
      const checks = (def['checks'] as Array<{ _zod: { def: { check: string } } }> | undefined) ?? [];
      if (checks.some((c) => c._zod.def.check === 'custom') && !REFINEMENT_JSON_SCHEMAS.has(schema)) unhandled.push(path);
      switch (def['type']) {
        case 'union':
          (def['options'] as unknown[]).forEach((o, i) => walk(o, `${path}|${i}`));
          break;
        case 'object':
          for (const [k, v] of Object.entries(def['shape'] as Obj)) walk(v, `${path}.${k}`);
          break;
        case 'array':
          walk(def['element'], `${path}[]`);
          break;
        case 'optional':
        case 'nullable':
        case 'default':
        case 'readonly':
          walk(def['innerType'], path);
          break;
        default:
          break;
      }
    };
    for (const channel of CHANNELS) walk(CHANNEL_SCHEMAS[channel], channel);
    expect(unhandled, 'add these to REFINEMENT_JSON_SCHEMAS in protocol/scripts/gen-asyncapi.ts').toEqual([]);
    // The ack rule ("reason iff rejected") is present in the document.
    const ack = channelMessages('acks')[0]!;
    const schema = obj(obj(ack['payload'], 'payload')['schema'], 'ack schema');
    expect(schema['if']).toEqual({ properties: { status: { const: 'rejected' } }, required: ['status'] });
    expect(schema['then']).toEqual({ required: ['reason'] });
    expect(schema['else']).toEqual({ not: { required: ['reason'] } });
  });

  it('embeds examples that validate against their channel schema and message', () => {
    for (const channel of CHANNELS) {
      const messages = channelMessages(channel);
      expect(messages.some((m) => (m['examples'] as unknown[]).length > 0), `${channel} has no example`).toBe(true);
      for (const m of messages) {
        for (const ex of m['examples'] as Obj[]) {
          const parsed = CHANNEL_SCHEMAS[channel].safeParse(ex['payload']);
          if (!parsed.success) expect.fail(`${channel} ${String(ex['name'])}: ${z.prettifyError(parsed.error)}`);
          if ('x-lockergate-discriminator-value' in m) {
            const disc = channel === 'status' ? 'state' : 'type';
            expect((ex['payload'] as Obj)[disc], String(ex['name'])).toBe(m['x-lockergate-discriminator-value']);
          }
        }
      }
    }
  });

  it('has no dangling $ref', () => {
    const refs: string[] = [];
    const collect = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(collect);
      else if (typeof node === 'object' && node !== null) {
        for (const [k, v] of Object.entries(node)) {
          if (k === '$ref' && typeof v === 'string') refs.push(v);
          else collect(v);
        }
      }
    };
    collect(doc);
    expect(refs.length).toBeGreaterThan(20);
    for (const r of refs) expect(resolve(r), r).toBeDefined();
  });

  it('describes the will as a status offline on the status topic with the status QoS and retain', () => {
    const tcp = obj(obj(doc['servers'], 'servers')['tcp'], 'tcp');
    const will = obj(obj(obj(tcp['bindings'], 'bindings')['mqtt'], 'mqtt')['lastWill'], 'lastWill');
    expect(will['topic']).toBe(deviceTopic('{deviceId}', 'status'));
    expect(will['qos']).toBe(CHANNEL_RULES.status.qos);
    expect(will['retain']).toBe(CHANNEL_RULES.status.retain);
  });
});
