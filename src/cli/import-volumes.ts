import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import type { AppContext } from '../app/context.js';
import { importVolumeBatch, type ImportResult, type ImportRow } from '../app/reports/volume-reports.js';
import { isIsoDate } from '../domain/calendar.js';
import { LockergateError } from '../domain/errors.js';

const REQUIRED = ['regionCode', 'date', 'deliveredTotal'] as const;
const OPTIONAL = ['deliveredWithin24h', 'deliveredWithin72h'] as const;
const KNOWN: readonly string[] = [...REQUIRED, ...OPTIONAL];
const BATCH = 500;

const count = z.string().regex(/^\d{1,9}$/, 'must be a whole number ≥ 0').transform(Number);
const optionalCount = z.string().regex(/^\d{0,9}$/, 'must be empty or a whole number ≥ 0').transform((s) => (s === '' ? undefined : Number(s)));
const Row = z.object({
  regionCode: z.string().regex(/^\d{6}$/, 'must be a 6-digit region code'),
  date: z.string().refine(isIsoDate, 'must be a date YYYY-MM-DD'),
  deliveredTotal: count,
  deliveredWithin24h: optionalCount.optional(),
  deliveredWithin72h: optionalCount.optional(),
});

const CSV_MESSAGES: Readonly<Record<string, string>> = {
  CSV_INVALID_CLOSING_QUOTE: 'a quoted field goes on after its closing quote',
  CSV_QUOTE_NOT_CLOSED: 'a quote is opened and never closed',
  INVALID_OPENING_QUOTE: 'a quote appears inside an unquoted field',
};

/**
 * Each line is parsed on its own (with csv-parse) so that one malformed line costs that line
 * only: parsing the file as one stream, a quote left open swallows every line after it. The
 * format has no field that could hold a line break, so nothing legitimate is lost.
 */
function parseLine(text: string): string[] {
  try {
    const [fields] = parse(text, { trim: true, relax_column_count: true }) as string[][];
    return fields ?? [];
  } catch (e) {
    const code = (e as { code?: string }).code ?? '';
    throw new Error(`not valid CSV: ${CSV_MESSAGES[code] ?? (e as Error).message}`);
  }
}

function checkHeader(fields: string[]): string[] {
  const unknown = fields.filter((f) => !KNOWN.includes(f));
  const missing = REQUIRED.filter((c) => !fields.includes(c));
  if (unknown.length > 0 || missing.length > 0) {
    const parts = [missing.length ? `missing ${missing.join(', ')}` : '', unknown.length ? `unknown ${unknown.join(', ')}` : ''].filter(Boolean);
    throw new LockergateError('VALIDATION_FAILED', `line 1: the header must name the columns ${KNOWN.join(',')} (${parts.join('; ')}); nothing was imported`);
  }
  return fields;
}

/** Imports a carrier's volume CSV: bad rows are reported by line, good rows go in (batches of 500). */
export async function importVolumesCsv(ctx: AppContext, carrierId: string, file: string, progress?: (line: string) => void): Promise<ImportResult> {
  if (!existsSync(file)) throw new LockergateError('VALIDATION_FAILED', `no such file: ${file}`);
  if (!(await ctx.store.read((tx) => tx.carriers.get(carrierId)))) throw new LockergateError('CARRIER_NOT_FOUND', `No carrier "${carrierId}".`);
  const total: ImportResult = { imported: 0, inconsistent: 0, errors: [] };
  let batch: ImportRow[] = [];
  const flush = async () => {
    const r = await importVolumeBatch(ctx, carrierId, batch);
    total.imported += r.imported;
    total.inconsistent += r.inconsistent;
    total.errors.push(...r.errors);
    batch = [];
    progress?.(`${total.imported} rows imported, ${total.errors.length} rejected …`);
  };
  let header: string[] | undefined;
  let line = 0;
  for await (const raw of createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity })) {
    line++;
    const text = line === 1 ? raw.replace(/^\uFEFF/, '') : raw; // spreadsheet exports often start with a BOM
    if (text.trim() === '') continue;
    try {
      const fields = parseLine(text);
      if (!header) {
        header = checkHeader(fields);
        continue;
      }
      // Trailing optional columns may be left off a row; anything else must line up with the header.
      const droppable = header.slice(fields.length).every((h) => (OPTIONAL as readonly string[]).includes(h));
      if (fields.length > header.length || !droppable) throw new Error(`expected ${header.length} fields, found ${fields.length}`);
      const parsed = Row.safeParse(Object.fromEntries(header.map((h, i) => [h, fields[i] ?? ''])));
      if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; '));
      batch.push({ line, input: parsed.data });
    } catch (e) {
      if (e instanceof LockergateError) throw e;
      total.errors.push({ line, message: (e as Error).message });
    }
    if (batch.length >= BATCH) await flush();
  }
  if (!header) throw new LockergateError('VALIDATION_FAILED', `${file} is empty: expected a header line ${KNOWN.join(',')}`);
  if (batch.length > 0) await flush();
  total.errors.sort((a, b) => a.line - b.line);
  return total;
}
