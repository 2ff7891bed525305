import { companyEventContracts } from './companies/company-event-contracts.js';
import { analyticsEventContracts } from './analytics/analytics-event-contracts.js';
import { customerEventContracts } from './customers/customer-event-contracts.js';
import { dealEventContracts } from './deals/deal-event-contracts.js';
import { composeCatalogue } from './events/event-contracts.js';
import { interactionEventContracts } from './interactions/interaction-event-contracts.js';
import { pipelineEventContracts } from './pipelines/pipeline-event-contracts.js';
import { privacyEventContracts } from './privacy/privacy-event-contracts.js';
import { companyMergeEventContracts, customerMergeEventContracts } from './merge/merge-event-contracts.js';

/** Every published event contract of the service: one module per aggregate. */
export const EVENT_CATALOGUE = composeCatalogue([
  customerEventContracts,
  customerMergeEventContracts,
  companyEventContracts,
  companyMergeEventContracts,
  pipelineEventContracts,
  dealEventContracts,
  interactionEventContracts,
  analyticsEventContracts,
  privacyEventContracts,
]);
