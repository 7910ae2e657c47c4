-- Row-level security: the database's own wall behind the services' scope checks.
--
-- The services log in as a role that is a member of consular_service: not the table owner, no
-- BYPASSRLS, and only the DML it needs (no DELETE or TRUNCATE anywhere; audit rows insert-only).
-- Each transaction states who is asking with transaction-local settings (storage::SetSessionScope):
--   consular.subject  the token's subject      consular.role  e.g. ROLE_CONSULAR_OFFICER
--   consular.post     the caller's post code
-- and the policies below let a transaction see and change only the rows that scope allows. A
-- transaction that stated no scope sees nothing. Every table in schema cases has ENABLE and FORCE
-- ROW LEVEL SECURITY (FORCE: the owner is filtered too). consular-cases refuses to start when its
-- role could get around this (storage::CheckRowLevelSecurityEnforced). See docs/database-roles.md.
--
-- consular_maintenance is for the few jobs that must see every row (key rotation, retention): its
-- members pass every policy, so the services' role must never be one (the start-up check refuses).

-- Group roles are cluster-wide: create them only if missing. Several databases of one cluster may
-- run this at the same moment (tests), so losing the race is fine. A migrating role without
-- CREATEROLE (production: the schema owner) needs a superuser to create them once beforehand.
DO $$
DECLARE
  group_role text;
BEGIN
  FOREACH group_role IN ARRAY ARRAY['consular_service', 'consular_maintenance'] LOOP
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = group_role) THEN
      BEGIN
        EXECUTE format(
            'CREATE ROLE %I NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS', group_role);
      EXCEPTION
        WHEN duplicate_object OR unique_violation THEN
          NULL;  -- a concurrent migration of another database created it
        WHEN insufficient_privilege THEN
          RAISE EXCEPTION 'role % does not exist and % may not create it', group_role, current_user
            USING HINT = format('As a superuser run: CREATE ROLE %I NOLOGIN; then migrate again '
                                '(docs/database-roles.md).', group_role);
      END;
    END IF;
    IF EXISTS (SELECT FROM pg_roles
                WHERE rolname = group_role AND (rolsuper OR rolbypassrls)) THEN
      RAISE EXCEPTION 'role % must not have SUPERUSER or BYPASSRLS', group_role;
    END IF;
  END LOOP;
END
$$;

-- Who is asking, from the transaction's settings; NULL when not set (current_setting(..., true)
-- is NULL before the first set_config in a session and '' after a transaction that set it ended).
CREATE FUNCTION cases.caller_subject() RETURNS text
  LANGUAGE sql STABLE
  AS $$ SELECT NULLIF(current_setting('consular.subject', true), '') $$;

CREATE FUNCTION cases.caller_role() RETURNS text
  LANGUAGE sql STABLE
  AS $$ SELECT NULLIF(current_setting('consular.role', true), '') $$;

CREATE FUNCTION cases.caller_post() RETURNS text
  LANGUAGE sql STABLE
  AS $$ SELECT NULLIF(current_setting('consular.post', true), '') $$;

-- True when the caller is staff of a post (officer or post manager) with a complete scope.
CREATE FUNCTION cases.caller_has_post_scope() RETURNS boolean
  LANGUAGE sql STABLE
  AS $$
    SELECT COALESCE(cases.caller_subject() IS NOT NULL
                    AND cases.caller_role() IN ('ROLE_CONSULAR_OFFICER', 'ROLE_POST_MANAGER')
                    AND cases.caller_post() IS NOT NULL,
                    false)
  $$;

-- THE visibility rule: may the caller see the case `case_id` handled by `handling_post`? Every
-- read policy on case data goes through it (notes and events through their case), so sharing with
-- LKHA or another post changes this one function. Never NULL.
CREATE FUNCTION cases.visible_to_caller(handling_post text, case_id uuid) RETURNS boolean
  LANGUAGE sql STABLE
  AS $$
    SELECT COALESCE(cases.caller_has_post_scope() AND handling_post = cases.caller_post(), false)
  $$;

-- The write rule: may the caller create or change the case (and add its notes and events)? For now
-- the same as seeing it; a read-only share will make it narrower. Never NULL.
CREATE FUNCTION cases.writable_by_caller(handling_post text, case_id uuid) RETURNS boolean
  LANGUAGE sql STABLE
  AS $$ SELECT cases.visible_to_caller(handling_post, case_id) $$;

-- Privileges. Nothing for PUBLIC; the services: exactly the DML the case service issues.
REVOKE ALL ON ALL TABLES IN SCHEMA cases FROM PUBLIC;
GRANT USAGE ON SCHEMA cases TO consular_service, consular_maintenance;
GRANT SELECT, INSERT, UPDATE ON cases.cases, cases.idempotency, cases.reference_counters
  TO consular_service;
GRANT SELECT, INSERT ON cases.case_events, cases.case_notes TO consular_service;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA cases TO consular_service;
GRANT SELECT, UPDATE ON ALL TABLES IN SCHEMA cases TO consular_maintenance;

-- Every table in schema cases, including any an earlier migration added that this file does not
-- name: ENABLE and FORCE. A table without a policy below is closed to everyone but superusers.
DO $$
DECLARE
  t record;
BEGIN
  FOR t IN SELECT c.oid::regclass AS name
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'cases' AND c.relkind IN ('r', 'p') LOOP
    EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', t.name);
    EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', t.name);
    EXECUTE format('CREATE POLICY maintenance_all ON %s TO consular_maintenance '
                   'USING (true) WITH CHECK (true)', t.name);
  END LOOP;
END
$$;

-- Cases: the caller's scope.
CREATE POLICY scope_select ON cases.cases FOR SELECT
  USING (cases.visible_to_caller(handling_post, id));
CREATE POLICY scope_insert ON cases.cases FOR INSERT
  WITH CHECK (cases.writable_by_caller(handling_post, id));
-- WITH CHECK applies to the new row: moving a case to a post outside the scope is refused here.
CREATE POLICY scope_update ON cases.cases FOR UPDATE
  USING (cases.writable_by_caller(handling_post, id))
  WITH CHECK (cases.writable_by_caller(handling_post, id));

-- Timeline and notes: through their case. The subquery on cases.cases is itself filtered by the
-- policies above, so it finds the case only when the caller may see it.
CREATE POLICY scope_select ON cases.case_events FOR SELECT
  USING (EXISTS (SELECT FROM cases.cases c WHERE c.id = case_events.case_id));
CREATE POLICY scope_insert ON cases.case_events FOR INSERT
  WITH CHECK (EXISTS (SELECT FROM cases.cases c
                       WHERE c.id = case_events.case_id
                         AND cases.writable_by_caller(c.handling_post, c.id)));

CREATE POLICY scope_select ON cases.case_notes FOR SELECT
  USING (EXISTS (SELECT FROM cases.cases c WHERE c.id = case_notes.case_id));
CREATE POLICY scope_insert ON cases.case_notes FOR INSERT
  WITH CHECK (EXISTS (SELECT FROM cases.cases c
                       WHERE c.id = case_notes.case_id
                         AND cases.writable_by_caller(c.handling_post, c.id)));

-- Idempotency records: each caller only their own.
CREATE POLICY own_select ON cases.idempotency FOR SELECT
  USING (actor = cases.caller_subject());
CREATE POLICY own_insert ON cases.idempotency FOR INSERT
  WITH CHECK (actor = cases.caller_subject());
CREATE POLICY own_update ON cases.idempotency FOR UPDATE
  USING (actor = cases.caller_subject())
  WITH CHECK (actor = cases.caller_subject());

-- Reference counters: shared by everyone who may open cases.
CREATE POLICY scope_select ON cases.reference_counters FOR SELECT
  USING (cases.caller_has_post_scope());
CREATE POLICY scope_insert ON cases.reference_counters FOR INSERT
  WITH CHECK (cases.caller_has_post_scope());
CREATE POLICY scope_update ON cases.reference_counters FOR UPDATE
  USING (cases.caller_has_post_scope())
  WITH CHECK (cases.caller_has_post_scope());

-- The audit trail (migration 0002), when present: the services may add and read rows, never change
-- or remove them (its triggers refuse that too, for every role).
DO $$
BEGIN
  IF to_regnamespace('audit') IS NOT NULL THEN
    REVOKE ALL ON ALL TABLES IN SCHEMA audit FROM PUBLIC;
    REVOKE UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA audit FROM consular_service;
    GRANT USAGE ON SCHEMA audit TO consular_service;
    GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA audit TO consular_service;
    GRANT USAGE ON ALL SEQUENCES IN SCHEMA audit TO consular_service;
  END IF;
END
$$;
