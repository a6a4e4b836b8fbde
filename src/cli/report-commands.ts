import { parseArgs } from 'node:util';
import { applySeed } from '../app/reports/seed.js';
import type { Config } from '../config.js';
import { LockergateError } from '../domain/errors.js';
import { importVolumesCsv } from './import-volumes.js';
import { offlineContext } from './offline-context.js';
import { defaultSeedsDir, loadSeedFiles } from './seed-files.js';

type Out = (line: string) => void;

export interface CliStreams {
  out: Out;
  err: Out;
  /** A progress line that rewrites itself; only on a terminal. */
  progress?: ((line: string) => void) | undefined;
}

/** `lockergate seed` and `lockergate import volumes`; resolves with the exit code. */
export async function runReportCommand(config: Config, argv: string[], io: CliStreams): Promise<number> {
  const [command, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      dir: { type: 'string' },
      'regions-only': { type: 'boolean', default: false },
      carrier: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  if (command === 'seed') {
    // Validate every file before the store is touched.
    const data = loadSeedFiles(values.dir ?? defaultSeedsDir());
    const { ctx, close } = offlineContext(config);
    try {
      const r = await applySeed(ctx, data, { regionsOnly: values['regions-only'] });
      if (values.json) {
        io.out(JSON.stringify(r));
        return 0;
      }
      io.out(`regions: ${r.regions.created} created, ${r.regions.updated} updated, ${r.regions.unchanged} unchanged`);
      io.out(`targets: ${r.targets.created} created, ${r.targets.updated} updated, ${r.targets.unchanged} unchanged`);
      if (!values['regions-only']) {
        io.out(`carriers: ${r.newCarriers.length} created, ${r.carriersExisting} already there`);
        io.out(`sites: ${r.sites.created} created, ${r.sites.existing} already there`);
        io.out(`lockers: ${r.lockers.created} created, ${r.lockers.existing} already there`);
        for (const c of r.newCarriers) io.out(`api key of ${c.id} (${c.name}): ${c.apiKey}`);
        if (r.newCarriers.length > 0) io.out('(API keys are shown once; only their hashes are stored)');
      }
      return 0;
    } finally {
      await close();
    }
  }
  if (command === 'import' && positionals[0] === 'volumes') {
    const file = positionals[1];
    if (!file) throw new LockergateError('VALIDATION_FAILED', 'usage: lockergate import volumes <file.csv> --carrier <id>');
    if (!values.carrier) throw new LockergateError('VALIDATION_FAILED', '--carrier is required');
    const { ctx, close } = offlineContext(config);
    try {
      const r = await importVolumesCsv(ctx, values.carrier, file, io.progress);
      io.progress?.(''); // clear the progress line before the summary
      for (const e of r.errors) io.err(`line ${e.line}: ${e.message}`);
      io.out(`${r.imported} rows imported (${r.inconsistent} flagged inconsistent), ${r.errors.length} rejected`);
      if (r.errors.length > 0) throw new LockergateError('IMPORT_ROWS_REJECTED', `${r.errors.length} of ${r.imported + r.errors.length} rows were rejected; the others were imported.`);
      return 0;
    } finally {
      await close();
    }
  }
  throw new LockergateError('VALIDATION_FAILED', `unknown command "${argv.join(' ')}"; run "lockergate help"`);
}
