/**
 * The local RDS Data API endpoint (infra/local/data-api/) as a process of its own, standing in
 * for the AWS service between the Lambdas and Aurora. Started by bench/processes.ts with an IPC
 * channel: it announces `{id: 0, url}` and answers `reset` / `count` with its call counters.
 */
import { openPostgresPool } from '../functions/db/postgres-pool.js';
import { startDataApiEndpoint } from '../infra/local/data-api/index.js';

type Request = { id: number; type: 'reset' | 'count' };

async function main(): Promise<void> {
  if (!process.send) throw new Error('start this through bench/processes.ts (it needs an IPC channel)');
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) throw new Error('DATABASE_URL is required');
  const backing = await openPostgresPool({ databaseUrl, dataDir: 'unused', maxConnections: Number(process.env.DB_POOL_SIZE ?? 16) });
  const endpoint = await startDataApiEndpoint({ pool: backing.pool, port: 0 });

  process.on('message', (request: Request) => {
    if (request.type === 'reset') {
      endpoint.resetCallCount();
      process.send!({ id: request.id });
    } else if (request.type === 'count') {
      process.send!({ id: request.id, total: endpoint.callCount(), byOperation: endpoint.callsByOperation() });
    }
  });
  const stop = async () => {
    await endpoint.close();
    await backing.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  process.on('disconnect', () => void stop());
  process.send({ id: 0, url: endpoint.url });
}

main().catch((error: unknown) => {
  process.stderr.write(`data-api-endpoint failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
