-- consular-contacts, part 1: the directory of local partners (lawyers, aid organisations,
-- shelters, ...) per country, which countries each post is accredited to, and the idempotency
-- records of the contacts service's mutations. See docs/contacts.md and
-- proto/consular/v1/contacts.proto.
--
-- Enum columns hold the full consular.v1 enum names, as cases.cases does ('PARTNER_KIND_LAWYER',
-- 'VETTING_STATUS_VETTED', 'SPECIALISM_FAMILY_LAW').
--
-- Encrypted (FieldCipher, as migration 0003; associated data {table, column, row key}):
--   contacts.partners.contact_details      serialized PartnerContactDetails   row key: partner id
--   contacts.partners.vetting_note         the latest vetting decision's note  row key: partner id
--   contacts.partners.deactivation_reason  why the partner was deactivated     row key: partner id
--   contacts.idempotency.response          the stored response of a mutation
--                                          row key: "<len(actor)>:<actor><request id>"
-- consular-keys rotate re-encrypts all four (storage::EncryptedColumn).
--
-- Row-level security reads the transaction's scope through the functions of migrations 0004/0005
-- (cases.caller_subject(), cases.caller_role(), cases.caller_post()).
CREATE SCHEMA contacts;

CREATE TABLE contacts.partners (
  id                  uuid        PRIMARY KEY,
  kind                text        NOT NULL
                        CHECK (kind LIKE 'PARTNER\_KIND\_%' AND kind <> 'PARTNER_KIND_UNSPECIFIED'),
  name                text        NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
  country             text        NOT NULL CHECK (country ~ '^[A-Z]{2}$' AND country <> 'NL'),
  city                text        NOT NULL CHECK (char_length(city) BETWEEN 1 AND 100),
  specialisms         text[]      NOT NULL DEFAULT '{}',
  languages           text[]      NOT NULL DEFAULT '{}',
  -- FieldCipher ciphertext of a serialized consular.v1.PartnerContactDetails.
  contact_details     bytea       NOT NULL CHECK (cases.is_field_ciphertext(contact_details)),
  vetting_status      text        NOT NULL
                        CHECK (vetting_status IN ('VETTING_STATUS_UNVETTED', 'VETTING_STATUS_VETTED',
                                                  'VETTING_STATUS_SUSPENDED')),
  -- The latest vetting decision: its note (ciphertext), who made it and when.
  vetting_note        bytea       CHECK (vetting_note IS NULL
                                         OR cases.is_field_ciphertext(vetting_note)),
  vetted_by           text,
  vetted_at           timestamptz,
  active              boolean     NOT NULL DEFAULT true,
  deactivated_at      timestamptz,
  deactivated_by      text,
  deactivation_reason bytea       CHECK (deactivation_reason IS NULL
                                         OR cases.is_field_ciphertext(deactivation_reason)),
  created_by          text        NOT NULL,
  created_at          timestamptz NOT NULL,
  updated_at          timestamptz NOT NULL,
  version             bigint      NOT NULL CHECK (version > 0),
  CHECK ((vetted_by IS NULL) = (vetted_at IS NULL)
         AND (vetted_by IS NULL) = (vetting_note IS NULL)),
  CHECK (active = (deactivated_at IS NULL)
         AND (deactivated_at IS NULL) = (deactivated_by IS NULL)
         AND (deactivated_at IS NULL) = (deactivation_reason IS NULL)),
  CHECK (array_position(specialisms, NULL) IS NULL AND array_position(languages, NULL) IS NULL)
);

COMMENT ON COLUMN contacts.partners.contact_details IS
  'FieldCipher ciphertext of a serialized consular.v1.PartnerContactDetails';
COMMENT ON COLUMN contacts.partners.vetting_note IS
  'FieldCipher ciphertext of the latest vetting decision''s note';
COMMENT ON COLUMN contacts.partners.deactivation_reason IS
  'FieldCipher ciphertext of the reason the partner was deactivated';

-- Listings run by (country, city, name, id), filtered by country, city (case-insensitive) or kind.
CREATE INDEX partners_listing_idx ON contacts.partners (country, city, name, id);
CREATE INDEX partners_city_idx ON contacts.partners (country, lower(city));
CREATE INDEX partners_kind_idx ON contacts.partners (kind, country, city, name, id);
CREATE INDEX partners_specialisms_idx ON contacts.partners USING gin (specialisms);
CREATE INDEX partners_languages_idx ON contacts.partners USING gin (languages);

-- Which countries a post is accredited to (reference data, set by administrators). No row is ever
-- deleted (the service may not DELETE): a country taken off a post's list keeps its row with
-- accredited = false, recording who took it off and when. A post's list is the countries of its
-- rows with accredited = true.
CREATE TABLE contacts.accreditations (
  post        text        NOT NULL CHECK (post ~ '^[A-Z][A-Z0-9-]{1,31}$' AND post <> 'LKHA'),
  country     text        NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
  accredited  boolean     NOT NULL DEFAULT true,
  updated_by  text        NOT NULL,
  updated_at  timestamptz NOT NULL,
  PRIMARY KEY (post, country)
);

CREATE INDEX accreditations_country_idx ON contacts.accreditations (country, post)
  WHERE accredited;

-- As cases.idempotency (migrations 0001 and 0003).
CREATE TABLE contacts.idempotency (
  actor        text        NOT NULL,
  request_id   text        NOT NULL,
  method       text        NOT NULL,
  request_hash bytea       NOT NULL,
  response     bytea       CONSTRAINT idempotency_response_encrypted
                             CHECK (response IS NULL OR cases.is_field_ciphertext(response)),
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (actor, request_id)
);
COMMENT ON COLUMN contacts.idempotency.response IS
  'FieldCipher ciphertext of the serialized response';
COMMENT ON COLUMN contacts.idempotency.request_hash IS
  'Keyed digest (blind-index key) of the method and request: never an unkeyed hash of personal data';

-- Partners are never deleted, and their kind, country and creation stay as created. A deactivation
-- is final. (The services may not DELETE at all; this holds for every other role too.)
CREATE FUNCTION contacts.guard_partner() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'partner % cannot be deleted; deactivate it instead', OLD.id
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF (NEW.id, NEW.kind, NEW.country, NEW.created_by, NEW.created_at)
     IS DISTINCT FROM (OLD.id, OLD.kind, OLD.country, OLD.created_by, OLD.created_at) THEN
    RAISE EXCEPTION 'the kind, country and creation of partner % cannot change', OLD.id
      USING ERRCODE = 'check_violation';
  END IF;
  IF NOT OLD.active
     AND (NEW.active, NEW.deactivated_at, NEW.deactivated_by)
         IS DISTINCT FROM (OLD.active, OLD.deactivated_at, OLD.deactivated_by) THEN
    RAISE EXCEPTION 'partner % is deactivated for good', OLD.id
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END
$$;

CREATE TRIGGER partners_guard BEFORE UPDATE OR DELETE ON contacts.partners
  FOR EACH ROW EXECUTE FUNCTION contacts.guard_partner();

-- Privileges. Nothing for PUBLIC; the services: SELECT, INSERT, UPDATE (never DELETE or
-- TRUNCATE); maintenance jobs (key rotation): SELECT, UPDATE.
REVOKE ALL ON ALL TABLES IN SCHEMA contacts FROM PUBLIC;
GRANT USAGE ON SCHEMA contacts TO consular_service, consular_maintenance;
GRANT SELECT, INSERT, UPDATE ON contacts.partners, contacts.accreditations, contacts.idempotency
  TO consular_service;
GRANT SELECT, UPDATE ON contacts.partners, contacts.accreditations, contacts.idempotency
  TO consular_maintenance;

-- Every table of the schema: ENABLE and FORCE, and the maintenance policy of migration 0004.
DO $$
DECLARE
  t record;
BEGIN
  FOR t IN SELECT c.oid::regclass AS name
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'contacts' AND c.relkind IN ('r', 'p') LOOP
    EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', t.name);
    EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', t.name);
    EXECUTE format('CREATE POLICY maintenance_all ON %s TO consular_maintenance '
                   'USING (true) WITH CHECK (true)', t.name);
  END LOOP;
END
$$;

-- May the caller create or change a partner in `p_country`? Administrators anywhere; post
-- managers in the countries their post is accredited to. Never NULL.
CREATE FUNCTION contacts.caller_may_write_partner(p_country text) RETURNS boolean
  LANGUAGE sql STABLE
  AS $$
    SELECT COALESCE(
      cases.caller_subject() IS NOT NULL
      AND (cases.caller_role() = 'ROLE_ADMINISTRATOR'
           OR (cases.caller_role() = 'ROLE_POST_MANAGER'
               AND EXISTS (SELECT FROM contacts.accreditations a
                            WHERE a.post = cases.caller_post() AND a.country = p_country
                              AND a.accredited))),
      false)
  $$;

-- Any transaction that states who is asking (subject and role) may read the directory.
CREATE FUNCTION contacts.caller_is_known() RETURNS boolean
  LANGUAGE sql STABLE
  AS $$
    SELECT COALESCE(cases.caller_subject() IS NOT NULL AND cases.caller_role() IS NOT NULL, false)
  $$;

CREATE POLICY scope_select ON contacts.partners FOR SELECT
  USING (contacts.caller_is_known());
CREATE POLICY scope_insert ON contacts.partners FOR INSERT
  WITH CHECK (contacts.caller_may_write_partner(country));
CREATE POLICY scope_update ON contacts.partners FOR UPDATE
  USING (contacts.caller_may_write_partner(country))
  WITH CHECK (contacts.caller_may_write_partner(country));

CREATE POLICY scope_select ON contacts.accreditations FOR SELECT
  USING (contacts.caller_is_known());
CREATE POLICY admin_insert ON contacts.accreditations FOR INSERT
  WITH CHECK (cases.caller_subject() IS NOT NULL
              AND cases.caller_role() = 'ROLE_ADMINISTRATOR'
              AND updated_by = cases.caller_subject());
CREATE POLICY admin_update ON contacts.accreditations FOR UPDATE
  USING (cases.caller_subject() IS NOT NULL AND cases.caller_role() = 'ROLE_ADMINISTRATOR')
  WITH CHECK (cases.caller_subject() IS NOT NULL
              AND cases.caller_role() = 'ROLE_ADMINISTRATOR'
              AND updated_by = cases.caller_subject());

-- Idempotency records: each caller only their own.
CREATE POLICY own_select ON contacts.idempotency FOR SELECT
  USING (actor = cases.caller_subject());
CREATE POLICY own_insert ON contacts.idempotency FOR INSERT
  WITH CHECK (actor = cases.caller_subject());
CREATE POLICY own_update ON contacts.idempotency FOR UPDATE
  USING (actor = cases.caller_subject())
  WITH CHECK (actor = cases.caller_subject());
