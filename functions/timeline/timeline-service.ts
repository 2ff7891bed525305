import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { companyTimeline } from './company-timeline.js';
import { customerTimeline } from './customer-timeline.js';
import { dealTimeline } from './deal-timeline.js';
import { readTimeline, type TimelinePage, type TimelineQuery } from './timeline-repository.js';

/**
 * The merged timelines of records; null when the record is missing or not visible to the caller
 * (`repId`: a sales rep, who sees their own records and, on them, the deals they own).
 */
export function createTimelineService(db: Kysely<Database>) {
  return {
    customer: (id: string, query: TimelineQuery, repId: string | undefined): Promise<TimelinePage | null> =>
      readTimeline(db, customerTimeline(id, repId), id, query),
    company: (id: string, query: TimelineQuery, repId: string | undefined, includeContacts: boolean): Promise<TimelinePage | null> =>
      readTimeline(db, companyTimeline(id, repId, includeContacts), id, query),
    deal: (id: string, query: TimelineQuery, repId: string | undefined): Promise<TimelinePage | null> =>
      readTimeline(db, dealTimeline(id, repId), id, query),
  };
}

export type TimelineService = ReturnType<typeof createTimelineService>;
