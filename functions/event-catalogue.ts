import { analyticsEventContracts } from './analytics/analytics-event-contracts.js';
import { customerEventContracts } from './customers/customer-event-contracts.js';
import { composeCatalogue } from './events/event-contracts.js';

/** Every published event contract of the service: one module per aggregate. */
export const EVENT_CATALOGUE = composeCatalogue([customerEventContracts, analyticsEventContracts]);
