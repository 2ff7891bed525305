import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { requestCpuBreakdown } from '../../bench/request-cpu.js';

const dir = mkdtempSync(join(tmpdir(), 'request-cpu-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const frame = (id: number, functionName: string, url: string, children: number[] = []) => ({
  id,
  callFrame: { functionName, url, scriptId: '0', lineNumber: 0, columnNumber: 0 },
  children,
});

/**
 * A profile shaped like the server's: one tree, each leaf sampled for a known time (µs).
 * Leaves: 2 native JSON.stringify under our route handler, 3 pg's parser, 4 writev under Node's
 * socket code, 5 Node's HTTP parser alone, 6 the local server, 7 GC, 8 idle, 10 module loading
 * (start-up, to be left out), 12 kysely, 13 an HMAC in Node's crypto called by our code.
 */
function writeProfile(samples: [leaf: number, us: number][]): string {
  const nodes = [
    frame(1, '(root)', '', [20, 3, 21, 5, 6, 7, 8, 9, 12]),
    frame(20, 'handle', 'file:///app/functions/http/route-group-handler.ts', [2, 13]),
    frame(2, 'stringify', ''),
    frame(13, 'Hmac', 'node:internal/crypto/hash'),
    frame(3, 'parse', 'file:///app/node_modules/pg-protocol/dist/parser.js'),
    frame(21, 'writevGeneric', 'node:internal/stream_base_commons', [4]),
    frame(4, 'writev', ''),
    frame(5, 'parserOnIncoming', 'node:_http_server'),
    frame(6, 'respond', 'file:///app/infra/local/local-server.ts'),
    frame(7, '(garbage collector)', ''),
    frame(8, '(idle)', ''),
    frame(9, 'import', 'node:internal/modules/esm/loader', [10]),
    frame(10, 'compile', 'file:///app/functions/routes.ts'),
    frame(12, 'compileQuery', 'file:///app/node_modules/kysely/dist/esm/query-compiler/default-query-compiler.js'),
  ];
  const file = join(dir, `${samples.length}-${Math.random()}.cpuprofile`);
  // V8 records the time before each sample: timeDeltas[i + 1] is how long sample i lasted.
  writeFileSync(
    file,
    JSON.stringify({
      nodes,
      startTime: 0,
      endTime: samples.reduce((sum, [, us]) => sum + us, 0),
      samples: samples.map(([leaf]) => leaf),
      timeDeltas: [0, ...samples.map(([, us]) => us)],
    }),
  );
  return file;
}

describe('request CPU breakdown', () => {
  it("splits each request's time by layer, natives and Node functions going to their caller", () => {
    const file = writeProfile([
      [2, 300], // JSON.stringify called by the handler
      [13, 100], // an HMAC the handler asked Node for
      [12, 200], // kysely
      [3, 400], // pg
      [4, 500], // socket write
      [5, 150], // Node's HTTP parser
      [6, 250], // local server
      [7, 50], // GC
      [8, 10_000], // idle: not counted
      [10, 7_000], // module loading at start-up: not counted
    ]);
    const breakdown = requestCpuBreakdown(file, 'create', 16, 10);
    expect(breakdown.us_per_request).toEqual({
      'handler (runs on Lambda)': 60,
      'pg driver': 40,
      'node: HTTP, sockets, streams': 15,
      'socket writes (kernel)': 50,
      'local stand-ins (API Gateway event, JWT, event bus)': 25,
      'garbage collector': 5,
      other: 0,
    });
    expect(breakdown.total_us_per_request).toBe(195);
    expect(breakdown).toMatchObject({ scenario: 'create', concurrency: 16, requests: 10, cpu_share_of_profile: 1 });
  });

  it("splits a CPU time measured apart in the profile's proportions (preempted time out, the profiler's own cost out)", () => {
    const file = writeProfile([
      [2, 600], // handler
      [4, 400], // socket write
      [10, 5_000], // start-up: neither counted nor scaled
    ]);
    const breakdown = requestCpuBreakdown(file, 'get by id', 16, 2, 500);
    expect(breakdown.cpu_share_of_profile).toBe(0.5);
    expect(breakdown.us_per_request['handler (runs on Lambda)']).toBe(150);
    expect(breakdown.us_per_request['socket writes (kernel)']).toBe(100);
    expect(breakdown.total_us_per_request).toBe(250);
    // A CPU time larger than the samples (the profile missed time) is split the same way.
    expect(requestCpuBreakdown(file, 'get by id', 16, 2, 2_000).us_per_request['handler (runs on Lambda)']).toBe(600);
  });
});
