import http from 'node:http';
import https from 'node:https';

/** An error answer of the gateway: `{"error":{"code","message"}}` (docs/errors.md). */
export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export interface ApiResponse<T> {
  status: number;
  body: T;
}

/**
 * A small JSON client on node:http with a bounded keep-alive pool: a simulator worker holding
 * 5,000 MQTT sockets must not open hundreds of HTTP sockets on top (per-process file limit).
 */
export class HttpClient {
  private readonly agent: http.Agent;
  private readonly base: URL;
  /** Requests answered, by outcome, for the run's report. */
  readonly counts = { requests: 0, errors: 0, transportErrors: 0 };

  constructor(baseUrl: string, maxSockets = 16) {
    this.base = new URL(baseUrl);
    const Agent = this.base.protocol === 'https:' ? https.Agent : http.Agent;
    this.agent = new Agent({ keepAlive: true, maxSockets });
  }

  async request<T>(method: string, path: string, opts: { token?: string; body?: unknown; headers?: Record<string, string>; timeoutMs?: number } = {}): Promise<ApiResponse<T>> {
    const url = new URL(path, this.base);
    const payload = opts.body === undefined ? undefined : Buffer.from(JSON.stringify(opts.body));
    const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
    if (opts.token) headers['authorization'] = `Bearer ${opts.token}`;
    if (payload) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(payload.length);
    }
    this.counts.requests += 1;
    const { status, text } = await this.send(method, url, headers, payload, opts.timeoutMs ?? 30_000);
    let body: unknown = text;
    if (text.length > 0 && text.startsWith('{')) {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    if (status >= 400) {
      this.counts.errors += 1;
      const error = (body as { error?: { code?: string; message?: string; details?: unknown } }).error;
      throw new ApiError(status, error?.code ?? `HTTP_${status}`, error?.message ?? text.slice(0, 200), error?.details);
    }
    return { status, body: body as T };
  }

  /** Raw text of a GET (e.g. /metrics). */
  async text(path: string): Promise<string> {
    const { text, status } = await this.send('GET', new URL(path, this.base), {}, undefined, 30_000);
    if (status >= 400) throw new ApiError(status, `HTTP_${status}`, text.slice(0, 200));
    return text;
  }

  close(): void {
    this.agent.destroy();
  }

  private send(method: string, url: URL, headers: Record<string, string>, payload: Buffer | undefined, timeoutMs: number): Promise<{ status: number; text: string }> {
    const lib = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = lib.request(url, { method, headers, agent: this.agent, timeout: timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${url.pathname} timed out after ${timeoutMs} ms`)));
      req.on('error', (err) => {
        this.counts.transportErrors += 1;
        reject(err);
      });
      req.end(payload);
    });
  }
}
