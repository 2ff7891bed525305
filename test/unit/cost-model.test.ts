import { describe, expect, it } from 'vitest';
import { PRICES } from '../../bench/aws-prices.js';
import { costModel, mixInputs, tracesPerSecond } from '../../bench/cost-model.js';
import type { ScenarioResult } from '../../bench/report.js';

/** A measured scenario of the pg path at c=16 with round figures, so the model's arithmetic can be checked by hand. */
function scenario(name: string, usPerRequest: number, postgresPercent: number, rps: number): ScenarioResult {
  return {
    name,
    path: 'pg',
    concurrency: 16,
    rps,
    p50_ms: 1,
    p95_ms: 2,
    p99_ms: 3,
    errors: 0,
    ratio_to_raw: 0.5,
    requests: rps * 5,
    cpu: { postgres: postgresPercent, other: 0, machine: 100, us_per_request: usPerRequest },
  };
}

// Every scenario of the mix: 500 µs of handler CPU, and PostgreSQL at 50 % of a core over 1,000 req/s = 500 µs per request.
const report = {
  scenarios: ['get by id', 'get by email', 'list by tag (page 1)', 'create', 'qualify'].map((name) => scenario(name, 500, 50, 1_000)),
  data_api_calls: {
    'GET /customers/{id}': 1,
    'GET /customers/email/{email}': 1,
    'GET /customers': 1,
    'POST /customers': 2,
    'PUT /customers/{id}': 2,
    'POST /customers/{id}/qualify': 2,
  },
};

describe('cost model', () => {
  it('takes the mix inputs from the measured scenarios and call counts', () => {
    const inputs = mixInputs(report);
    expect(inputs.handlerUs).toBeCloseTo(500);
    expect(inputs.postgresUs).toBeCloseTo(500);
    expect(inputs.calls).toBeCloseTo(1.2); // 80 % reads at 1 call, 20 % writes at 2
    expect(inputs.writes).toBeCloseTo(0.2);
  });

  it("counts X-Ray traces as Lambda samples them: each API function's first request a second, then 5 %", () => {
    expect(tracesPerSecond(0.5, 0.2)).toBeCloseTo(0.5); // below both reservoirs, everything is traced
    // reads 800/s: 1 + 0.05 × 799; writes 200/s: 1 + 0.05 × 199
    expect(tracesPerSecond(1_000, 0.2)).toBeCloseTo(1 + 39.95 + 1 + 9.95);
  });

  it('prices each part from the list prices and the measured inputs', () => {
    const [, , , atThousand] = costModel(report);
    const million = atThousand!.requestsPerMonth / 1e6;
    expect(atThousand!.rps).toBe(1_000);
    expect(atThousand!.monthly.apiGateway).toBeCloseTo(million * PRICES.apiGatewayHttpPerMillion);
    expect(atThousand!.monthly.dataApi).toBeCloseTo(million * 1.2 * PRICES.dataApiPerMillion);
    expect(atThousand!.monthly.eventBridge).toBeCloseTo(million * 0.2 * PRICES.eventBridgePerMillion);
    const traces = tracesPerSecond(1_000, 0.2) * (atThousand!.requestsPerMonth / 1_000);
    expect(atThousand!.monthly.xray).toBeCloseTo(((traces - PRICES.xrayFreeTraces) / 1e6) * PRICES.xrayPerMillionTraces);
    // 1,000 req/s × 500 µs = half a core of PostgreSQL; at 50 % utilisation of 0.25 vCPU per ACU that is 4 ACU.
    expect(atThousand!.acu).toBeCloseTo(4);
    const parts = Object.entries(atThousand!.monthly).filter(([part]) => part !== 'total');
    expect(atThousand!.monthly.total).toBeCloseTo(parts.reduce((sum, [, usd]) => sum + usd, 0));
  });

  it('keeps Aurora at its floor while the load is small', () => {
    const [atOne] = costModel(report);
    expect(atOne!.acu).toBe(0.5);
  });
});
