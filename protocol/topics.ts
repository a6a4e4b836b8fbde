/**
 * Topic tree of protocol v1. Every device owns exactly the topics under `lg/v1/<deviceId>/`.
 * See protocol/README.md §2 for QoS and retain per channel.
 */
export const PROTOCOL_VERSION = '1.1';
/** Every minor version this gateway and simulator understand (README §9). */
export const PROTOCOL_VERSIONS = ['1.0', '1.1'] as const;
export const TOPIC_ROOT = 'lg/v1';

/** Channels a device publishes on (device → gateway). */
export const UPLINK_CHANNELS = ['status', 'state', 'events', 'acks', 'telemetry'] as const;
/** Channels the gateway publishes on (gateway → device). */
export const DOWNLINK_CHANNELS = ['cmd'] as const;

export type UplinkChannel = (typeof UPLINK_CHANNELS)[number];
export type DownlinkChannel = (typeof DOWNLINK_CHANNELS)[number];
export type Channel = UplinkChannel | DownlinkChannel;

export interface ChannelRules {
  direction: 'up' | 'down';
  qos: 0 | 1;
  retain: boolean;
}

export const CHANNEL_RULES: Readonly<Record<Channel, ChannelRules>> = Object.freeze({
  status: { direction: 'up', qos: 1, retain: true },
  state: { direction: 'up', qos: 1, retain: true },
  events: { direction: 'up', qos: 1, retain: false },
  acks: { direction: 'up', qos: 1, retain: false },
  telemetry: { direction: 'up', qos: 0, retain: false },
  cmd: { direction: 'down', qos: 1, retain: false },
});

/** Device ids are lowercase, topic-safe and short enough for every MQTT client id limit. */
export const DEVICE_ID_PATTERN = /^[a-z0-9][a-z0-9-]{2,22}$/;

export function deviceTopic(deviceId: string, channel: Channel): string {
  return `${TOPIC_ROOT}/${deviceId}/${channel}`;
}

export interface ParsedTopic {
  deviceId: string;
  channel: Channel;
}

const CHANNELS: ReadonlySet<string> = new Set<string>([...UPLINK_CHANNELS, ...DOWNLINK_CHANNELS]);

/** Parses `lg/v1/<deviceId>/<channel>`; anything else (wildcards, extra levels) is null. */
export function parseDeviceTopic(topic: string): ParsedTopic | null {
  const parts = topic.split('/');
  if (parts.length !== 4 || `${parts[0]}/${parts[1]}` !== TOPIC_ROOT) return null;
  const deviceId = parts[2] as string;
  const channel = parts[3] as string;
  if (!DEVICE_ID_PATTERN.test(deviceId) || !CHANNELS.has(channel)) return null;
  return { deviceId, channel: channel as Channel };
}
