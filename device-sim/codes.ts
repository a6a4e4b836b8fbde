import { offlineCodeHash, type CodeEntryT, type CodeSyncCommandT } from '../protocol/index.js';

export type CodeKindT = CodeEntryT['kind'];

/** One entry of the code set as the controller holds it (README §12.2). */
export interface HeldCode {
  compartment: number;
  kind: CodeKindT;
  expiresAt?: number;
}

export interface CodeMatch {
  h: string;
  entry: HeldCode;
}

interface Staging {
  version: number;
  parts: number;
  received: Map<number, readonly CodeEntryT[]>;
}

/**
 * The controller's offline code set (README §12.2–12.3): hashes → entries, with a version.
 * It lives in flash on real firmware, so the controller keeps one instance across reboots and
 * power cuts. The code key never leaves this object and is never logged.
 */
export class CodeStore {
  private readonly codes = new Map<string, HeldCode>();
  private staging: Staging | null = null;
  /** The version of the set held; 0 = no set yet. */
  version = 0;

  constructor(private readonly codeKey: string) {
    // Fails at construction, not at the first typed code, when the key is malformed.
    offlineCodeHash(codeKey, '0000');
  }

  get count(): number {
    return this.codes.size;
  }

  /** §12.3 delta: false (nothing changed) unless the set held is exactly `fromVersion`. */
  applyDelta(cmd: CodeSyncCommandT): boolean {
    if (cmd.mode !== 'delta' || cmd.fromVersion !== this.version) return false;
    for (const e of cmd.add) this.codes.set(e.h, held(e));
    for (const h of cmd.revoke) this.codes.delete(h);
    this.version = cmd.version;
    return true;
  }

  /**
   * §12.3 full set: stages the part; once every part of the version is staged, the whole set is
   * replaced and true returned. A part of another version (or part count) restarts the staging.
   */
  stageFull(cmd: CodeSyncCommandT): boolean {
    if (cmd.mode !== 'full' || cmd.part === undefined || cmd.parts === undefined) return false;
    if (!this.staging || this.staging.version !== cmd.version || this.staging.parts !== cmd.parts) {
      this.staging = { version: cmd.version, parts: cmd.parts, received: new Map() };
    }
    const staging = this.staging;
    staging.received.set(cmd.part, cmd.add);
    if (staging.received.size < staging.parts) return false;
    this.codes.clear();
    for (const part of staging.received.values()) for (const e of part) this.codes.set(e.h, held(e));
    this.version = staging.version;
    this.staging = null;
    return true;
  }

  /** The entry a typed code names, if it is held and not expired (expired ones are dropped). */
  match(code: string, now: number): CodeMatch | null {
    if (!/^\d{4,10}$/.test(code)) return null;
    const h = offlineCodeHash(this.codeKey, code);
    const entry = this.codes.get(h);
    if (!entry) return null;
    if (entry.expiresAt !== undefined && entry.expiresAt <= now) {
      this.codes.delete(h);
      return null;
    }
    return { h, entry };
  }

  /** A pickup entry is single use (§12.4); household entries stay. The version does not change. */
  used(m: CodeMatch): void {
    if (m.entry.kind === 'pickup') this.codes.delete(m.h);
  }

  has(h: string): boolean {
    return this.codes.has(h);
  }

  /** The hash this controller's key gives a code (tests build code_sync commands with it). */
  hash(code: string): string {
    return offlineCodeHash(this.codeKey, code);
  }
}

function held(e: CodeEntryT): HeldCode {
  return e.expiresAt === undefined ? { compartment: e.compartment, kind: e.kind } : { compartment: e.compartment, kind: e.kind, expiresAt: e.expiresAt };
}
