import type { CommandTransport } from '../../src/app/ports.js';
import type { CommandT } from '../../protocol/schemas/commands.js';

/**
 * The transport is the boundary to the broker, so tests replace it: it records what would have
 * been published and lets a test say which devices are connected.
 */
export class FakeTransport implements CommandTransport {
  readonly connected = new Set<string>();
  readonly sent: Array<{ deviceId: string; command: CommandT }> = [];
  readonly disconnected: string[] = [];

  isConnected(deviceId: string): boolean {
    return this.connected.has(deviceId);
  }

  async send(deviceId: string, command: CommandT): Promise<void> {
    this.sent.push({ deviceId, command });
  }

  disconnect(deviceId: string): void {
    this.disconnected.push(deviceId);
    this.connected.delete(deviceId);
  }

  /** Commands sent with this id, in order (a resend appears again). */
  sentWithId(id: string): CommandT[] {
    return this.sent.filter((s) => s.command.id === id).map((s) => s.command);
  }
}
