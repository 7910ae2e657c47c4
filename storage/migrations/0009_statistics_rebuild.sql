-- Statistics at scale. A rebuild of the rollups in one pass over the event stream: instead of
-- replaying every event, it takes for each case the facts of its last event, and for each contact
-- the facts of the last event that carried it (what replaying would end with); definer functions
-- like those of migration 0008, categories only. And an index for the cases unresolved at a
-- period's end.

-- Per case, in case id order: the facts of its last event (by sequence) among the events of
-- transactions below p_before.
CREATE FUNCTION cases.statistical_last_case_facts(p_before xid8)
  RETURNS TABLE (case_id uuid, sequence integer, facts jsonb)
  LANGUAGE sql STABLE
  SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$
  SELECT c.id, l.sequence, l.facts
    FROM cases.cases c
    CROSS JOIN LATERAL (
      SELECT e.sequence, COALESCE(e.facts, cases.statistical_facts_of(c)) AS facts
        FROM cases.case_events e
       WHERE e.case_id = c.id AND e.xid < p_before
       ORDER BY e.sequence DESC
       LIMIT 1) l
   ORDER BY c.id
$$;

-- Per contact, in case id order: its case and the facts of the last event (by sequence) that
-- carried it, among the events of transactions below p_before.
CREATE FUNCTION cases.statistical_last_contact_facts(p_before xid8)
  RETURNS TABLE (contact_id uuid, case_id uuid, sequence integer, facts jsonb)
  LANGUAGE sql STABLE
  SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$
  SELECT l.contact_id, l.case_id, l.sequence, l.facts
    FROM (SELECT DISTINCT ON (e.facts -> 'contact' ->> 'id')
                 (e.facts -> 'contact' ->> 'id')::uuid AS contact_id, e.case_id, e.sequence,
                 e.facts -> 'contact' AS facts
            FROM cases.case_events e
           WHERE e.xid < p_before
             AND e.event_type IN ('CASE_EVENT_TYPE_CONTACT_LOGGED', 'CASE_EVENT_TYPE_CONTACT_UPDATED',
                                  'CASE_EVENT_TYPE_FOLLOW_UP_COMPLETED')
             AND e.facts ? 'contact'
           ORDER BY e.facts -> 'contact' ->> 'id', e.sequence DESC) l
   ORDER BY l.case_id, l.contact_id
$$;

-- The last event of the transactions below p_before, in stream order (where a rebuild leaves
-- the cursor), and how many events those transactions wrote.
CREATE FUNCTION cases.statistical_last_event(p_before xid8)
  RETURNS TABLE (xid xid8, id bigint, events bigint)
  LANGUAGE sql STABLE
  SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$
  SELECT e.xid, e.id, (SELECT count(*) FROM cases.case_events c WHERE c.xid < p_before)
    FROM cases.case_events e WHERE e.xid < p_before
   ORDER BY e.xid DESC, e.id DESC LIMIT 1
$$;

REVOKE ALL ON FUNCTION cases.statistical_last_case_facts(xid8) FROM PUBLIC;
REVOKE ALL ON FUNCTION cases.statistical_last_contact_facts(xid8) FROM PUBLIC;
REVOKE ALL ON FUNCTION cases.statistical_last_event(xid8) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION cases.statistical_last_case_facts(xid8),
  cases.statistical_last_contact_facts(xid8), cases.statistical_last_event(xid8)
  TO consular_service;

-- Cases unresolved at a period's end sum every earlier year's openings and resolutions: a small
-- covering index for that, instead of reading every earlier rollup row of the country.
CREATE INDEX rollup_cumulative_idx ON stats.rollup (country, year) INCLUDE (measure, dimension, category, n)
  WHERE measure IN ('MEASURE_CASES_OPENED', 'MEASURE_CASES_RESOLVED')
    AND dimension IN ('TOTAL', 'DIMENSION_CASE_TYPE');
