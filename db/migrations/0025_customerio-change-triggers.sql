-- Customer.io sync: every write to contacts, their subscriptions and school ties, and schools marks
-- the entity's sync-state row in the same transaction (so no write path can forget it, bulk
-- imports included), and queues one sync run per burst of changes. Statement-level triggers:
-- one pass per write statement, whatever its row count. Tenants without an active integration
-- pay one indexed lookup per statement.
CREATE OR REPLACE FUNCTION herald_customerio_mark(p_entity text, p_tenants uuid[], p_ids uuid[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  i record;
BEGIN
  FOR i IN
    SELECT c.id, c.tenant_id, c.kick_pending FROM customerio_integrations c
    -- `error` too (a refused key): changes wait for the fix instead of being missed.
    WHERE c.status IN ('active', 'error') AND c.tenant_id = ANY (p_tenants)
  LOOP
    INSERT INTO customerio_sync_state AS s (integration_id, tenant_id, entity, entity_id)
    SELECT DISTINCT i.id, i.tenant_id, p_entity, x.id
    FROM unnest(p_tenants, p_ids) AS x(tenant_id, id)
    WHERE x.tenant_id = i.tenant_id AND x.id IS NOT NULL
    ON CONFLICT (integration_id, entity, entity_id) DO UPDATE
      SET version = s.version + 1, status = 'pending', attempts = 0, next_attempt_at = now(),
          last_error = NULL, updated_at = now();
    -- One queued run per burst: the run clears the flag when it starts. A writer that finds the
    -- row locked leaves the kick to the holder; the sync's minute sweep catches a rolled-back one.
    IF NOT i.kick_pending THEN
      UPDATE customerio_integrations SET kick_pending = true
      WHERE id = (SELECT id FROM customerio_integrations WHERE id = i.id AND NOT kick_pending FOR UPDATE SKIP LOCKED);
      IF FOUND THEN
        INSERT INTO outbox_events (tenant_id, name, payload, start_after)
        VALUES (i.tenant_id, 'herald/customerio.sync-due',
                jsonb_build_object('tenantId', i.tenant_id, 'integrationId', i.id),
                now() + interval '1 second');
      END IF;
    END IF;
  END LOOP;
END $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION herald_customerio_contacts_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  -- No active integration anywhere (most installations): skip even building the arrays.
  IF NOT EXISTS (SELECT 1 FROM customerio_integrations WHERE status IN ('active', 'error')) THEN RETURN NULL; END IF;
  IF TG_OP = 'DELETE' THEN
    PERFORM herald_customerio_mark('person', array_agg(tenant_id), array_agg(id)) FROM old_rows;
  ELSE
    PERFORM herald_customerio_mark('person', array_agg(tenant_id), array_agg(id)) FROM new_rows;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION herald_customerio_subscriptions_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  -- No active integration anywhere (most installations): skip even building the arrays.
  IF NOT EXISTS (SELECT 1 FROM customerio_integrations WHERE status IN ('active', 'error')) THEN RETURN NULL; END IF;
  IF TG_OP = 'DELETE' THEN
    PERFORM herald_customerio_mark('person', array_agg(tenant_id), array_agg(contact_id)) FROM old_rows;
  ELSE
    PERFORM herald_customerio_mark('person', array_agg(tenant_id), array_agg(contact_id)) FROM new_rows;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION herald_customerio_contact_schools_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  -- No active integration anywhere (most installations): skip even building the arrays.
  IF NOT EXISTS (SELECT 1 FROM customerio_integrations WHERE status IN ('active', 'error')) THEN RETURN NULL; END IF;
  IF TG_OP = 'DELETE' THEN
    PERFORM herald_customerio_mark('person', array_agg(tenant_id), array_agg(contact_id)) FROM old_rows;
    PERFORM herald_customerio_mark('object', array_agg(tenant_id), array_agg(school_id)) FROM old_rows;
  ELSE
    PERFORM herald_customerio_mark('person', array_agg(tenant_id), array_agg(contact_id)) FROM new_rows;
    PERFORM herald_customerio_mark('object', array_agg(tenant_id), array_agg(school_id)) FROM new_rows;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION herald_customerio_schools_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  -- No active integration anywhere (most installations): skip even building the arrays.
  IF NOT EXISTS (SELECT 1 FROM customerio_integrations WHERE status IN ('active', 'error')) THEN RETURN NULL; END IF;
  IF TG_OP = 'DELETE' THEN
    PERFORM herald_customerio_mark('object', array_agg(tenant_id), array_agg(id)) FROM old_rows;
  ELSE
    PERFORM herald_customerio_mark('object', array_agg(tenant_id), array_agg(id)) FROM new_rows;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
-- A trigger with transition tables may name one event only, hence three per table.
CREATE TRIGGER customerio_contacts_ins AFTER INSERT ON contacts REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION herald_customerio_contacts_changed();
--> statement-breakpoint
CREATE TRIGGER customerio_contacts_upd AFTER UPDATE ON contacts REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION herald_customerio_contacts_changed();
--> statement-breakpoint
CREATE TRIGGER customerio_contacts_del AFTER DELETE ON contacts REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION herald_customerio_contacts_changed();
--> statement-breakpoint
CREATE TRIGGER customerio_subscriptions_ins AFTER INSERT ON contact_subscriptions REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION herald_customerio_subscriptions_changed();
--> statement-breakpoint
CREATE TRIGGER customerio_subscriptions_upd AFTER UPDATE ON contact_subscriptions REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION herald_customerio_subscriptions_changed();
--> statement-breakpoint
CREATE TRIGGER customerio_subscriptions_del AFTER DELETE ON contact_subscriptions REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION herald_customerio_subscriptions_changed();
--> statement-breakpoint
CREATE TRIGGER customerio_contact_schools_ins AFTER INSERT ON contact_schools REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION herald_customerio_contact_schools_changed();
--> statement-breakpoint
CREATE TRIGGER customerio_contact_schools_upd AFTER UPDATE ON contact_schools REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION herald_customerio_contact_schools_changed();
--> statement-breakpoint
CREATE TRIGGER customerio_contact_schools_del AFTER DELETE ON contact_schools REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION herald_customerio_contact_schools_changed();
--> statement-breakpoint
CREATE TRIGGER customerio_schools_ins AFTER INSERT ON schools REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION herald_customerio_schools_changed();
--> statement-breakpoint
CREATE TRIGGER customerio_schools_upd AFTER UPDATE ON schools REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION herald_customerio_schools_changed();
--> statement-breakpoint
CREATE TRIGGER customerio_schools_del AFTER DELETE ON schools REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION herald_customerio_schools_changed();
