import { sql } from 'kysely';
import { CUSTOMER_TARGET } from '../../domain/interaction/log-interaction.js';
import { companyScope } from '../companies/company-repository.js';
import { COMPANIES } from '../companies/company-table.js';
import { CUSTOMERS } from '../customers/customer-table.js';
import { param } from '../db/sql-values.js';
import { INTERACTION_LINKS } from '../interactions/interaction-table.js';
import { dealBranch, interactionBranch, lifecycleBranch, orderBranch } from './timeline-branches.js';
import { scoped, type TimelineSubject } from './timeline-repository.js';

const COMPANY_TARGET = 'company';

/**
 * A company's timeline: its own events, the interactions linked to it, the events of its deals (a
 * sales rep: of the deals they own) and, with `includeContacts`, its live contacts' interactions and
 * orders (a sales rep: of the contacts assigned to them, as everywhere else). An interaction linked
 * to the company and to contacts is shown once: by the company's branch, else by the contacts'
 * branch for the first of its contacts (by id) that the caller sees.
 */
export function companyTimeline(id: string, repId: string | undefined, includeContacts: boolean): TimelineSubject {
  return {
    exists: sql`select 1 from ${sql.table(COMPANIES)} where id = ${param.uuid(id)} and deleted_at is null
      ${scoped(companyScope({ ownerId: repId, throughContacts: true }))}`,
    branches: (record) => {
      const assignedToRep = (alias: string) =>
        repId === undefined ? sql`` : sql`and ${sql.ref(`${alias}.assigned_to`)} = ${param.uuid(repId)}`;
      const contacts = sql`(select c.id from ${sql.table(CUSTOMERS)} c
        where c.company_id = ${record} and c.deleted_at is null ${assignedToRep('c')}) as owner`;
      const shownElsewhere = sql<boolean>`exists (select 1 from ${sql.table(INTERACTION_LINKS)} o
        where o.interaction_id = l.interaction_id and o.deleted_at is null
          and ((o.target_type = ${sql.lit(COMPANY_TARGET)} and o.target_id = ${record})
            or (o.target_type = ${sql.lit(CUSTOMER_TARGET)} and o.target_id < l.target_id and exists (
              select 1 from ${sql.table(CUSTOMERS)} other where other.id = o.target_id and other.company_id = ${record} and other.deleted_at is null ${assignedToRep('other')}))))`;
      const contact = sql.ref('owner.id');
      return [
        lifecycleBranch('company', record),
        interactionBranch(COMPANY_TARGET, record),
        dealBranch(sql<boolean>`d.company_id = ${record}`, repId),
        ...(includeContacts
          ? [interactionBranch(CUSTOMER_TARGET, contact, { unless: shownElsewhere, within: contacts }), orderBranch(contact, contacts)]
          : []),
      ];
    },
  };
}
