/**
 * The same suite as ../sleepy.test.ts, with every controller of the rig speaking MQTT through
 * mqtt-packet over a raw TCP socket (RawSession, the mass mode) instead of mqtt.js.
 */
process.env['SIM_SESSION'] = 'raw';
await import('../sleepy.test.js');
