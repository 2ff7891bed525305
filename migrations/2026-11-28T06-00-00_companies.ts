import { sql, type Kysely } from 'kysely';

// Companies: new tables only, so plain CREATE INDEX is fine. Rules that read other rows live in
// triggers that raise named errors (SQLSTATE 23514 with a constraint name, which the write kit
// maps like a unique index): one domain index over primary domains and aliases, a live parent,
// no cycle, at most 10 levels, and no soft delete while live contacts or subsidiaries remain.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE customer_mgmt_companies (
      id                uuid PRIMARY KEY,
      name              text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
      domain            text CHECK (domain = lower(domain) AND char_length(domain) <= 253),
      domain_aliases    jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(domain_aliases) = 'array'),
      industry          text CHECK (industry ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND char_length(industry) <= 60),
      size_band         text CHECK (size_band IN ('1-10', '11-50', '51-200', '201-500', '501-1000', '1001-5000', '5001+')),
      country           text CHECK (country ~ '^[A-Z]{2}$'),
      phone             text CHECK (phone ~ '^\\+[1-9][0-9]{6,14}$'),
      website           text CHECK (char_length(website) <= 2048),
      owner_id          uuid,
      tags              jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(tags) = 'array'),
      parent_company_id uuid REFERENCES customer_mgmt_companies (id),
      external_id       text CHECK (char_length(external_id) BETWEEN 1 AND 200),
      version           integer NOT NULL DEFAULT 1 CHECK (version >= 1),
      created_at        timestamptz NOT NULL,
      updated_at        timestamptz NOT NULL,
      deleted_at        timestamptz
    )`.execute(db);

  for (const statement of [
    sql`CREATE UNIQUE INDEX idx_companies_external_id ON customer_mgmt_companies (external_id) WHERE deleted_at IS NULL`,
    sql`CREATE INDEX idx_companies_owner ON customer_mgmt_companies (owner_id) WHERE owner_id IS NOT NULL`,
    sql`CREATE INDEX idx_companies_parent ON customer_mgmt_companies (parent_company_id) WHERE parent_company_id IS NOT NULL`,
    sql`CREATE INDEX idx_companies_tags ON customer_mgmt_companies USING gin (tags jsonb_path_ops)`,
    sql`CREATE INDEX idx_companies_created ON customer_mgmt_companies (created_at, id)`,
    sql`CREATE INDEX idx_companies_name ON customer_mgmt_companies (name, id)`,
  ]) {
    await statement.execute(db);
  }

  // One row per domain of a live company (primary and aliases): the primary key is the one index
  // over all of them, so a clash is a unique violation however it arises, even between two
  // concurrent writers. Kept in step by the trigger below; nothing else writes it.
  await sql`
    CREATE TABLE customer_mgmt_company_domains (
      domain     text NOT NULL,
      company_id uuid NOT NULL REFERENCES customer_mgmt_companies (id),
      CONSTRAINT customer_mgmt_company_domains_unique PRIMARY KEY (domain)
    )`.execute(db);
  await sql`CREATE INDEX idx_company_domains_company ON customer_mgmt_company_domains (company_id)`.execute(db);

  await sql`
    CREATE FUNCTION customer_mgmt_company_domains_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      DELETE FROM customer_mgmt_company_domains WHERE company_id = NEW.id;
      IF NEW.deleted_at IS NULL THEN
        INSERT INTO customer_mgmt_company_domains (domain, company_id)
        SELECT DISTINCT d.domain, NEW.id
        FROM (SELECT NEW.domain AS domain UNION ALL SELECT jsonb_array_elements_text(NEW.domain_aliases)) d
        WHERE d.domain IS NOT NULL;
      END IF;
      RETURN NULL;
    END
    $$`.execute(db);
  await sql`
    CREATE TRIGGER customer_mgmt_company_domains_sync
    AFTER INSERT OR UPDATE OF domain, domain_aliases, deleted_at ON customer_mgmt_companies
    FOR EACH ROW EXECUTE FUNCTION customer_mgmt_company_domains_sync()`.execute(db);

  // Every change of the hierarchy (a new parent, a soft delete) takes one transaction-level
  // advisory lock first, so each sees the edges the previous one committed: two requests that
  // each close half of a cycle cannot both pass. In READ COMMITTED every query of the function
  // takes a fresh snapshot, after the lock. No row is locked here, so no deadlock with the row
  // lock the write kit already holds on the company being changed.
  await sql`
    CREATE FUNCTION customer_mgmt_companies_hierarchy() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      ancestors integer;
      cycle boolean;
      below integer;
      remaining integer;
    BEGIN
      IF TG_OP = 'UPDATE' AND OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL THEN
        PERFORM pg_advisory_xact_lock(hashtext('customer_mgmt_company_hierarchy'));
        SELECT count(*) INTO remaining FROM customer_mgmt_companies WHERE parent_company_id = NEW.id AND deleted_at IS NULL;
        IF remaining > 0 THEN
          RAISE EXCEPTION USING ERRCODE = 'check_violation', CONSTRAINT = 'customer_mgmt_companies_no_subsidiaries',
            MESSAGE = format('deleting violates constraint "customer_mgmt_companies_no_subsidiaries": %s live subsidiaries', remaining);
        END IF;
        SELECT count(*) INTO remaining FROM customer_mgmt_customers WHERE company_id = NEW.id AND deleted_at IS NULL;
        IF remaining > 0 THEN
          RAISE EXCEPTION USING ERRCODE = 'check_violation', CONSTRAINT = 'customer_mgmt_companies_no_contacts',
            MESSAGE = format('deleting violates constraint "customer_mgmt_companies_no_contacts": %s live contacts', remaining);
        END IF;
        RETURN NEW;
      END IF;
      IF NEW.parent_company_id IS NULL OR NEW.deleted_at IS NOT NULL
         OR (TG_OP = 'UPDATE' AND NEW.parent_company_id IS NOT DISTINCT FROM OLD.parent_company_id) THEN
        RETURN NEW;
      END IF;
      PERFORM pg_advisory_xact_lock(hashtext('customer_mgmt_company_hierarchy'));
      IF NOT EXISTS (SELECT 1 FROM customer_mgmt_companies WHERE id = NEW.parent_company_id AND deleted_at IS NULL) THEN
        RAISE EXCEPTION USING ERRCODE = 'check_violation', CONSTRAINT = 'customer_mgmt_companies_parent_live',
          MESSAGE = format('new row violates constraint "customer_mgmt_companies_parent_live": %s is not a live company', NEW.parent_company_id);
      END IF;
      -- The walks are bounded: stored hierarchies are at most 10 levels deep.
      WITH RECURSIVE up (id, parent_id, level) AS (
        SELECT id, parent_company_id, 1 FROM customer_mgmt_companies WHERE id = NEW.parent_company_id
        UNION ALL
        SELECT c.id, c.parent_company_id, up.level + 1
        FROM customer_mgmt_companies c JOIN up ON c.id = up.parent_id
        WHERE up.level <= 11 AND up.id <> NEW.id
      )
      SELECT max(level), coalesce(bool_or(id = NEW.id), false) INTO ancestors, cycle FROM up;
      IF cycle THEN
        RAISE EXCEPTION USING ERRCODE = 'check_violation', CONSTRAINT = 'customer_mgmt_companies_no_cycle',
          MESSAGE = format('new row violates constraint "customer_mgmt_companies_no_cycle": %s is below %s', NEW.parent_company_id, NEW.id);
      END IF;
      below := 0;
      IF TG_OP = 'UPDATE' THEN
        WITH RECURSIVE down (id, level) AS (
          SELECT id, 1 FROM customer_mgmt_companies WHERE parent_company_id = NEW.id AND deleted_at IS NULL
          UNION ALL
          SELECT c.id, down.level + 1
          FROM customer_mgmt_companies c JOIN down ON c.parent_company_id = down.id
          WHERE c.deleted_at IS NULL AND down.level <= 11
        )
        SELECT coalesce(max(level), 0) INTO below FROM down;
      END IF;
      IF ancestors + 1 + below > 10 THEN
        RAISE EXCEPTION USING ERRCODE = 'check_violation', CONSTRAINT = 'customer_mgmt_companies_depth',
          MESSAGE = format('new row violates constraint "customer_mgmt_companies_depth": %s levels', ancestors + 1 + below);
      END IF;
      RETURN NEW;
    END
    $$`.execute(db);
  await sql`
    CREATE TRIGGER customer_mgmt_companies_hierarchy
    BEFORE INSERT OR UPDATE OF parent_company_id, deleted_at ON customer_mgmt_companies
    FOR EACH ROW EXECUTE FUNCTION customer_mgmt_companies_hierarchy()`.execute(db);
}
