import { consumerHandlerFor } from '../integration/consumer-runtime.js';

export const handler = consumerHandlerFor('order-events');
