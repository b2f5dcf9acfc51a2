import http from 'node:http';

/** What one load run measured. Latencies in milliseconds. */
export interface LoadResult {
  requests: number;
  errors: number;
  non2xx: number;
  durationSeconds: number;
  requestsPerSecond: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface LoadOptions {
  url: string;
  /** GET unless told; a body is sent as JSON. */
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Requests in flight at all times. */
  concurrency: number;
  durationMs: number;
  /** Requests sent (and not measured) before the run, to warm caches and connections. */
  warmupRequests?: number;
}

/**
 * A small fixed-concurrency HTTP load generator (autocannon's model: N connections, each
 * sending its next request as soon as the previous answer is read), over keep-alive
 * connections. Bounded in time; only ever aimed at a local server.
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const target = new URL(options.url);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(target.hostname)) throw new Error('load runs only against a local server');
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  const headers = payload === undefined ? options.headers : { ...options.headers, 'content-type': 'application/json' };
  const once = () => new Promise<number>((resolve, reject) => {
    const request = http.request(target, { agent, method: options.method ?? 'GET', headers }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(payload);
  });
  for (let i = 0; i < (options.warmupRequests ?? options.concurrency * 20); i++) await once().catch(() => 0);

  const latencies: number[] = [];
  let errors = 0;
  let non2xx = 0;
  const started = performance.now();
  const deadline = started + options.durationMs;
  const connection = async () => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      try {
        const status = await once();
        if (status < 200 || status >= 300) non2xx++;
        latencies.push(performance.now() - t0);
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, connection));
  const durationSeconds = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN);
  return {
    requests: latencies.length, errors, non2xx, durationSeconds: round(durationSeconds),
    requestsPerSecond: round(latencies.length / durationSeconds), p50: at(0.5), p90: at(0.9), p99: at(0.99), max: round(latencies[latencies.length - 1] ?? NaN),
  };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
