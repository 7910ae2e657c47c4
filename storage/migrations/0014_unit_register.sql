-- The register of units (docs/contacts.md, "The register of units"): the posts and LKHA that can
-- handle, receive and be shared a case. A case referred to a unit that does not exist could never
-- be reached again, so a referral or a share names a unit of this register that is active; the
-- service checks it (INVALID_ARGUMENT naming the field) and the triggers below refuse it a second
-- time. Administrators write the register through UnitService (consular-contacts); every service
-- reads it. No row is ever deleted: a post that closes is made inactive. A post's accreditation
-- (the countries it covers) stays in contacts.accreditations (migration 0006).

CREATE SCHEMA units;

CREATE TABLE units.units (
  code        text        PRIMARY KEY CHECK (code ~ '^[A-Z][A-Z0-9-]{1,31}$'),
  kind        text        NOT NULL CHECK (kind IN ('UNIT_KIND_POST', 'UNIT_KIND_LKHA')),
  name        text        NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
  city        text        NOT NULL DEFAULT '' CHECK (char_length(city) <= 100),
  country     text        NOT NULL CHECK (country ~ '^[A-Z]{2}$'),  -- where the unit is
  active      boolean     NOT NULL DEFAULT true,
  inactive_reason text    NOT NULL DEFAULT '' CHECK (char_length(inactive_reason) <= 300),
  version     bigint      NOT NULL DEFAULT 1 CHECK (version >= 1),
  created_by  text        NOT NULL,
  created_at  timestamptz NOT NULL,
  updated_by  text        NOT NULL DEFAULT '',
  updated_at  timestamptz,
  CONSTRAINT units_lkha CHECK ((kind = 'UNIT_KIND_LKHA') = (code = 'LKHA')),
  CONSTRAINT units_lkha_active CHECK (kind <> 'UNIT_KIND_LKHA' OR active),
  CONSTRAINT units_inactive_reason CHECK (active = (inactive_reason = ''))
);

-- LKHA, the national expertise centre, is always a unit.
INSERT INTO units.units (code, kind, name, city, country, created_by, created_at)
VALUES ('LKHA', 'UNIT_KIND_LKHA', 'Landelijk Knooppunt Huwelijksdwang en Achterlating',
        'Den Haag', 'NL', 'migration 0014', now());

-- Every post already in use (handling a case, holding a share, accredited for partners) becomes a
-- unit of the register, named by its code until an administrator names it, so that no case or
-- share of a database migrated here points outside the register.
INSERT INTO units.units (code, kind, name, city, country, created_by, created_at)
SELECT code, 'UNIT_KIND_POST', code, '', 'ZZ', 'migration 0014', now()
  FROM (SELECT handling_post AS code FROM cases.cases
        UNION SELECT grantee_unit FROM cases.case_shares
        UNION SELECT granted_by_unit FROM cases.case_shares
        UNION SELECT post FROM contacts.accreditations) used
 WHERE code <> 'LKHA' AND code ~ '^[A-Z][A-Z0-9-]{1,31}$'
ON CONFLICT (code) DO NOTHING;

-- Privileges: the service reads the register and inserts and updates rows (row-level security
-- lets administrators only); never DELETE or TRUNCATE. Maintenance jobs read it.
GRANT USAGE ON SCHEMA units TO consular_service, consular_maintenance;
GRANT SELECT, INSERT, UPDATE ON units.units TO consular_service;
GRANT SELECT ON units.units TO consular_maintenance;

-- Row-level security as everywhere: the register is readable by every caller (it names units,
-- never a person); administrators write it.
ALTER TABLE units.units ENABLE ROW LEVEL SECURITY;
ALTER TABLE units.units FORCE ROW LEVEL SECURITY;
CREATE POLICY maintenance_all ON units.units TO consular_maintenance USING (true) WITH CHECK (true);
CREATE POLICY read_all ON units.units FOR SELECT USING (true);
CREATE POLICY admin_insert ON units.units FOR INSERT
  WITH CHECK (cases.caller_subject() IS NOT NULL AND cases.caller_role() = 'ROLE_ADMINISTRATOR'
              AND created_by = cases.caller_subject());
CREATE POLICY admin_update ON units.units FOR UPDATE
  USING (cases.caller_subject() IS NOT NULL AND cases.caller_role() = 'ROLE_ADMINISTRATOR')
  WITH CHECK (cases.caller_subject() IS NOT NULL AND cases.caller_role() = 'ROLE_ADMINISTRATOR'
              AND updated_by = cases.caller_subject());

-- Is `p_code` an active unit of the register? Never NULL.
CREATE FUNCTION units.is_active(p_code text) RETURNS boolean
  LANGUAGE sql STABLE
  AS $$ SELECT COALESCE((SELECT active FROM units.units WHERE code = p_code), false) $$;

-- How many cases that are not closed `p_code` handles: a post is closed only when it handles none
-- (a case at a closed post could not be reached by anyone who may work it). A count, never a
-- case: readable by the service whoever calls (administrators see no case), as the owner.
CREATE FUNCTION units.open_case_count(p_code text) RETURNS bigint
  LANGUAGE sql STABLE
  SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$
  SELECT count(*) FROM cases.cases WHERE handling_post = p_code AND status <> 'CASE_STATUS_CLOSED'
$$;
REVOKE ALL ON FUNCTION units.open_case_count(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION units.open_case_count(text) TO consular_service;

-- The second wall: a case moves (referral) only to an active unit, and a share is granted only to
-- one.
CREATE FUNCTION units.refuse_unknown_unit() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
DECLARE
  unit text;
BEGIN
  IF TG_TABLE_NAME = 'cases' THEN
    unit := NEW.handling_post;
  ELSE
    unit := NEW.grantee_unit;
  END IF;
  IF NOT units.is_active(unit) THEN
    RAISE EXCEPTION '% is not an active unit of the register', unit
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NEW;
END
$$;

CREATE TRIGGER cases_handling_unit_registered
  BEFORE UPDATE OF handling_post ON cases.cases
  FOR EACH ROW WHEN (NEW.handling_post IS DISTINCT FROM OLD.handling_post)
  EXECUTE FUNCTION units.refuse_unknown_unit();

CREATE TRIGGER case_shares_grantee_registered
  BEFORE INSERT ON cases.case_shares
  FOR EACH ROW EXECUTE FUNCTION units.refuse_unknown_unit();
