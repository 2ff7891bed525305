import { sql, type RawBuilder } from 'kysely';
import type { InsightFilter } from '../../domain/customer/customer-repository.js';
import { INSIGHTS } from './analytics-tables.js';

/** `GET /customers?segment=&churn_risk=`: the customer has a stored insight matching every filter given (one statement, no join fan-out). */
export function insightMatches(filter: InsightFilter): RawBuilder<boolean> {
  const conditions = [
    sql`i.customer_id = ${sql.ref('customer_mgmt_customers.id')}`,
    ...(filter.segment ? [sql`i.segment = ${filter.segment}`] : []),
    ...(filter.churnRisk ? [sql`i.churn_risk = ${filter.churnRisk}`] : []),
    ...(filter.currency ? [sql`i.currency = ${filter.currency}`] : []),
  ];
  return sql<boolean>`exists (select 1 from ${sql.table(INSIGHTS)} i where ${sql.join(conditions, sql` and `)})`;
}
