import pg from 'pg';
import { lockDataDir } from './data-dir-lock.js';
import { preparesReusablePlans } from './reusable-plans.js';

/** A pg-compatible pool and the way to release everything behind it. */
export interface PostgresPool {
  readonly pool: pg.Pool;
  readonly kind: 'postgres' | 'pglite';
  close(): Promise<void>;
}

export interface PostgresPoolOptions {
  /** A PostgreSQL server; when absent the embedded PGlite under `dataDir` is used. */
  readonly databaseUrl?: string | undefined;
  /** Folder of the embedded database, or `memory://` for a throwaway one. */
  readonly dataDir: string;
  readonly maxConnections?: number;
}

/**
 * Opens a pg.Pool on a PostgreSQL server or on an embedded PGlite.
 * PGlite is reached through its node-postgres adapter so both behave like `pg` (same result
 * types, real transactions); it is imported lazily so Lambda bundles never carry it.
 */
export async function openPostgresPool(options: PostgresPoolOptions): Promise<PostgresPool> {
  if (options.databaseUrl) {
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.maxConnections ?? 16 });
    survivesDroppedConnections(pool);
    pool.on('connect', preparesReusablePlans);
    return { pool, kind: 'postgres', close: () => endOnce(pool) };
  }
  // One writer per data directory: a lock file next to it, held for the life of the process.
  const lock = options.dataDir.includes('://')
    ? undefined
    : lockDataDir(`${options.dataDir}.lock`, `The data directory ${options.dataDir}`);
  try {
    const { PGlite } = await import('@electric-sql/pglite');
    const { createPgConfig } = await import('@electric-sql/pglite/node-postgres');
    // pg_trgm (name similarity for duplicate detection) is a contrib extension PGlite ships but
    // loads only when asked; the migration then runs CREATE EXTENSION as on a server.
    const { pg_trgm } = await import('@electric-sql/pglite/contrib/pg_trgm');
    const embedded = await PGlite.create(options.dataDir, { extensions: { pg_trgm } });
    const pool = new pg.Pool(createPgConfig(embedded));
    return {
      pool,
      kind: 'pglite',
      close: async () => {
        await endOnce(pool);
        await embedded.close();
        lock?.release();
      },
    };
  } catch (error) {
    lock?.release();
    throw error;
  }
}

/**
 * A connection the server closes (restart, failover, pg_terminate_backend) emits 'error': on the
 * pool while it is idle, on the client itself while a query holds it. Either one unhandled ends
 * the process. The statement in flight still fails with the error (and answers 503, see
 * database-errors.ts), and the pool discards the broken client when it is released.
 */
export function survivesDroppedConnections(pool: pg.Pool): void {
  const ignore = () => undefined;
  pool.on('error', ignore);
  pool.on('connect', (client) => client.on('error', ignore));
}

// Kysely's destroy() also ends the pool it was given; ending a pg.Pool twice throws.
async function endOnce(pool: pg.Pool): Promise<void> {
  if (!pool.ended) await pool.end();
}
