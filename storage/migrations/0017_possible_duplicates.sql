-- Finding the person, not a duplicate. Three more blind indexes of a case's subject (keyed hashes
-- under the blind-index key; crypto/blind_index.h), written with every insert and update of a case:
--   subject_name_birth_bidx   the normalised name and the date of birth (NULL without a date)
--   subject_sound_bidx        the name's transliteration-tolerant key ("El-Amrani", "Elamrani"
--                             and "Al Amrani" share it)
--   subject_sound_birth_bidx  that key and the date of birth (NULL without a date)
-- Cases written before this migration have none until their next update.
ALTER TABLE cases.cases
  ADD COLUMN subject_name_birth_bidx bytea
    CHECK (subject_name_birth_bidx IS NULL OR octet_length(subject_name_birth_bidx) = 32),
  ADD COLUMN subject_sound_bidx bytea
    CHECK (subject_sound_bidx IS NULL OR octet_length(subject_sound_bidx) = 32),
  ADD COLUMN subject_sound_birth_bidx bytea
    CHECK (subject_sound_birth_bidx IS NULL OR octet_length(subject_sound_birth_bidx) = 32);
CREATE INDEX cases_name_birth_bidx_idx ON cases.cases (subject_name_birth_bidx)
  WHERE subject_name_birth_bidx IS NOT NULL;
CREATE INDEX cases_sound_bidx_idx ON cases.cases (subject_sound_bidx)
  WHERE subject_sound_bidx IS NOT NULL;
CREATE INDEX cases_sound_birth_bidx_idx ON cases.cases (subject_sound_birth_bidx)
  WHERE subject_sound_birth_bidx IS NOT NULL;

-- Possible duplicates across all units, for staff who open and work cases. Answers, per matching
-- case (at most 20, strongest match first), how it matched, which unit handles it, and whether
-- the caller may read it (`visible`); the service passes the id and reference on only then.
-- match: 1 same name and date of birth, 2 same name key and date of birth, 3 same name key where
-- one of the two has no date of birth.
CREATE FUNCTION cases.possible_duplicates(p_exclude uuid, p_name_birth bytea, p_sound bytea,
                                          p_sound_birth bytea)
  RETURNS TABLE (id uuid, reference text, handling_post text, match integer, visible boolean)
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$
    SELECT c.id, c.reference, c.handling_post,
           CASE WHEN p_name_birth IS NOT NULL AND c.subject_name_birth_bidx = p_name_birth THEN 1
                WHEN p_sound_birth IS NOT NULL AND c.subject_sound_birth_bidx = p_sound_birth
                  THEN 2
                ELSE 3 END,
           cases.visible_to_caller(c.handling_post, c.id)
      FROM cases.cases c
     WHERE cases.caller_subject() IS NOT NULL
       AND cases.caller_role() IN ('ROLE_CONSULAR_OFFICER', 'ROLE_POST_MANAGER',
                                   'ROLE_LKHA_CASEWORKER')
       AND cases.caller_unit() IS NOT NULL
       AND c.id IS DISTINCT FROM p_exclude
       AND ((p_name_birth IS NOT NULL AND c.subject_name_birth_bidx = p_name_birth)
            OR (p_sound_birth IS NOT NULL AND c.subject_sound_birth_bidx = p_sound_birth)
            OR (p_sound IS NOT NULL AND c.subject_sound_bidx = p_sound
                AND (p_sound_birth IS NULL OR c.subject_sound_birth_bidx IS NULL)))
     ORDER BY 4, c.opened_at DESC, c.id
     LIMIT 20
  $$;
REVOKE ALL ON FUNCTION cases.possible_duplicates(uuid, bytea, bytea, bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION cases.possible_duplicates(uuid, bytea, bytea, bytea)
  TO consular_service;

-- The emergency search: a post manager or LKHA caseworker, stating a reason, finds by exact name
-- and date of birth the reference and handling unit of a person's cases at every unit, and
-- nothing else, so that emergency access can be opened. Every search is recorded here (the reason
-- sealed, bound to cases.emergency_searches.reason and the row id) and flagged in the audit trail.
CREATE FUNCTION cases.emergency_search(p_name_birth bytea)
  RETURNS TABLE (id uuid, reference text, handling_post text)
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$
    SELECT c.id, c.reference, c.handling_post FROM cases.cases c
     WHERE cases.caller_subject() IS NOT NULL
       AND cases.caller_role() IN ('ROLE_POST_MANAGER', 'ROLE_LKHA_CASEWORKER')
       AND cases.caller_unit() IS NOT NULL
       AND c.subject_name_birth_bidx = p_name_birth
     ORDER BY c.opened_at DESC, c.id
     LIMIT 20
  $$;
REVOKE ALL ON FUNCTION cases.emergency_search(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION cases.emergency_search(bytea) TO consular_service;

CREATE TABLE cases.emergency_searches (
  id             uuid        PRIMARY KEY,
  actor          text        NOT NULL,
  actor_role     text        NOT NULL,
  actor_unit     text        NOT NULL,
  reason         bytea       NOT NULL CHECK (cases.is_field_ciphertext(reason)),
  found_case_ids uuid[]      NOT NULL,
  searched_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX emergency_searches_at_idx ON cases.emergency_searches (searched_at DESC, id DESC);

REVOKE ALL ON cases.emergency_searches FROM PUBLIC;
GRANT SELECT, INSERT ON cases.emergency_searches TO consular_service;
GRANT SELECT, UPDATE ON cases.emergency_searches TO consular_maintenance;
ALTER TABLE cases.emergency_searches ENABLE ROW LEVEL SECURITY;
ALTER TABLE cases.emergency_searches FORCE ROW LEVEL SECURITY;
CREATE POLICY maintenance_all ON cases.emergency_searches TO consular_maintenance
  USING (true) WITH CHECK (true);
-- Made by post managers and LKHA caseworkers for themselves; seen by the searcher and auditors.
CREATE POLICY scope_select ON cases.emergency_searches FOR SELECT
  USING (actor = cases.caller_subject() OR cases.caller_role() = 'ROLE_AUDITOR');
CREATE POLICY scope_insert ON cases.emergency_searches FOR INSERT
  WITH CHECK (actor = cases.caller_subject() AND actor_role = cases.caller_role()
              AND actor_role IN ('ROLE_POST_MANAGER', 'ROLE_LKHA_CASEWORKER')
              AND actor_unit = cases.caller_unit());
