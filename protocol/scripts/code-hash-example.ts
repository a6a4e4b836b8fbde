/**
 * Prints the worked example of README §12.1 (a code key, a code, its hash), so the numbers in
 * the spec are computed, not typed:
 *
 *     npx tsx protocol/scripts/code-hash-example.ts [codeKeyHex code]
 *
 * test/protocol/code-hash.test.ts checks that the README shows exactly these values.
 */
import { createHash } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { offlineCodeHash } from '../code-hash.js';

/** The example key: SHA-256 of a fixed phrase, so anyone can recompute it (never a real key). */
export const EXAMPLE_CODE_KEY = createHash('sha256').update('lockergate protocol 1.1 example code key').digest('hex');
export const EXAMPLE_CODE = '482913';

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [key = EXAMPLE_CODE_KEY, code = EXAMPLE_CODE] = process.argv.slice(2);
  console.log(`codeKey ${key}\ncode    ${code}\nh       ${offlineCodeHash(key, code)}`);
}
