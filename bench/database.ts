import pg from 'pg';

export interface BenchDatabase {
  readonly name: string;
  readonly url: string;
  /** The PostgreSQL server's version string, for the report. */
  readonly serverVersion: string;
  drop(): Promise<void>;
}

async function withClient<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** A fresh database `cm_bench_<time>_<pid>` on the server; `drop()` removes it (idempotent). */
export async function createBenchDatabase(serverUrl: string): Promise<BenchDatabase> {
  const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  const name = `cm_bench_${stamp}_${process.pid}`;
  let serverVersion = '';
  try {
    serverVersion = await withClient(serverUrl, async (client) => {
      await client.query(`create database ${name}`);
      const { rows } = await client.query<{ server_version: string }>('show server_version');
      return rows[0]!.server_version;
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `cannot create the benchmark database on ${serverUrl} (${reason}). Is PostgreSQL running? ` +
        'Start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start',
    );
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    name,
    url: url.toString(),
    serverVersion,
    async drop() {
      if (dropped) return;
      dropped = true;
      await withClient(serverUrl, (client) => client.query(`drop database if exists ${name} with (force)`));
    },
  };
}
