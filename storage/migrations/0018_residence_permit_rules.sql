-- How long a person may stay abroad before her Dutch residence permit lapses, per kind of permit,
-- and when to warn: data, not code (the deadline engine of consular-cases reads it). A regular or
-- asylum permit lapses when its holder moves her main residence abroad, which is presumed after
-- six consecutive months abroad; an EU long-term resident permit after twelve consecutive months
-- outside the EU. Administrators change the rows with a migration or as consular_maintenance.
CREATE TABLE cases.residence_permit_rules (
  permit_kind       text      PRIMARY KEY CHECK (permit_kind ~ '^PERMIT_KIND_[A-Z_]+$'),
  max_months_abroad integer   NOT NULL CHECK (max_months_abroad BETWEEN 1 AND 120),
  -- Weeks before the day at which to warn, largest first, e.g. {8,4,1}.
  warn_weeks        integer[] NOT NULL CHECK (cardinality(warn_weeks) BETWEEN 1 AND 10),
  description       text      NOT NULL CHECK (length(description) BETWEEN 1 AND 300)
);

INSERT INTO cases.residence_permit_rules VALUES
  ('PERMIT_KIND_REGULAR_FIXED_TERM', 6, '{8,4,1}',
   'regular permit (fixed term): lapses after 6 consecutive months abroad'),
  ('PERMIT_KIND_REGULAR_INDEFINITE', 6, '{8,4,1}',
   'regular permit (indefinite term): lapses after 6 consecutive months abroad'),
  ('PERMIT_KIND_EU_LONG_TERM_RESIDENT', 12, '{8,4,1}',
   'EU long-term resident permit: lapses after 12 consecutive months outside the EU'),
  ('PERMIT_KIND_ASYLUM_FIXED_TERM', 6, '{8,4,1}',
   'asylum permit (fixed term): lapses after 6 consecutive months abroad'),
  ('PERMIT_KIND_ASYLUM_INDEFINITE', 6, '{8,4,1}',
   'asylum permit (indefinite term): lapses after 6 consecutive months abroad'),
  ('PERMIT_KIND_EU_FAMILY_MEMBER', 6, '{8,4,1}',
   'residence document of an EU citizen''s family member: lapses after 6 consecutive months abroad');

REVOKE ALL ON cases.residence_permit_rules FROM PUBLIC;
GRANT SELECT ON cases.residence_permit_rules TO consular_service;
GRANT SELECT, INSERT, UPDATE, DELETE ON cases.residence_permit_rules TO consular_maintenance;
ALTER TABLE cases.residence_permit_rules ENABLE ROW LEVEL SECURITY;
ALTER TABLE cases.residence_permit_rules FORCE ROW LEVEL SECURITY;
CREATE POLICY read_all ON cases.residence_permit_rules FOR SELECT USING (true);
CREATE POLICY maintenance_all ON cases.residence_permit_rules TO consular_maintenance
  USING (true) WITH CHECK (true);
