import * as z from 'zod';
import { CHURN_RISK_BANDS } from '../../domain/analytics/churn-risk.js';
import { CUSTOMER_INSIGHT_AGGREGATE, type CustomerInsightEventType } from '../../domain/analytics/customer-insight.events.js';
import { RFM_SEGMENTS } from '../../domain/analytics/rfm-segments.js';
import { becomes, timestamp, uuid } from '../events/contract-fields.js';
import { aggregateEventContracts } from '../events/event-contracts.js';

const band = z.enum(CHURN_RISK_BANDS);
const probability = z.number().min(0).max(1);

/** The published contracts of the customer-insight stream (`customer_insight_id`, `customer_insight_version`). */
export const analyticsEventContracts = aggregateEventContracts<CustomerInsightEventType>(CUSTOMER_INSIGHT_AGGREGATE, {
  CustomerChurnRiskChanged: {
    version: 1,
    description:
      "An analytics run moved a customer's churn-risk band in one currency (from null: the customer's first score). " +
      'The stream is the insight of one customer and currency; nothing about the customer itself changed, and the service never churns anyone on its own.',
    data: z.strictObject({
      customer_id: uuid,
      currency: z.string().regex(/^[A-Z]{3}$/),
      changes: z.strictObject({ churn_risk: becomes(band.nullable(), band) }),
      churn_risk_score: probability.describe('exp(−expected orders in the churn horizon): near 1 when no order is expected'),
      p_alive: probability,
      segment: z.enum(RFM_SEGMENTS),
      suggested_command: z
        .literal('churn')
        .nullable()
        .describe('churn: worth a person’s look (a customer at high risk); never applied automatically'),
      model_id: uuid,
      as_of: timestamp,
    }),
  },
});
