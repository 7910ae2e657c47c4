-- Statistics of contacts by persons: how many cases (persons) had a contact, not only how many
-- contacts there were. Five contacts with lawyers in one case are one person: the disclosure
-- threshold applies to the persons a figure is about. See docs/statistics.md.

-- Which cases had contacts where: per case, the month of its contacts (calendar month, UTC) and
-- each (dimension, category) a contact counts under (TOTAL '*', DIMENSION_PARTNER_KIND,
-- DIMENSION_CONTACT_PURPOSE, as in stats.rollup), how many of the case's contacts fall there.
-- A reference count, kept by the rollup engine with the rollups (in the same transaction as the
-- cursor moves): a row exists while n > 0 and goes when the last contact leaves it. `country`
-- is the case's country as it stands now: a case moved to another country moves its rows, as
-- its contacts move in stats.rollup. Distinct cases per month, quarter or year are counted from
-- these rows when read (a case with contacts in January and February is one case in the
-- quarter).
CREATE TABLE stats.contact_presence (
  case_id   uuid    NOT NULL,
  country   text    NOT NULL,
  year      integer NOT NULL,
  month     integer NOT NULL CHECK (month BETWEEN 1 AND 12),
  dimension text    NOT NULL,
  category  text    NOT NULL,
  n         bigint  NOT NULL CHECK (n > 0),
  PRIMARY KEY (case_id, country, year, month, dimension, category)
);

-- Filled from the state the rollups stand on (the facts each contact last contributed, counted
-- in its case's country as last contributed), so that the presence agrees with the rollups and
-- their cursor from the start; the cursor is locked meanwhile, so an updater running now
-- finishes first. An older consular-stats still catching up after this migration does not keep
-- the presence: `consular-stats verify` then reports the difference and `consular-stats
-- rebuild` builds it again.
SELECT FROM stats.cursor FOR UPDATE;
INSERT INTO stats.contact_presence (case_id, country, year, month, dimension, category, n)
SELECT k.case_id, c.facts ->> 'country',
       extract(year FROM (k.facts ->> 'day')::date)::integer,
       extract(month FROM (k.facts ->> 'day')::date)::integer,
       d.dimension, d.category, count(*)
  FROM stats.contact_state k
  JOIN stats.case_state c ON c.case_id = k.case_id
  CROSS JOIN LATERAL (VALUES
    ('TOTAL', '*'),
    ('DIMENSION_PARTNER_KIND', k.facts ->> 'partner_kind'),
    ('DIMENSION_CONTACT_PURPOSE', k.facts ->> 'purpose')) AS d (dimension, category)
 GROUP BY 1, 2, 3, 4, 5, 6;

-- Reading one country's years, from the index alone.
CREATE INDEX contact_presence_country_idx ON stats.contact_presence (country, year)
  INCLUDE (month, dimension, category, case_id);

-- The persons recounted over the base tables (contacts.contacts and cases.cases) with a plain
-- COUNT(DISTINCT), for one country or (NULL) all: per country, year, slot, dimension and
-- category, the number of distinct cases with at least one contact there. slot: 0..11 a month
-- (January is 0), 12 + q a quarter (q = 0..3), 16 the whole year. What `verify` compares the
-- presence table with; written apart from the rollup code on purpose, like
-- cases.statistical_recount. Categories and counts only, never a case.
CREATE FUNCTION cases.statistical_contact_cases_recount(p_country text)
  RETURNS TABLE (country text, year integer, slot integer, dimension text, category text,
                 cases bigint)
  LANGUAGE sql STABLE
  SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$
  WITH contacted AS (
    SELECT c.country, k.case_id,
           extract(year FROM k.occurred_at AT TIME ZONE 'UTC')::integer AS year,
           extract(month FROM k.occurred_at AT TIME ZONE 'UTC')::integer AS month,
           d.dimension, d.category
      FROM contacts.contacts k
      JOIN cases.cases c ON c.id = k.case_id
      CROSS JOIN LATERAL (VALUES
        ('TOTAL', '*'),
        ('DIMENSION_PARTNER_KIND', k.partner_kind),
        ('DIMENSION_CONTACT_PURPOSE', k.purpose)) AS d (dimension, category)
     WHERE p_country IS NULL OR c.country = p_country
  )
  SELECT country, year, month - 1, dimension, category, count(DISTINCT case_id)
    FROM contacted GROUP BY country, year, month, dimension, category
  UNION ALL
  SELECT country, year, 12 + (month - 1) / 3, dimension, category, count(DISTINCT case_id)
    FROM contacted GROUP BY country, year, 12 + (month - 1) / 3, dimension, category
  UNION ALL
  SELECT country, year, 16, dimension, category, count(DISTINCT case_id)
    FROM contacted GROUP BY country, year, dimension, category
$$;

REVOKE ALL ON FUNCTION cases.statistical_contact_cases_recount(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION cases.statistical_contact_cases_recount(text) TO consular_service;

REVOKE ALL ON stats.contact_presence FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE, DELETE ON stats.contact_presence TO consular_service;
