import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/**
 * The page's own files sit next to the HTTP adapter: src/adapters/http/dashboard-assets when the
 * TS sources run (tests, tsx), dist/src/adapters/http/dashboard-assets after `npm run build`
 * (the build copies them). Same relative path from this module in both trees.
 */
export const ASSETS_DIR = fileURLToPath(new URL('../../dashboard-assets/', import.meta.url));

/**
 * Third-party browser files served from node_modules, never from a CDN: operators may be offline.
 * chart.js does not export its UMD build, so resolve the package entry and take its sibling.
 */
const require = createRequire(import.meta.url);
export const VENDOR_FILES: Readonly<Record<string, string>> = {
  'chart.umd.min.js': join(dirname(require.resolve('chart.js')), 'chart.umd.min.js'),
};

function load(path: string): Asset {
  const body = readFileSync(path);
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
  return { body, type: TYPES[extname(path)] ?? 'application/octet-stream', etag };
}

/**
 * Reads every asset once at registration: a fixed set of names, so a request path is a map
 * lookup and can never reach outside these files.
 */
export function loadAssets(): { own: Map<string, Asset>; vendor: Map<string, Asset> } {
  const own = new Map<string, Asset>();
  for (const name of readdirSync(ASSETS_DIR)) {
    if (TYPES[extname(name)]) own.set(name, load(join(ASSETS_DIR, name)));
  }
  const vendor = new Map<string, Asset>();
  for (const [name, path] of Object.entries(VENDOR_FILES)) vendor.set(name, load(path));
  return { own, vendor };
}
