import type { Kysely } from 'kysely';
import { uuidv7 } from 'uuidv7';
import { createCustomerRepository } from './customers/customer-repository.js';
import { createCustomerService } from './customers/customer-service.js';
import type { Database } from './db/database.js';
import { createIdempotencyStore } from './idempotency/idempotency-store.js';
import type { Services } from './routes.js';

/** Wires the application over a database: the same wiring on Lambda, the local server and in tests. */
export function createServices(db: Kysely<Database>, clock: () => Date = () => new Date()): Services {
  return {
    db,
    customers: createCustomerService({ customers: createCustomerRepository(db), now: clock, newId: uuidv7 }),
    idempotency: createIdempotencyStore(db),
  };
}
