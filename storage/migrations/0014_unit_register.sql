-- The register of units (docs/security.md, "Units"): the posts and LKHA that can handle, receive
-- and be shared a case. A case referred to a unit that does not exist could never be reached
-- again, so a referral or a share names a unit of this register that is active; the service
-- checks it (INVALID_ARGUMENT naming the field) and the triggers below refuse it a second time.
-- The service reads the register; no row is ever deleted (a unit that closes is made inactive).

CREATE SCHEMA units;

CREATE TABLE units.units (
  code        text        PRIMARY KEY CHECK (code ~ '^[A-Z][A-Z0-9-]{1,31}$'),
  kind        text        NOT NULL CHECK (kind IN ('UNIT_KIND_POST', 'UNIT_KIND_LKHA')),
  name        text        NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
  city        text        NOT NULL DEFAULT '' CHECK (char_length(city) <= 100),
  country     text        NOT NULL CHECK (country ~ '^[A-Z]{2}$'),  -- where the unit is
  active      boolean     NOT NULL DEFAULT true,
  created_by  text        NOT NULL,
  created_at  timestamptz NOT NULL,
  CONSTRAINT units_lkha CHECK ((kind = 'UNIT_KIND_LKHA') = (code = 'LKHA'))
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

-- Privileges: the service reads the register; maintenance jobs read it too. Nothing else.
GRANT USAGE ON SCHEMA units TO consular_service, consular_maintenance;
GRANT SELECT ON units.units TO consular_service, consular_maintenance;

-- Row-level security as everywhere: the register is readable by every caller of the service (it
-- names units, never a person).
ALTER TABLE units.units ENABLE ROW LEVEL SECURITY;
ALTER TABLE units.units FORCE ROW LEVEL SECURITY;
CREATE POLICY maintenance_all ON units.units TO consular_maintenance USING (true) WITH CHECK (true);
CREATE POLICY read_all ON units.units FOR SELECT TO consular_service USING (true);

-- Is `p_code` an active unit of the register? Never NULL.
CREATE FUNCTION units.is_active(p_code text) RETURNS boolean
  LANGUAGE sql STABLE
  AS $$ SELECT COALESCE((SELECT active FROM units.units WHERE code = p_code), false) $$;

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
