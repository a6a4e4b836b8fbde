import type { WebhookPoster } from '../../app/notification-ports.js';

/** A POST that got no HTTP response; `code` is what the outbox records as the attempt's error. */
export class WebhookPostError extends Error {
  constructor(readonly code: string) {
    super(`webhook POST failed: ${code}`);
    this.name = 'WebhookPostError';
  }
}

/**
 * WebhookPoster over Node's global fetch. Redirects are not followed: a receiver that moved
 * must be re-registered, and a redirect must not carry a signed body to some other host. The
 * response body is never read, only its status.
 */
export class FetchPoster implements WebhookPoster {
  async post(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<{ status: number }> {
    const target = httpUrl(url);
    let res: Response;
    try {
      res = await fetch(target, { method: 'POST', body, headers, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      throw new WebhookPostError(failureCode(err));
    }
    // Discard the body so the keep-alive socket is freed at once.
    await res.body?.cancel().catch(() => undefined);
    return { status: res.status };
  }
}

function httpUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new WebhookPostError('INVALID_URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new WebhookPostError('UNSUPPORTED_PROTOCOL');
  return parsed;
}

/** undici reports the socket error as `cause` (`ECONNREFUSED`, `ENOTFOUND`, …); a timeout as a TimeoutError. */
function failureCode(err: unknown): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) return 'TIMEOUT';
  const cause = err instanceof Error ? err.cause : undefined;
  if (typeof cause === 'object' && cause !== null) {
    const { code } = cause as { code?: unknown };
    if (typeof code === 'string' && code !== '') return code;
    if (cause instanceof AggregateError) {
      const first: unknown = cause.errors[0];
      const inner = typeof first === 'object' && first !== null ? (first as { code?: unknown }).code : undefined;
      if (typeof inner === 'string') return inner;
    }
  }
  return 'FETCH_FAILED';
}
