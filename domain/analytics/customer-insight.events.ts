/**
 * The events of a customer-insight stream (`customer_insight`, one stream per customer and currency): the analytics
 * publish a band change of a customer's churn risk, never a lifecycle change (churning stays a person's decision).
 */
export const CUSTOMER_INSIGHT_EVENT_TYPES = ['CustomerChurnRiskChanged'] as const;
export type CustomerInsightEventType = (typeof CUSTOMER_INSIGHT_EVENT_TYPES)[number];

/** The stream name of customer insights in the event log. */
export const CUSTOMER_INSIGHT_AGGREGATE = 'customer_insight';
