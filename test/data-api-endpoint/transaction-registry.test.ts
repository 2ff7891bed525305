import type pg from 'pg';
import { describe, expect, it, vi } from 'vitest';
import { TransactionRegistry, type TransactionEntry } from '../../infra/local/data-api/transactions.js';

const fakeClient = () => ({}) as pg.PoolClient;

describe('transaction registry', () => {
  it('refuses a second call while one is using the transaction', () => {
    const registry = new TransactionRegistry({ idleTimeoutMs: 60_000, maxLifetimeMs: 60_000, onExpire: async () => {} });
    const entry = registry.add(fakeClient());
    registry.acquire(entry.id);
    expect(() => registry.acquire(entry.id)).toThrowError(
      expect.objectContaining({ type: 'DatabaseErrorException', message: 'Transaction is still running a query' }),
    );
    registry.release(entry);
    expect(registry.acquire(entry.id)).toBe(entry);
    registry.drain();
  });

  it('does not know an id it never gave or already forgot', () => {
    const registry = new TransactionRegistry({ idleTimeoutMs: 60_000, maxLifetimeMs: 60_000, onExpire: async () => {} });
    expect(() => registry.acquire('nope')).toThrowError(
      expect.objectContaining({ type: 'TransactionNotFoundException', status: 404, message: 'Transaction nope is not found' }),
    );
    const entry = registry.add(fakeClient());
    registry.remove(entry.id);
    expect(() => registry.acquire(entry.id)).toThrowError(expect.objectContaining({ type: 'TransactionNotFoundException' }));
  });

  it('expires a transaction idle for the idle timeout, counting from the end of the last call', async () => {
    vi.useFakeTimers();
    try {
      const expired: TransactionEntry[] = [];
      const registry = new TransactionRegistry({
        idleTimeoutMs: 1000,
        maxLifetimeMs: 60_000,
        onExpire: async (entry) => {
          expired.push(entry);
        },
      });
      const entry = registry.add(fakeClient());
      await vi.advanceTimersByTimeAsync(900);
      registry.acquire(entry.id);
      await vi.advanceTimersByTimeAsync(5000); // a long call does not count as idle
      expect(expired).toEqual([]);
      registry.release(entry);
      await vi.advanceTimersByTimeAsync(999);
      expect(expired).toEqual([]);
      await vi.advanceTimersByTimeAsync(2);
      expect(expired).toEqual([entry]);
      expect(registry.has(entry.id)).toBe(false);
    } finally {
      vi.useRealTimers();
    }
  });

  it('ends a transaction older than the maximum lifetime once its running call is over', async () => {
    vi.useFakeTimers();
    try {
      const expired: TransactionEntry[] = [];
      const registry = new TransactionRegistry({
        idleTimeoutMs: 60_000,
        maxLifetimeMs: 1000,
        onExpire: async (entry) => {
          expired.push(entry);
        },
      });
      const entry = registry.add(fakeClient());
      registry.acquire(entry.id);
      await vi.advanceTimersByTimeAsync(1500);
      expect(expired).toEqual([]);
      registry.release(entry);
      await vi.advanceTimersByTimeAsync(0);
      expect(expired).toEqual([entry]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('gives opaque, distinct ids', () => {
    const registry = new TransactionRegistry({ idleTimeoutMs: 60_000, maxLifetimeMs: 60_000, onExpire: async () => {} });
    const a = registry.add(fakeClient());
    const b = registry.add(fakeClient());
    expect(a.id).not.toBe(b.id);
    expect(a.id.length).toBeLessThanOrEqual(192);
    registry.drain();
  });
});
