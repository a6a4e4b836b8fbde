/**
 * The example payloads in protocol/examples/ (and the JSON shown in protocol/README.md) are
 * part of the protocol: valid ones must pass exactly what the gateway checks, invalid ones must
 * be rejected by the check the manifest names.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  CHANNEL_RULES,
  CHANNEL_SCHEMAS,
  MAX_PAYLOAD_BYTES,
  StateSnapshot,
  parseDeviceTopic,
  type Channel,
} from '../../protocol/index.js';

const PROTOCOL_DIR = fileURLToPath(new URL('../../protocol/', import.meta.url));
const EXAMPLES_DIR = `${PROTOCOL_DIR}examples/`;
const CHANNELS = Object.keys(CHANNEL_RULES) as Channel[];

type Check = 'size' | 'json' | 'schema';
interface ValidEntry {
  file: string;
  channel: Channel;
  summary: string;
}
interface InvalidEntry {
  file: string;
  channel: Channel;
  rejectedBy: Check;
  why: string;
}
const manifest = JSON.parse(readFileSync(`${EXAMPLES_DIR}index.json`, 'utf8')) as {
  valid: ValidEntry[];
  invalid: InvalidEntry[];
};

type Verdict = { ok: true; value: unknown } | { ok: false; rejectedBy: Check; detail: string };

/** What the gateway does with a payload on a channel (README §8, checks 2–4). */
function judge(channel: Channel, bytes: Buffer): Verdict {
  if (bytes.byteLength > MAX_PAYLOAD_BYTES) {
    return { ok: false, rejectedBy: 'size', detail: `${bytes.byteLength} > ${MAX_PAYLOAD_BYTES} bytes` };
  }
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (e) {
    return { ok: false, rejectedBy: 'json', detail: (e as Error).message };
  }
  const parsed = CHANNEL_SCHEMAS[channel].safeParse(json);
  if (!parsed.success) return { ok: false, rejectedBy: 'schema', detail: z.prettifyError(parsed.error) };
  return { ok: true, value: parsed.data };
}

function read(file: string): Buffer {
  return readFileSync(`${EXAMPLES_DIR}${file}`);
}

/** The options of a discriminated union channel schema, or the schema itself. */
function variants(channel: Channel): z.ZodType[] {
  const schema = CHANNEL_SCHEMAS[channel];
  return schema instanceof z.ZodDiscriminatedUnion ? (schema.options as unknown as z.ZodType[]) : [schema];
}

describe('protocol/examples manifest', () => {
  it('lists every file in examples/ and examples/invalid/ exactly once, and nothing else', () => {
    const onDisk = [
      ...readdirSync(EXAMPLES_DIR).filter((f) => f !== 'index.json' && statSync(`${EXAMPLES_DIR}${f}`).isFile()),
      ...readdirSync(`${EXAMPLES_DIR}invalid`).map((f) => `invalid/${f}`),
    ].sort();
    const listed = [...manifest.valid, ...manifest.invalid].map((e) => e.file);
    expect(new Set(listed).size, 'a file is listed twice').toBe(listed.length);
    expect([...listed].sort()).toEqual(onDisk);
  });

  it('names a known channel for every file, keeps valid examples at the top level and invalid ones under invalid/', () => {
    for (const e of [...manifest.valid, ...manifest.invalid]) expect(CHANNELS, e.file).toContain(e.channel);
    for (const e of manifest.valid) expect(e.file, e.file).toMatch(/^[a-z0-9-]+\.json$/);
    for (const e of manifest.invalid) {
      expect(e.file, e.file).toMatch(/^invalid\/[a-z0-9-]+\.(json|txt)$/);
      expect(['size', 'json', 'schema'], e.file).toContain(e.rejectedBy);
      expect(e.why.length, `${e.file}: say why it is invalid`).toBeGreaterThan(10);
    }
  });
});

describe('valid examples', () => {
  it.each(manifest.valid.map((e) => [e.file, e] as const))('%s parses with CHANNEL_SCHEMAS[channel]', (_file, e) => {
    const bytes = read(e.file);
    const verdict = judge(e.channel, bytes);
    if (!verdict.ok) expect.fail(`${e.file} on ${e.channel}: rejected by ${verdict.rejectedBy}: ${verdict.detail}`);
    // Nothing is stripped, defaulted or transformed: what the device sends is what the gateway sees.
    expect(verdict.value).toEqual(JSON.parse(bytes.toString('utf8')));
  });

  it('covers every channel', () => {
    for (const channel of CHANNELS) {
      expect(manifest.valid.some((e) => e.channel === channel), `no example for channel ${channel}`).toBe(true);
    }
  });

  it('covers every message shape of every channel (each event type, command type, status state)', () => {
    for (const channel of CHANNELS) {
      const examples = manifest.valid.filter((e) => e.channel === channel).map((e) => JSON.parse(read(e.file).toString('utf8')) as unknown);
      variants(channel).forEach((variant, i) => {
        expect(examples.some((x) => variant.safeParse(x).success), `${channel}: no example for variant #${i}`).toBe(true);
      });
    }
  });

  it('has both an accepted and a rejected ack, and door events with and without commandId', () => {
    const payloads = manifest.valid.map((e) => ({ channel: e.channel, p: JSON.parse(read(e.file).toString('utf8')) as Record<string, unknown> }));
    const acks = payloads.filter((x) => x.channel === 'acks').map((x) => x.p);
    expect(acks.some((a) => a['status'] === 'accepted')).toBe(true);
    expect(acks.some((a) => a['status'] === 'rejected')).toBe(true);
    const doors = payloads.filter((x) => x.channel === 'events' && x.p['type'] === 'door').map((x) => x.p);
    expect(doors.some((d) => d['door'] === 'open' && 'commandId' in d)).toBe(true);
    expect(doors.some((d) => d['door'] === 'open' && !('commandId' in d))).toBe(true);
    expect(doors.some((d) => d['door'] === 'closed')).toBe(true);
  });

  it('the examples named in the task brief exist', () => {
    const required = [
      'status-online.json', 'status-offline.json', 'state.json', 'event-door-open.json', 'event-door-closed.json',
      'event-occupancy.json', 'event-open-result.json', 'event-keypad.json', 'event-fault.json', 'ack-accepted.json',
      'ack-rejected.json', 'telemetry.json', 'cmd-open.json', 'cmd-ping.json', 'cmd-reboot.json', 'cmd-keypad-reply.json',
    ];
    const files = manifest.valid.map((e) => e.file);
    for (const f of required) expect(files).toContain(f);
  });
});

describe('invalid examples', () => {
  it.each(manifest.invalid.map((e) => [e.file, e] as const))('%s is rejected', (_file, e) => {
    const verdict = judge(e.channel, read(e.file));
    if (verdict.ok) expect.fail(`${e.file} was accepted on ${e.channel}, but it must be rejected: ${e.why}`);
    expect(verdict.rejectedBy, `${e.file}: ${verdict.detail}`).toBe(e.rejectedBy);
  });

  it('include at least one payload for every kind of rejection', () => {
    for (const check of ['size', 'json', 'schema'] as const) {
      expect(manifest.invalid.some((e) => e.rejectedBy === check), check).toBe(true);
    }
  });
});

describe('README', () => {
  const readme = readFileSync(`${PROTOCOL_DIR}README.md`, 'utf8');

  it('every ```json block is marked with its channel and validates', () => {
    const blocks = [...readme.matchAll(/(?:<!-- example: (\w+) -->\n)?```json\n([\s\S]*?)\n```/g)];
    expect(blocks.length).toBeGreaterThan(10);
    for (const [, channel, body] of blocks) {
      expect(channel, `unmarked json block: ${body?.slice(0, 60)}`).toBeDefined();
      expect(CHANNELS).toContain(channel);
      const verdict = judge(channel as Channel, Buffer.from(body as string, 'utf8'));
      if (!verdict.ok) expect.fail(`README json block on ${channel} rejected (${verdict.rejectedBy}): ${verdict.detail}\n${body}`);
    }
  });

  it('every mosquitto_pub payload of the worked example validates on the topic it is published to', () => {
    const commands = readme.split('\n').filter((l) => l.startsWith('mosquitto_pub '));
    expect(commands.length).toBeGreaterThanOrEqual(8);
    for (const cmd of commands) {
      const topic = /-t '([^']+)'/.exec(cmd)?.[1];
      const payload = /-m '([^']+)'/.exec(cmd)?.[1];
      const parsed = topic === undefined ? null : parseDeviceTopic(topic);
      expect(parsed, cmd).not.toBeNull();
      expect(payload, cmd).toBeDefined();
      const { channel } = parsed!;
      expect(CHANNEL_RULES[channel].direction, cmd).toBe('up');
      expect(cmd, 'QoS flag').toContain(`-q ${CHANNEL_RULES[channel].qos}`);
      expect(/ -r( |$)/.test(cmd), `retain flag on ${channel}`).toBe(CHANNEL_RULES[channel].retain);
      const verdict = judge(channel, Buffer.from(payload!, 'utf8'));
      if (!verdict.ok) expect.fail(`${cmd}\nrejected (${verdict.rejectedBy}): ${verdict.detail}`);
    }
  });

  it('the worked example uses one boot and consecutive seqs starting at 1', () => {
    const seqs = readme
      .split('\n')
      .filter((l) => l.startsWith('mosquitto_pub '))
      .map((l) => JSON.parse(/-m '([^']+)'/.exec(l)![1]!) as { bootId: string; seq: number });
    expect(new Set(seqs.map((s) => s.bootId)).size).toBe(1);
    expect(seqs.map((s) => s.seq)).toEqual(seqs.map((_, i) => i + 1));
  });

  it('the gateway output lines shown (topic payload) validate', () => {
    const lines = readme.split('\n').filter((l) => /^lg\/v1\/\S+ \{/.test(l));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      const [topic, ...rest] = line.split(' ');
      const parsed = parseDeviceTopic(topic!);
      expect(parsed, line).not.toBeNull();
      const verdict = judge(parsed!.channel, Buffer.from(rest.join(' '), 'utf8'));
      if (!verdict.ok) expect.fail(`${line}\nrejected (${verdict.rejectedBy}): ${verdict.detail}`);
    }
  });

  it('its claim holds: a 300-compartment snapshot in the widest encoding fits in MAX_PAYLOAD_BYTES', () => {
    const widest = {
      bootId: 'x'.repeat(32),
      seq: Number.MAX_SAFE_INTEGER,
      ts: 8_640_000_000_000_000,
      compartments: Array.from({ length: 300 }, () => ({ index: 999, door: 'unknown', occupancy: 'present' })),
    };
    expect(StateSnapshot.safeParse(widest).success).toBe(true);
    expect(Buffer.byteLength(JSON.stringify(widest))).toBeLessThanOrEqual(MAX_PAYLOAD_BYTES);
  });
});
