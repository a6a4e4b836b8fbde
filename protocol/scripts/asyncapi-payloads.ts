/**
 * The payload side of protocol/asyncapi.yaml: each channel's message shapes, their JSON Schemas
 * (zod 4's draft-07 output plus the refinements it cannot see), and the examples manifest.
 * gen-asyncapi.ts assembles the document from these; test/protocol/asyncapi.test.ts uses them too.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { z } from 'zod';
import { CHANNEL_SCHEMAS, CodeSyncCommand, CommandAck, DOWNLINK_CHANNELS, StatusOffline, UPLINK_CHANNELS, type Channel } from '../index.js';

export const ASYNCAPI_PATH = fileURLToPath(new URL('../asyncapi.yaml', import.meta.url));
export const EXAMPLES_DIR = fileURLToPath(new URL('../examples/', import.meta.url));

/** AsyncAPI 3.0 names JSON Schema draft-07 explicitly; zod 4 can emit exactly that dialect. */
export const SCHEMA_FORMAT = 'application/schema+json;version=draft-07';
export const MQTT_BINDING_VERSION = '0.2.0';
export const CHANNELS: readonly Channel[] = [...UPLINK_CHANNELS, ...DOWNLINK_CHANNELS];

export type Json = Record<string, unknown>;

/**
 * Rules that a zod schema checks with `.refine()`. `z.toJSONSchema` cannot see inside a
 * refinement, so each one is written out here as JSON Schema next to the schema it belongs to.
 * The asyncapi test fails if a protocol schema gains a refinement that is not listed here.
 */
export const REFINEMENT_JSON_SCHEMAS: ReadonlyMap<unknown, Json> = new Map<unknown, Json>([
  [
    CommandAck,
    {
      // acks.ts: "reason is required when rejected and only then"
      if: { properties: { status: { const: 'rejected' } }, required: ['status'] },
      then: { required: ['reason'] },
      else: { not: { required: ['reason'] } },
    },
  ],
  [
    StatusOffline,
    {
      // status.ts: "nextWakeAt belongs to reason sleep, and only to it"
      if: { properties: { reason: { const: 'sleep' } }, required: ['reason'] },
      then: { required: ['nextWakeAt'] },
      else: { not: { required: ['nextWakeAt'] } },
    },
  ],
  [
    CodeSyncCommand,
    {
      allOf: [
        {
          // commands.ts: "fromVersion is required for a delta and only then"
          if: { properties: { mode: { const: 'delta' } }, required: ['mode'] },
          then: { required: ['fromVersion'] },
          else: { not: { required: ['fromVersion'] } },
        },
        {
          // commands.ts: "a full set revokes nothing: it replaces"; "part and parts belong to a full set
          // only" (part <= parts cannot be said in draft-07; README §12.3 says it)
          if: { properties: { mode: { const: 'full' } }, required: ['mode'] },
          then: { required: ['part', 'parts'], properties: { revoke: { maxItems: 0 } } },
          else: { not: { anyOf: [{ required: ['part'] }, { required: ['parts'] }] } },
        },
      ],
    },
  ],
]);

/** The JSON Schema (draft-07) of a payload schema, as it appears in asyncapi.yaml. */
export function payloadJsonSchema(schema: z.ZodType): Json {
  return z.toJSONSchema(schema, {
    target: 'draft-7',
    override: (ctx) => {
      const extra = REFINEMENT_JSON_SCHEMAS.get(ctx.zodSchema);
      if (extra) Object.assign(ctx.jsonSchema, structuredClone(extra));
    },
  }) as Json;
}

export interface PayloadVariant {
  /** Message id in asyncapi.yaml (components.messages and channels.<channel>.messages). */
  messageId: string;
  /** Value of the discriminator field (`type` or `state`), or null for single-shape channels. */
  discriminatorValue: string | null;
  schema: z.ZodType;
}

const SINGLE_MESSAGE_IDS: Readonly<Partial<Record<Channel, string>>> = {
  state: 'stateSnapshot',
  acks: 'commandAck',
  telemetry: 'telemetry',
};
const VARIANT_PREFIX: Readonly<Partial<Record<Channel, string>>> = {
  status: 'status',
  events: 'event',
  cmd: 'cmd',
};

export function pascal(s: string): string {
  return s
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}

/** One entry per message shape a channel carries: the options of a discriminated union, or the schema itself. */
export function payloadVariants(channel: Channel): PayloadVariant[] {
  const schema = CHANNEL_SCHEMAS[channel];
  if (schema instanceof z.ZodDiscriminatedUnion) {
    const discriminator = schema._zod.def.discriminator;
    const prefix = VARIANT_PREFIX[channel];
    if (!prefix) throw new Error(`gen-asyncapi: no message id prefix for union channel ${channel}`);
    return schema.options.map((option) => {
      const field = (option as unknown as z.ZodObject).shape[discriminator];
      if (!(field instanceof z.ZodLiteral) || field.values.size !== 1) {
        throw new Error(`gen-asyncapi: ${channel}: discriminator ${discriminator} is not a single literal`);
      }
      const value = String(field.value);
      return { messageId: `${prefix}${pascal(value)}`, discriminatorValue: value, schema: option as unknown as z.ZodType };
    });
  }
  const messageId = SINGLE_MESSAGE_IDS[channel];
  if (!messageId) throw new Error(`gen-asyncapi: no message id for channel ${channel}`);
  return [{ messageId, discriminatorValue: null, schema }];
}

export interface ExampleEntry {
  file: string;
  channel: Channel;
  summary: string;
}
export interface InvalidExampleEntry {
  file: string;
  channel: Channel;
  rejectedBy: 'size' | 'json' | 'schema';
  why: string;
}
export interface ExamplesManifest {
  valid: ExampleEntry[];
  invalid: InvalidExampleEntry[];
}

export function readExamplesManifest(): ExamplesManifest {
  return JSON.parse(readFileSync(`${EXAMPLES_DIR}index.json`, 'utf8')) as ExamplesManifest;
}
