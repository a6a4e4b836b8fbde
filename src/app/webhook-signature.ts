import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures, Stripe style (docs/notifications.md):
 * `lockergate-signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`.
 * The timestamp is inside the MAC so a captured request cannot be replayed later than the
 * receiver's tolerance; the raw body (not re-serialised JSON) is what is signed.
 */
export const SIGNATURE_HEADER = 'lockergate-signature';

export function sign(secret: string, rawBody: string, timestampS: number): string {
  return `t=${timestampS},v1=${mac(secret, timestampS, rawBody)}`;
}

/**
 * For receivers: true when one `v1` of the header matches and `t` is within `toleranceS` of
 * `nowS`. Several `v1` entries are accepted so a sender can sign with an old and a new secret
 * while a secret is rotated.
 */
export function verifySignature(secret: string, header: string, rawBody: string, toleranceS: number, nowS: number): boolean {
  let t: number | undefined;
  const candidates: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't' && /^\d+$/.test(value)) t = Number(value);
    else if (key === 'v1' && /^[0-9a-f]{64}$/.test(value)) candidates.push(value);
  }
  if (t === undefined || candidates.length === 0 || Math.abs(nowS - t) > toleranceS) return false;
  const expected = Buffer.from(mac(secret, t, rawBody), 'hex');
  // Check every candidate (no early exit) so timing reveals nothing about which one matched.
  let ok = false;
  for (const c of candidates) ok = timingSafeEqual(expected, Buffer.from(c, 'hex')) || ok;
  return ok;
}

function mac(secret: string, timestampS: number, rawBody: string): string {
  return createHmac('sha256', secret).update(`${timestampS}.${rawBody}`, 'utf8').digest('hex');
}
