/**
 * ../commands.test.ts against the real gateway with the mass-mode controller (mqtt-packet over
 * a raw socket): delivery after reconnect, dedup of a command delivered twice, expiry of stale
 * commands, forced doors and doors left open, maintenance opens and jams.
 */
process.env['SIM_SESSION'] = 'raw';
await import('../commands.test.js');
