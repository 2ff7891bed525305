import autocannon from 'autocannon';
import { round1, Samples } from './stats.js';

/** One HTTP request of a scenario (path includes the query string). */
export interface HttpRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly path: string;
  readonly body?: unknown;
}

export interface LoadOptions {
  /** Base URL of the server, e.g. http://127.0.0.1:8081 */
  readonly url: string;
  readonly token: string;
  readonly connections: number;
  readonly seconds: number;
  /** The next request to send; called once per request, from every connection. */
  readonly next: () => HttpRequest;
}

export interface LoadResult {
  readonly requests: number;
  readonly seconds: number;
  readonly rps: number;
  readonly p50_ms: number;
  readonly p95_ms: number;
  readonly p99_ms: number;
  /** Connection errors and timeouts + every response that is not 2xx. */
  readonly errors: number;
  readonly statuses: Record<string, number>;
  /** The first few non-2xx responses, to explain errors. */
  readonly errorSamples: readonly string[];
}

/**
 * Drives the server with autocannon (keep-alive connections, no pipelining) for a fixed time.
 * Latency percentiles come from every response's time as autocannon measured it.
 */
export function runLoad(options: LoadOptions): Promise<LoadResult> {
  const samples = new Samples();
  const errorSamples: string[] = [];
  const authorization = `Bearer ${options.token}`;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        connections: options.connections,
        pipelining: 1,
        duration: options.seconds,
        timeout: 10,
        requests: [
          {
            // A fresh headers object every time: autocannon writes Content-Length into it.
            setupRequest: (): autocannon.RequestParams => {
              const request = options.next();
              if (request.body === undefined) return { method: request.method, path: request.path, headers: { authorization } };
              return {
                method: request.method,
                path: request.path,
                headers: { authorization, 'content-type': 'application/json' },
                body: JSON.stringify(request.body),
              };
            },
            onResponse: (status, body) => {
              if ((status < 200 || status >= 300) && errorSamples.length < 5) errorSamples.push(`${status} ${body.slice(0, 400)}`);
            },
          },
        ],
      },
      (error, result) => {
        if (error) return reject(error);
        const statuses = Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, count]));
        resolve({
          requests: samples.count,
          seconds: result.duration,
          rps: round1(samples.count / result.duration),
          ...samples.percentiles(),
          errors: result.errors + result.non2xx + result.mismatches,
          statuses,
          errorSamples,
        });
      },
    );
    instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => samples.add(responseTime));
  });
}
