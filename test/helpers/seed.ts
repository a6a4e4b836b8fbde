import type { AppContext } from '../../src/app/context.js';
import { applySeed, type SeedResult } from '../../src/app/reports/seed.js';
import { defaultSeedsDir, loadSeedFiles } from '../../src/cli/seed-files.js';

/** Loads seeds/ (validated as the CLI does) into a running test gateway or harness. */
export async function seedJilin(target: { ctx: AppContext }, opts: { regionsOnly?: boolean } = { regionsOnly: true }): Promise<SeedResult> {
  return applySeed(target.ctx, loadSeedFiles(defaultSeedsDir()), opts);
}
