-- Three more statistical facts of a case, derived by the case service like those of migration
-- 0008 (storage/case_facts.h) and kept in clear beside them: the children on an abandonment case,
-- who pays for its return, and the furthest stage the foreign proceedings of a divorce-recognition
-- case reached. See docs/statistics.md.
--
-- The personal part is encrypted, so existing rows cannot be derived here: they get the defaults,
-- which are the categories of "not counted" (children) and "not recorded" (funding, stage; no case
-- has stages yet), and their facts at their next change. Events written before this migration
-- carry facts without these keys; consular-stats reads a missing key as the same default
-- (services/stats/rollups.cc), so the rollups and the recount below agree.
ALTER TABLE cases.cases
  ADD COLUMN stat_children text NOT NULL DEFAULT 'CHILDREN_UNKNOWN',
  ADD COLUMN stat_return_funding text NOT NULL DEFAULT 'RETURN_FUNDING_UNSPECIFIED',
  ADD COLUMN stat_recognition_stage text NOT NULL DEFAULT 'PROCEEDINGS_STAGE_UNSPECIFIED';

-- The facts of a case as JSON, with the new ones. Every definer function of migrations 0008 and
-- 0009 (the event trigger, the stream, the rebuild's last facts) reads them through this one.
CREATE OR REPLACE FUNCTION cases.statistical_facts_of(c cases.cases) RETURNS jsonb
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
    'recognition_obstacles', to_jsonb(c.stat_recognition_obstacles),
    'recognition_stage', c.stat_recognition_stage,
    'children', c.stat_children,
    'return_funding', c.stat_return_funding)
$$;

-- The recount of migration 0008 with the new dimensions: DIMENSION_CHILDREN over the abandonment
-- cases opened, DIMENSION_RECOGNITION_STAGE over the divorce-recognition cases opened, and
-- DIMENSION_RETURN_FUNDING over the cases resolved as returned to the Netherlands.
CREATE OR REPLACE FUNCTION cases.statistical_recount(p_country text)
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
           c.stat_recognition_obstacles, c.stat_recognition_stage, c.stat_children,
           c.stat_return_funding,
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
    SELECT c.country, c.opened, d.dimension, d.category
      FROM c CROSS JOIN LATERAL (VALUES
        ('DIMENSION_RECOGNITION_DECISION', c.stat_recognition_decision),
        ('DIMENSION_RECOGNITION_STAGE', c.stat_recognition_stage)) AS d (dimension, category)
     WHERE c.case_type = 'CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION'
    UNION ALL
    SELECT c.country, c.opened, 'DIMENSION_RECOGNITION_OBSTACLE', o.obstacle
      FROM c CROSS JOIN LATERAL unnest(c.stat_recognition_obstacles) AS o (obstacle)
     WHERE c.case_type = 'CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION'
    UNION ALL
    SELECT c.country, c.opened, 'DIMENSION_CHILDREN', c.stat_children
      FROM c WHERE c.case_type = 'CASE_TYPE_ABANDONMENT'
  ), resolved AS (
    SELECT c.country, c.resolved, d.dimension, d.category
      FROM c CROSS JOIN LATERAL (VALUES
        ('TOTAL', '*'),
        ('DIMENSION_CASE_TYPE', c.case_type),
        ('DIMENSION_OUTCOME', COALESCE(c.outcome, '')),
        ('DAYS', (c.resolved::date - c.opened::date)::text)) AS d (dimension, category)
     WHERE c.resolved IS NOT NULL
    UNION ALL
    SELECT c.country, c.resolved, 'DIMENSION_RETURN_FUNDING', c.stat_return_funding
      FROM c WHERE c.resolved IS NOT NULL AND c.outcome = 'OUTCOME_RETURNED_TO_NL'
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
