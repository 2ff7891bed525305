import { sql, type Kysely } from 'kysely';

/**
 * Erasure (GDPR Art. 17) and email suppression, see docs/privacy.md:
 * - `erased_at` on customers and `erased` (whether it is set, kept equal by a check) for the write
 *   kit's precondition: every change of an erased customer is refused (CUSTOMER.ERASED). Both are
 *   nullable / constant-default columns, metadata-only changes on a live table.
 * - the suppression list: peppered HMAC-SHA-256 hashes of erased emails, never the emails.
 * - customer_mgmt_erase_fields(doc, keys): a copy of a JSON document with the value of every
 *   property named in `keys`, at any depth, replaced by "[erased]" (a `{from, to}` change keeps its
 *   shape, nulls stay null); the erasure runs it over stored event payloads, dead letters and
 *   idempotency responses.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE customer_mgmt_customers
      ADD COLUMN erased_at timestamptz,
      ADD COLUMN erased boolean NOT NULL DEFAULT false,
      ADD CONSTRAINT customer_mgmt_customers_erased CHECK (erased = (erased_at IS NOT NULL))`.execute(db);

  await sql`
    CREATE TABLE customer_mgmt_email_suppressions (
      email_hash  text PRIMARY KEY CHECK (email_hash ~ '^[0-9a-f]{64}$'),
      created_at  timestamptz NOT NULL
    )`.execute(db);

  await sql`
    CREATE FUNCTION customer_mgmt_erase_value(value jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
      SELECT CASE WHEN value IS NULL OR jsonb_typeof(value) = 'null' THEN value ELSE '"[erased]"'::jsonb END
    $$`.execute(db);

  await sql`
    CREATE FUNCTION customer_mgmt_erase_fields(doc jsonb, keys text[]) RETURNS jsonb LANGUAGE plpgsql IMMUTABLE AS $$
    DECLARE
      result jsonb;
      k text;
      v jsonb;
    BEGIN
      IF jsonb_typeof(doc) = 'object' THEN
        result := '{}'::jsonb;
        FOR k, v IN SELECT key, value FROM jsonb_each(doc) LOOP
          IF k = ANY (keys) THEN
            IF jsonb_typeof(v) = 'object' AND v ? 'from' AND v ? 'to' THEN
              v := jsonb_build_object('from', customer_mgmt_erase_value(v -> 'from'), 'to', customer_mgmt_erase_value(v -> 'to'));
            ELSIF NOT (jsonb_typeof(v) = 'object' AND v ? 'changed') THEN
              v := customer_mgmt_erase_value(v);
            END IF;
          ELSE
            v := customer_mgmt_erase_fields(v, keys);
          END IF;
          result := result || jsonb_build_object(k, v);
        END LOOP;
        RETURN result;
      ELSIF jsonb_typeof(doc) = 'array' THEN
        SELECT coalesce(jsonb_agg(customer_mgmt_erase_fields(element, keys) ORDER BY position), '[]'::jsonb)
          INTO result FROM jsonb_array_elements(doc) WITH ORDINALITY AS items(element, position);
        RETURN result;
      END IF;
      RETURN doc;
    END
    $$`.execute(db);
}
