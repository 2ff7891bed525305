import type { CompiledQuery, DatabaseConnection, Driver, QueryResult, TransactionSettings } from 'kysely';

/**
 * kysely-data-api's connection keeps its transaction id after COMMIT or ROLLBACK, so the next
 * statement on that connection is sent inside a transaction the Data API has already ended
 * (TransactionNotFoundException) — Kysely's migrator does exactly that. This wrapper gives the
 * connection a fresh inner connection whenever a transaction ends, and drops the deprecated
 * `numUpdatedOrDeletedRows` field that makes Kysely warn on every write.
 */
class RenewingConnection implements DatabaseConnection {
  constructor(public inner: DatabaseConnection) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const { numUpdatedOrDeletedRows: _deprecated, ...result } = (await this.inner.executeQuery<R>(query)) as QueryResult<R> & {
      numUpdatedOrDeletedRows?: bigint;
    };
    return result;
  }

  streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return this.inner.streamQuery(query, chunkSize);
  }
}

export class TransactionSafeDriver implements Driver {
  constructor(private readonly inner: Driver) {}

  init(): Promise<void> {
    return this.inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    return new RenewingConnection(await this.inner.acquireConnection());
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return this.inner.beginTransaction((connection as RenewingConnection).inner, settings);
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await this.inner.commitTransaction((connection as RenewingConnection).inner);
    await this.renew(connection as RenewingConnection);
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    try {
      await this.inner.rollbackTransaction((connection as RenewingConnection).inner);
    } finally {
      await this.renew(connection as RenewingConnection);
    }
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.inner.releaseConnection((connection as RenewingConnection).inner);
  }

  destroy(): Promise<void> {
    return this.inner.destroy();
  }

  private async renew(connection: RenewingConnection): Promise<void> {
    await this.inner.releaseConnection(connection.inner);
    connection.inner = await this.inner.acquireConnection();
  }
}
