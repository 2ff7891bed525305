import type { Kysely } from 'kysely';
import type { Visibility } from '../../domain/customer/customer-repository.js';
import type { Database } from '../db/database.js';
import { customerTimeline } from './customer-timeline.js';
import { readTimeline, type TimelinePage, type TimelineQuery } from './timeline-repository.js';

/** The merged timelines of records; null when the record is missing or not visible to the caller. */
export function createTimelineService(db: Kysely<Database>) {
  return {
    customer: (id: string, query: TimelineQuery, visibility: Visibility): Promise<TimelinePage | null> =>
      readTimeline(db, customerTimeline(id, visibility), id, query),
  };
}

export type TimelineService = ReturnType<typeof createTimelineService>;
