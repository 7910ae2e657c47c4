-- Statistics (consular-stats): the statistical facts of a case in clear, the event stream's
-- facts and commit order, the rollups, and the bilateral-talks register. See docs/statistics.md.

-- The statistical facts the case service derives from the encrypted personal part, kept in clear
-- beside the other categorical columns: coarse categories, never a date of birth or a name.
ALTER TABLE cases.cases
  ADD COLUMN stat_age_group text NOT NULL DEFAULT 'AGE_GROUP_UNKNOWN',
  ADD COLUMN stat_mother_with_minor_children boolean NOT NULL DEFAULT false,
  ADD COLUMN stat_recognition_decision text NOT NULL DEFAULT 'RECOGNITION_DECISION_UNSPECIFIED',
  ADD COLUMN stat_recognition_obstacles text[] NOT NULL DEFAULT '{}';

-- The event stream, as statistics read it. `xid`: the writing transaction, so a reader can take
-- exactly the events of transactions that have ended (below the oldest still running one), in
-- order, without ever skipping one that commits late. `facts`: the case's statistical facts (and a
-- contact event's contact) as they stand when the transaction commits, written by the trigger
-- below, so the stream alone rebuilds every figure.
ALTER TABLE cases.case_events
  ADD COLUMN xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
  ADD COLUMN facts jsonb;
CREATE INDEX case_events_xid_idx ON cases.case_events (xid, id);

-- The facts of a case as JSON: what consular-stats counts.
CREATE FUNCTION cases.statistical_facts_of(c cases.cases) RETURNS jsonb
  LANGUAGE sql IMMUTABLE
  AS $$
  SELECT jsonb_build_object(
    'country', c.country,
    'type', c.case_type,
    'status', c.status,
    'outcome', COALESCE(c.outcome, ''),
    'opened', to_char(c.opened_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'),
    'resolved', COALESCE(to_char(c.resolved_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'), ''),
    'age_group', c.stat_age_group,
    'mother_with_minor_children', c.stat_mother_with_minor_children,
    'sex', c.subject_sex,
    'nationality_status', c.subject_nationality_status,
    'referral_source', c.referral_source,
    'risk_flags', to_jsonb(c.risk_flags),
    'recognition_decision', c.stat_recognition_decision,
    'recognition_obstacles', to_jsonb(c.stat_recognition_obstacles))
$$;

-- The facts of a contact as JSON.
CREATE FUNCTION contacts.statistical_facts_of(k contacts.contacts) RETURNS jsonb
  LANGUAGE sql IMMUTABLE
  AS $$
  SELECT jsonb_build_object('id', k.id::text,
                            'day', to_char(k.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'),
                            'partner_kind', k.partner_kind, 'purpose', k.purpose)
$$;

-- Fills an event's facts at commit (a deferred constraint trigger runs after every statement of
-- the transaction, so the facts are those of the committed case and contact, whatever order the
-- service wrote them in). Runs as the schema owner: the event is append-only for the services.
CREATE FUNCTION cases.fill_event_facts() RETURNS trigger
  LANGUAGE plpgsql
  SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$
DECLARE
  f jsonb;
  contact jsonb;
BEGIN
  SELECT cases.statistical_facts_of(c) INTO f FROM cases.cases c WHERE c.id = NEW.case_id;
  IF NEW.event_type IN ('CASE_EVENT_TYPE_CONTACT_LOGGED', 'CASE_EVENT_TYPE_CONTACT_UPDATED',
                        'CASE_EVENT_TYPE_FOLLOW_UP_COMPLETED') THEN
    SELECT contacts.statistical_facts_of(k) INTO contact
      FROM contacts.contacts k WHERE k.id = (NEW.payload ->> 'contact_id')::uuid;
    IF contact IS NOT NULL THEN
      f := f || jsonb_build_object('contact', contact);
    END IF;
  END IF;
  UPDATE cases.case_events SET facts = f WHERE id = NEW.id;
  RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER case_events_facts AFTER INSERT ON cases.case_events
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION cases.fill_event_facts();

-- The owner's reads and the facts update of the definer functions (row-level security is forced
-- on the owner too).
CREATE POLICY definer_read ON cases.case_events FOR SELECT TO CURRENT_USER USING (true);
CREATE POLICY definer_facts ON cases.case_events FOR UPDATE TO CURRENT_USER
  USING (true) WITH CHECK (true);
CREATE POLICY definer_read ON contacts.contacts FOR SELECT TO CURRENT_USER USING (true);

-- The stream for consular-stats: the events of transactions with after <= (xid, id) and
-- xid < before, oldest first, at most p_limit, with their facts and nothing else (no payload,
-- no actor, no reason). Events written before this migration carry no facts: they are given the
-- case's facts now.
CREATE FUNCTION cases.statistical_events(p_after_xid xid8, p_after_id bigint, p_before xid8,
                                         p_limit integer)
  RETURNS TABLE (id bigint, xid xid8, case_id uuid, sequence integer, event_type text,
                 occurred_at timestamptz, facts jsonb)
  LANGUAGE sql STABLE
  SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$
  SELECT e.id, e.xid, e.case_id, e.sequence, e.event_type, e.occurred_at,
         COALESCE(e.facts, (SELECT cases.statistical_facts_of(c) FROM cases.cases c
                             WHERE c.id = e.case_id))
    FROM cases.case_events e
   WHERE (e.xid, e.id) > (p_after_xid, p_after_id) AND e.xid < p_before
   ORDER BY e.xid, e.id
   LIMIT p_limit
$$;

-- The newest event's time, for reporting how far the rollups lag behind.
CREATE FUNCTION cases.statistical_newest_event()
  RETURNS TABLE (xid xid8, occurred_at timestamptz)
  LANGUAGE sql STABLE
  SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$
  SELECT e.xid, e.occurred_at FROM cases.case_events e ORDER BY e.id DESC LIMIT 1
$$;

REVOKE ALL ON FUNCTION cases.statistical_events(xid8, bigint, xid8, integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION cases.statistical_newest_event() FROM PUBLIC;
REVOKE ALL ON FUNCTION cases.fill_event_facts() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION cases.statistical_events(xid8, bigint, xid8, integer),
  cases.statistical_newest_event() TO consular_service;

-- Every rollup recounted with a plain GROUP BY over the base tables (cases.cases and
-- contacts.contacts), for one country or (NULL) all: what `verify` compares the rollups with.
-- Written apart from the rollup code on purpose, so the two check each other.
CREATE FUNCTION cases.statistical_recount(p_country text)
  RETURNS TABLE (country text, year integer, month integer, measure text, dimension text,
                 category text, n bigint)
  LANGUAGE sql STABLE
  SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$
  WITH c AS (
    SELECT c.id, c.country, c.case_type, c.status, c.outcome, c.risk_flags, c.referral_source,
           c.subject_sex, c.subject_nationality_status, c.stat_age_group,
           c.stat_mother_with_minor_children, c.stat_recognition_decision,
           c.stat_recognition_obstacles,
           (c.opened_at AT TIME ZONE 'UTC') AS opened, (c.resolved_at AT TIME ZONE 'UTC') AS resolved
      FROM cases.cases c
     WHERE p_country IS NULL OR c.country = p_country
  ), opened AS (
    SELECT c.country, c.opened, d.dimension, d.category
      FROM c CROSS JOIN LATERAL (VALUES
        ('TOTAL', '*'),
        ('DIMENSION_CASE_TYPE', c.case_type),
        ('DIMENSION_STATUS', c.status),
        ('DIMENSION_AGE_GROUP', c.stat_age_group),
        ('DIMENSION_MOTHER_WITH_MINOR_CHILDREN',
         CASE WHEN c.stat_mother_with_minor_children THEN 'YES' ELSE 'NO' END),
        ('DIMENSION_SEX', c.subject_sex),
        ('DIMENSION_NATIONALITY_STATUS', c.subject_nationality_status),
        ('DIMENSION_REFERRAL_SOURCE', c.referral_source)) AS d (dimension, category)
    UNION ALL
    SELECT c.country, c.opened, 'DIMENSION_RISK_FLAG', f.flag
      FROM c CROSS JOIN LATERAL unnest(c.risk_flags) AS f (flag)
    UNION ALL
    SELECT c.country, c.opened, 'DIMENSION_RECOGNITION_DECISION', c.stat_recognition_decision
      FROM c WHERE c.case_type = 'CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION'
    UNION ALL
    SELECT c.country, c.opened, 'DIMENSION_RECOGNITION_OBSTACLE', o.obstacle
      FROM c CROSS JOIN LATERAL unnest(c.stat_recognition_obstacles) AS o (obstacle)
     WHERE c.case_type = 'CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION'
  ), resolved AS (
    SELECT c.country, c.resolved, d.dimension, d.category
      FROM c CROSS JOIN LATERAL (VALUES
        ('TOTAL', '*'),
        ('DIMENSION_CASE_TYPE', c.case_type),
        ('DIMENSION_OUTCOME', COALESCE(c.outcome, '')),
        ('DAYS', (c.resolved::date - c.opened::date)::text)) AS d (dimension, category)
     WHERE c.resolved IS NOT NULL
  ), contacted AS (
    SELECT c.country, (k.occurred_at AT TIME ZONE 'UTC') AS occurred, d.dimension, d.category
      FROM contacts.contacts k
      JOIN c ON c.id = k.case_id
      CROSS JOIN LATERAL (VALUES
        ('TOTAL', '*'),
        ('DIMENSION_PARTNER_KIND', k.partner_kind),
        ('DIMENSION_CONTACT_PURPOSE', k.purpose)) AS d (dimension, category)
  )
  SELECT country, extract(year FROM opened)::integer, extract(month FROM opened)::integer,
         'MEASURE_CASES_OPENED', dimension, category, count(*)
    FROM opened GROUP BY 1, 2, 3, 5, 6
  UNION ALL
  SELECT country, extract(year FROM resolved)::integer, extract(month FROM resolved)::integer,
         'MEASURE_CASES_RESOLVED', dimension, category, count(*)
    FROM resolved GROUP BY 1, 2, 3, 5, 6
  UNION ALL
  SELECT country, extract(year FROM occurred)::integer, extract(month FROM occurred)::integer,
         'MEASURE_CONTACTS', dimension, category, count(*)
    FROM contacted GROUP BY 1, 2, 3, 5, 6
$$;

REVOKE ALL ON FUNCTION cases.statistical_recount(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION cases.statistical_recount(text) TO consular_service;

-- consular-stats' own tables.
CREATE SCHEMA IF NOT EXISTS stats;

-- How far the rollups have read the stream: every event with (xid, id) <= (applied_xid,
-- applied_id) is in them. One row.
CREATE TABLE stats.cursor (
  singleton     boolean     PRIMARY KEY DEFAULT true CHECK (singleton),
  applied_xid   xid8        NOT NULL DEFAULT '0'::xid8,
  applied_id    bigint      NOT NULL DEFAULT 0,
  -- Every transaction below this one had ended when the rollups last caught up.
  horizon       xid8        NOT NULL DEFAULT '0'::xid8,
  caught_up_at  timestamptz NOT NULL DEFAULT '-infinity'
);
INSERT INTO stats.cursor DEFAULT VALUES;

-- The facts each case and contact last contributed (to take them back when they change), and the
-- sequence number of the case event they came with: events of one case are applied in sequence
-- order (the order their transactions committed in, as the case row lock serialises them), an
-- older one arriving later is skipped.
CREATE TABLE stats.case_state (
  case_id  uuid    PRIMARY KEY,
  sequence integer NOT NULL,
  facts    jsonb   NOT NULL
);
CREATE TABLE stats.contact_state (
  contact_id uuid    PRIMARY KEY,
  case_id    uuid    NOT NULL,
  sequence   integer NOT NULL,
  facts      jsonb   NOT NULL
);
CREATE INDEX contact_state_case_idx ON stats.contact_state (case_id);

-- The rollups: counts per country, calendar month (UTC), measure, dimension and category.
-- measure: MEASURE_CASES_OPENED (by month of opening), MEASURE_CASES_RESOLVED (by month of
-- resolution; dimension DAYS counts the days from opening to resolution), MEASURE_CONTACTS (by
-- month of the contact). dimension: a consular.v1.Dimension name, or TOTAL (category '*': every
-- case or contact of the measure).
CREATE TABLE stats.rollup (
  country   text    NOT NULL,
  year      integer NOT NULL,
  month     integer NOT NULL CHECK (month BETWEEN 1 AND 12),
  measure   text    NOT NULL,
  dimension text    NOT NULL,
  category  text    NOT NULL,
  -- No CHECK (n >= 0): an upsert checks the row it would insert (a negative change) first.
  n         bigint  NOT NULL,
  PRIMARY KEY (country, year, month, measure, dimension, category)
);

-- The bilateral-talks register. Statistics: the serialized consular.v1.CountryStatistics as
-- published when the talk was recorded; never updated.
CREATE TABLE stats.talks (
  id                uuid        PRIMARY KEY,
  country           text        NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
  held_on           date        NOT NULL,
  level             text        NOT NULL,
  topics            text[]      NOT NULL,
  summary           text        NOT NULL,
  outcome           text        NOT NULL,
  follow_up         text        NOT NULL,
  follow_up_due     date,
  recorded_by       text        NOT NULL,
  recorded_at       timestamptz NOT NULL,
  statistics_period bytea       NOT NULL,
  statistics        bytea       NOT NULL
);
CREATE INDEX talks_country_idx ON stats.talks (country, held_on DESC, id DESC);
CREATE INDEX talks_held_idx ON stats.talks (held_on DESC, id DESC);

CREATE FUNCTION stats.refuse_change() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
BEGIN
  RAISE EXCEPTION 'talks are never changed or removed' USING ERRCODE = 'check_violation';
END
$$;
CREATE TRIGGER talks_frozen BEFORE UPDATE OR DELETE ON stats.talks
  FOR EACH ROW EXECUTE FUNCTION stats.refuse_change();

CREATE TABLE stats.idempotency (
  actor        text        NOT NULL,
  request_id   text        NOT NULL,
  method       text        NOT NULL,
  request_hash bytea       NOT NULL,
  response     bytea,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (actor, request_id)
);

REVOKE ALL ON ALL TABLES IN SCHEMA stats FROM PUBLIC;
GRANT USAGE ON SCHEMA stats TO consular_service;
GRANT SELECT, INSERT, UPDATE, DELETE ON stats.cursor, stats.case_state, stats.contact_state,
  stats.rollup TO consular_service;
GRANT SELECT, INSERT ON stats.talks TO consular_service;
GRANT SELECT, INSERT, UPDATE ON stats.idempotency TO consular_service;
GRANT USAGE ON SCHEMA stats TO consular_maintenance;
GRANT SELECT, UPDATE ON stats.idempotency TO consular_maintenance;
