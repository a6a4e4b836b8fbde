import type { SizeClass } from '../domain/locker.js';
import type { RecipientMessage } from './notifications.js';

/**
 * The human text of a recipient message, Simplified Chinese first, then English. Times are
 * shown in China Standard Time (UTC+8, no daylight saving), where the lockers stand.
 * The `【lockergate】` prefix is the sender signature Chinese SMS gateways require.
 */
export function recipientText(m: RecipientMessage): string {
  switch (m.kind) {
    case 'pickup_code': {
      const until = chinaTime(m.holdUntil);
      return (
        `【lockergate】您的包裹已存入${m.lockerName}${zhPlace(m.address)}${SIZE_ZH[m.compartmentSize]}，取件码 ${m.code}，请于 ${until} 前取件。` +
        ` / Your parcel is in locker ${m.lockerName}${enPlace(m.address)}, ${m.compartmentSize} compartment. Pickup code ${m.code}; please collect it before ${until} (UTC+8).`
      );
    }
    case 'reminder': {
      const until = chinaTime(m.holdUntil);
      return (
        `【lockergate】提醒：您在${m.lockerName}${zhPlace(m.address)}的包裹将于 ${until} 到期，请尽快取件。` +
        ` / Reminder: your parcel in locker ${m.lockerName}${enPlace(m.address)} is held until ${until} (UTC+8). Please collect it soon.`
      );
    }
    case 'code_revoked':
      return (
        `【lockergate】您的包裹 ${m.parcelId} 的取件码已失效，如有疑问请联系快递员。` +
        ` / The pickup code for your parcel ${m.parcelId} is no longer valid. Please contact your courier with any questions.`
      );
  }
}

const SIZE_ZH: Readonly<Record<SizeClass, string>> = { XS: '超小格', S: '小格', M: '中格', L: '大格', XL: '超大格' };

const UTC8_MS = 8 * 3_600_000;

/** `2026-11-30 10:00` in UTC+8. */
export function chinaTime(ms: number): string {
  return new Date(ms + UTC8_MS).toISOString().slice(0, 16).replace('T', ' ');
}

/** The site address in brackets, or nothing when the site has none. */
function zhPlace(address: string): string {
  return address ? `（${address}）` : '';
}
function enPlace(address: string): string {
  return address ? ` (${address})` : '';
}
