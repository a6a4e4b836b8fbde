import type { FastifyReply, FastifyRequest } from 'fastify';

export type Cell = string | number | null;

/** RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled. */
function field(v: Cell): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/**
 * CSV with CRLF line ends and a UTF-8 byte order mark: without the BOM, Excel and WPS (what
 * operators open these with) read the Chinese region names as mojibake.
 */
export function toCsv(header: readonly string[], rows: ReadonlyArray<readonly Cell[]>): string {
  return `\uFEFF${[header, ...rows].map((r) => r.map(field).join(',')).join('\r\n')}\r\n`;
}

/** CSV when the client asks for it: `Accept: text/csv`, or `?format=csv` for a plain download link. */
export function wantsCsv(request: FastifyRequest, format: string | undefined): boolean {
  return format === 'csv' || (format === undefined && (request.headers.accept ?? '').includes('text/csv'));
}

export function sendCsv(reply: FastifyReply, filename: string, csv: string): FastifyReply {
  return reply
    .header('content-type', 'text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${filename}"`)
    .send(csv);
}
