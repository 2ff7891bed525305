import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Interaction, InteractionField, LinkRef } from '../../domain/interaction/interaction.js';
import type { InteractionEventType } from '../../domain/interaction/interaction.events.js';
import type { InteractionRepository, InteractionVisibility } from '../../domain/interaction/interaction-repository.js';
import type { Database } from '../db/database.js';
import { param } from '../db/sql-values.js';
import { createAggregateStore } from '../kit/aggregate-store.js';
import type { RowScope } from '../kit/aggregate-table.js';
import { INTERACTION_LINKS, INTERACTION_TABLE, INTERACTIONS, rowToInteraction, type InteractionRow } from './interaction-table.js';
import { LINK_TARGETS, linkTarget, liveAndVisible } from './link-targets.js';

/**
 * Which interaction rows a caller may touch, over `interaction` (the interactions table or its
 * alias): a sales rep reads those they own or that link a record they see, and changes those they own.
 */
export function interactionScope(visibility: InteractionVisibility, interaction: string = INTERACTIONS): RowScope {
  const { repId } = visibility;
  if (repId === undefined) return undefined;
  const owned = sql<boolean>`${sql.ref(`${interaction}.owner_id`)} = ${param.uuid(repId)}`;
  if (visibility.access === 'write') return owned;
  const linkedVisible = LINK_TARGETS.map(
    (target) => sql`(l.target_type = ${sql.lit(target.type)} and ${liveAndVisible(target, sql.ref('l.target_id'), repId)})`,
  );
  return sql<boolean>`(${owned} or exists (
    select 1 from ${sql.table(INTERACTION_LINKS)} l
    where l.interaction_id = ${sql.ref(`${interaction}.id`)} and (${sql.join(linkedVisible, sql` or `)})))`;
}

/** The links grouped by target type. */
function byType(links: readonly LinkRef[]): Map<string, string[]> {
  const grouped = new Map<string, string[]>();
  for (const link of links) grouped.set(link.targetType, [...(grouped.get(link.targetType) ?? []), link.targetId]);
  return grouped;
}

/** The fields whose change makes the triggers recompute `last_interaction_at` on every linked record (time, contact flag, deletion). */
const RECOMPUTING_FIELDS: readonly InteractionField[] = ['occurredAt', 'type', 'outcome', 'deletedAt'];

const idList = (ids: readonly string[]) => sql.join(ids.map((id) => param.uuid(id)));

/** Interactions in PostgreSQL; every write is one statement carrying its event and its links (the write kit). */
export function createInteractionRepository(db: Kysely<Database>): InteractionRepository {
  const store = createAggregateStore<Interaction, InteractionField, InteractionEventType>(db, INTERACTION_TABLE);

  /**
   * Every linked record exists, is live and is visible to the creator: checked in the insert's own
   * statement, one guard. Records that a merge may take away (customers, companies) are
   * key-share-locked as they are found, in the one global order every writer of links locks them in
   * (target type, then id: the relink trigger's and the link rows' order), each type only once the
   * types before it are locked — so a log never holds one of them while waiting for another that a
   * merge or a relink holds and that waits for the first.
   */
  function linksGuard(links: readonly LinkRef[], visibility: InteractionVisibility): RawBuilder<boolean>[] {
    const checks = [...byType(links)]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([type, ids]) => {
        const target = linkTarget(type);
        const visible = visibility.repId === undefined ? undefined : target.visibleToRep(visibility.repId);
        const lock = target.lockWhenLinked ? sql` order by id for key share` : sql``;
        return sql<boolean>`(select count(*) from (select 1 from ${sql.table(target.table)}
          where id in (${idList(ids)}) and deleted_at is null ${visible ? sql`and ${visible}` : sql``}${lock}) as live) = ${ids.length}`;
      });
    // CASE evaluates its branches in order (AND may not): the next type is locked only after this one.
    const chained = checks.reduceRight<RawBuilder<boolean> | null>(
      (rest, check) => (rest ? sql<boolean>`(case when ${check} then ${rest} else false end)` : check),
      null,
    );
    return chained ? [chained] : [];
  }

  /**
   * Locks, before the change locks the interaction, the records its triggers will lock — those its
   * new link set adds or drops, or, when its time, contact flag or deletion changes, every record it
   * links or will link — FOR UPDATE in the global (type, id) order. Every change that moves
   * `last_interaction_at` thus locks records first and the interaction second, as a merge does
   * (it holds the records it merges, then moves their interactions): a merge never waits for an
   * interaction held by a change that waits for the merge (a deadlock). Always true.
   */
  function targetLocks(id: string, set: Partial<Record<InteractionField, unknown>>): RawBuilder<boolean> | null {
    const links = set.links as readonly LinkRef[] | undefined;
    const retimed = RECOMPUTING_FIELDS.some((field) => field in set);
    if (!links && !retimed) return null;
    const wanted = links ? byType(links) : undefined;
    const locks = [...LINK_TARGETS]
      .sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0))
      .map((target) => {
        const before = sql`coalesce((select current.links -> ${target.type} from ${sql.table(INTERACTIONS)} current
          where current.id = ${param.uuid(id)}), '[]'::jsonb)`;
        const now = wanted ? param.jsonb(wanted.get(target.type) ?? []) : before;
        const ids = (from: RawBuilder<unknown>, unless: RawBuilder<unknown>) =>
          sql`select cast(x.id as uuid) from jsonb_array_elements_text(${from}) as x(id)${retimed ? sql`` : sql` where not ${unless} ? x.id`}`;
        return sql<boolean>`(select count(*) from (select 1 from ${sql.table(target.table)} as t
          where t.id in (${ids(now, before)} union ${ids(before, now)})
          order by t.id for update of t) as locked) >= 0`;
      });
    // CASE evaluates its branches in order (AND may not): the next type is locked only after this one.
    return locks.reduceRight((rest, lock) => sql<boolean>`(case when ${lock} then ${rest} else false end)`);
  }

  /** Whether a link may stay or be made: the interaction links it already, or it is live and visible to the caller. */
  function linkable(link: LinkRef, visibility: InteractionVisibility, interactionId: string | undefined): RawBuilder<boolean> {
    const visible = liveAndVisible(linkTarget(link.targetType), param.uuid(link.targetId), visibility.repId);
    if (interactionId === undefined) return visible;
    return sql<boolean>`(exists (select 1 from ${sql.table(INTERACTION_LINKS)} kept
      where kept.interaction_id = ${param.uuid(interactionId)} and kept.target_type = ${link.targetType}
        and kept.target_id = ${param.uuid(link.targetId)}) or ${visible})`;
  }

  /** A change's new link set holds only records the interaction links already or the caller may link. */
  const relinkGuard = (id: string, links: readonly LinkRef[], visibility: InteractionVisibility): RawBuilder<boolean> =>
    links.length === 0
      ? sql<boolean>`true`
      : sql<boolean>`(${sql.join(
          links.map((link) => linkable(link, visibility, id)),
          sql` and `,
        )})`;

  /** The links that name no live record the caller may see (and, for a change, that the interaction does not link already). */
  async function missingLinks(links: readonly LinkRef[], visibility: InteractionVisibility, interactionId?: string): Promise<LinkRef[]> {
    if (links.length === 0) return [];
    const checks = links.map(
      (link) =>
        sql`select ${link.targetType} as target_type, ${link.targetId} as target_id, ${linkable(link, visibility, interactionId)} as present`,
    );
    const { rows } = await sql<{
      target_type: string;
      target_id: string;
      present: boolean | string;
    }>`${sql.join(checks, sql` union all `)}`.execute(db);
    return rows
      .filter((row) => !(row.present === true || row.present === 't' || row.present === 'true'))
      .map((row) => ({ targetType: row.target_type, targetId: row.target_id }));
  }

  /** The link rows of the new interaction, written in the insert's statement (their trigger advances last_interaction_at). */
  function linkRows(links: readonly LinkRef[]): RawBuilder<unknown> {
    const values = links.map((link) => sql`(${link.targetType}, ${param.uuid(link.targetId)})`);
    return sql`insert into ${sql.table(INTERACTION_LINKS)} (interaction_id, target_type, target_id, occurred_at, counts_as_contact)
      select inserted.id, target.type, target.id, inserted.occurred_at, inserted.counts_as_contact
      from inserted cross join (values ${sql.join(values)}) as target (type, id)
      order by target.type, target.id
      returning 1`;
  }

  return {
    insert: (interaction, event, visibility = { access: 'write' }) =>
      store.insert(interaction, event, { guards: linksGuard(interaction.links, visibility), alongside: [linkRows(interaction.links)] }),

    findById: (id, visibility = { access: 'read' }) => store.findById(id, { scope: interactionScope(visibility) }),

    /**
     * A change of links is applied only if every record it links is already linked or live and
     * visible to the caller (in the statement); when it is refused, the record that is not is
     * named as the rule it broke (`link:<type>:<id>`), which the service answers as that record's 404.
     */
    async saveChange(id, change, context, visibility = { access: 'write' }) {
      const links = change.set.links;
      const locks = targetLocks(id, change.set);
      const guards = [...(locks ? [locks] : []), ...(links ? [relinkGuard(id, links, visibility)] : [])];
      const saved = await store.saveChange(id, change, context, { scope: interactionScope(visibility), guards });
      if (saved.kind !== 'not_applied' || !links) return saved;
      const [missing] = await missingLinks(links, visibility, id);
      return missing ? { kind: 'conflict', field: `link:${missing.targetType}:${missing.targetId}` } : saved;
    },

    async findByExternalId(source, externalId, visibility) {
      const scope = interactionScope({ ...visibility, access: 'read' }) ?? sql<boolean>`true`;
      const { rows } = await sql<InteractionRow & { visible: boolean }>`
        select *, ${scope} as visible from ${sql.table(INTERACTIONS)}
        where source = ${source} and external_id = ${externalId}`.execute(db);
      const row = rows[0];
      if (!row) return { kind: 'none' };
      if (row.deleted_at !== null) return { kind: 'deleted' };
      return row.visible ? { kind: 'visible', interaction: rowToInteraction(row) } : { kind: 'hidden' };
    },

    missingLinks: (links, visibility) => missingLinks(links, visibility),

    async list(query) {
      const conditions: RawBuilder<boolean>[] = [sql`i.deleted_at is null`];
      const scope = interactionScope(query.visibility, 'i');
      if (scope) conditions.push(scope);
      if (query.type) conditions.push(sql`i.type = ${query.type}`);
      if (query.ownerId) conditions.push(sql`i.owner_id = ${param.uuid(query.ownerId)}`);
      if (query.direction) conditions.push(sql`i.direction = ${query.direction}`);
      if (query.outcome) conditions.push(sql`i.outcome = ${query.outcome}`);
      if (query.occurredFrom) conditions.push(sql`i.occurred_at >= ${param.timestamptz(query.occurredFrom)}`);
      if (query.occurredTo) conditions.push(sql`i.occurred_at < ${param.timestamptz(query.occurredTo)}`);
      if (query.text) {
        const pattern = `%${query.text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        conditions.push(sql`i.subject ilike ${pattern}`);
      }
      // Linked to one record: read through the link table's (target, occurred_at, id) index.
      const source = query.linked
        ? sql`${sql.table(INTERACTION_LINKS)} l join ${sql.table(INTERACTIONS)} i on i.id = l.interaction_id`
        : sql`${sql.table(INTERACTIONS)} i`;
      const key = query.linked
        ? { at: sql.ref('l.occurred_at'), id: sql.ref('l.interaction_id') }
        : { at: sql.ref('i.occurred_at'), id: sql.ref('i.id') };
      if (query.linked) {
        conditions.push(
          sql`l.target_type = ${query.linked.targetType} and l.target_id = ${param.uuid(query.linked.targetId)} and l.deleted_at is null`,
        );
      }
      if (query.after) {
        conditions.push(sql`(${key.at}, ${key.id}) < (${param.timestamptz(query.after.occurredAt)}, ${param.uuid(query.after.id)})`);
      }
      const { rows } = await sql<InteractionRow>`
        select i.* from ${source}
        where ${sql.join(conditions, sql` and `)}
        order by ${key.at} desc, ${key.id} desc
        limit ${query.limit + 1}`.execute(db);
      const interactions = rows.slice(0, query.limit).map(rowToInteraction);
      const last = interactions[interactions.length - 1];
      return { interactions, next: rows.length > query.limit && last ? { occurredAt: last.occurredAt, id: last.id } : null };
    },
  };
}
