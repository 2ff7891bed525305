/**
 * Open transactions by id. Each holds its own pooled connection; one call at a time may use it
 * (a second one is refused with "Transaction is still running a query"). A transaction left
 * idle for the idle timeout (3 minutes on AWS), or older than the maximum lifetime (24 hours),
 * is rolled back and forgotten, after which its id is not found.
 */
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { transactionBusy, transactionNotFound } from './errors.js';

export interface TransactionEntry {
  readonly id: string;
  readonly client: pg.PoolClient;
  /** Whether a call is using the transaction right now. */
  busy: boolean;
  /** The session's `statement_timeout` as last set, when known. */
  statementTimeoutMs: number | undefined;
}

interface Slot {
  readonly entry: TransactionEntry;
  idleTimer: NodeJS.Timeout | undefined;
  readonly lifetimeTimer: NodeJS.Timeout;
  expired: boolean;
}

export interface TransactionRegistryOptions {
  readonly idleTimeoutMs: number;
  readonly maxLifetimeMs: number;
  /** Ends a transaction that timed out (roll back and give the connection back). */
  readonly onExpire: (entry: TransactionEntry) => Promise<void>;
}

export const newTransactionId = (): string => randomBytes(48).toString('base64');

export class TransactionRegistry {
  readonly #slots = new Map<string, Slot>();

  constructor(private readonly options: TransactionRegistryOptions) {}

  /** Registers a connection on which BEGIN has run; the transaction starts idle. */
  add(client: pg.PoolClient): TransactionEntry {
    const entry: TransactionEntry = { id: newTransactionId(), client, busy: false, statementTimeoutMs: undefined };
    const lifetimeTimer = setTimeout(() => this.#lifetimeOver(entry.id), this.options.maxLifetimeMs);
    lifetimeTimer.unref();
    const slot: Slot = { entry, idleTimer: undefined, lifetimeTimer, expired: false };
    this.#slots.set(entry.id, slot);
    this.#armIdle(slot);
    return entry;
  }

  /** Takes the transaction for one call. */
  acquire(id: string): TransactionEntry {
    const slot = this.#slots.get(id);
    if (!slot) throw transactionNotFound(id);
    if (slot.entry.busy) throw transactionBusy();
    slot.entry.busy = true;
    clearTimeout(slot.idleTimer);
    slot.idleTimer = undefined;
    return slot.entry;
  }

  /** Gives the transaction back after a call; the idle clock starts again. */
  release(entry: TransactionEntry): void {
    const slot = this.#slots.get(entry.id);
    entry.busy = false;
    if (!slot) return;
    if (slot.expired) {
      void this.#expire(slot);
      return;
    }
    this.#armIdle(slot);
  }

  /** Forgets a transaction (after COMMIT or ROLLBACK). */
  remove(id: string): void {
    const slot = this.#slots.get(id);
    if (!slot) return;
    clearTimeout(slot.idleTimer);
    clearTimeout(slot.lifetimeTimer);
    this.#slots.delete(id);
  }

  has(id: string): boolean {
    return this.#slots.has(id);
  }

  get size(): number {
    return this.#slots.size;
  }

  /** Removes every transaction and hands back their entries (for shutdown). */
  drain(): TransactionEntry[] {
    const entries = [...this.#slots.values()].map((slot) => slot.entry);
    for (const entry of entries) this.remove(entry.id);
    return entries;
  }

  #armIdle(slot: Slot): void {
    clearTimeout(slot.idleTimer);
    slot.idleTimer = setTimeout(() => void this.#expire(slot), this.options.idleTimeoutMs);
    slot.idleTimer.unref();
  }

  #lifetimeOver(id: string): void {
    const slot = this.#slots.get(id);
    if (!slot) return;
    if (slot.entry.busy) {
      slot.expired = true; // ended as soon as the running call is over
      return;
    }
    void this.#expire(slot);
  }

  async #expire(slot: Slot): Promise<void> {
    if (slot.entry.busy || !this.#slots.has(slot.entry.id)) return;
    this.remove(slot.entry.id);
    await this.options.onExpire(slot.entry);
  }
}
