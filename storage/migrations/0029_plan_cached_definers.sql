-- Two definer functions on hot paths, rewritten in PL/pgSQL with the same answers.
--
-- A SECURITY DEFINER function written in SQL is never inlined, and PostgreSQL plans its body again
-- on every call. cases.caller_grant runs for every case a caller reaches through a share or an
-- emergency access (the row-level security policies and the services' access column call it),
-- and cases.possible_duplicates for every CreateCase and every search for duplicates: planning was
-- most of their cost. PL/pgSQL keeps the plans of its statements for the session (a pooled
-- connection), so each call only runs them. Owner, privileges, STABLE, SECURITY DEFINER and the
-- fixed search_path are those of the functions replaced (CREATE OR REPLACE keeps owner and
-- privileges).

-- What a live grant gives the caller on a case (migration 0005): 'READ_WRITE' or 'READ' (a live
-- share to the caller's unit, the widest of them), 'EMERGENCY' (the caller's own live emergency
-- access), or NULL. One read of the shares instead of two.
CREATE OR REPLACE FUNCTION cases.caller_grant(p_case_id uuid) RETURNS text
  LANGUAGE plpgsql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$
DECLARE
  v_unit text := cases.caller_unit();
  v_access text;
BEGIN
  IF v_unit IS NOT NULL THEN
    SELECT CASE WHEN bool_or(s.access = 'READ_WRITE') THEN 'READ_WRITE'
                WHEN count(*) > 0 THEN 'READ' END
      INTO v_access
      FROM cases.case_shares s
     WHERE s.case_id = p_case_id AND s.grantee_unit = v_unit AND s.revoked_at IS NULL
       AND (s.expires_at IS NULL OR s.expires_at > now());
    IF v_access IS NOT NULL THEN
      RETURN v_access;
    END IF;
  END IF;
  IF EXISTS (SELECT FROM cases.emergency_access e
              WHERE e.case_id = p_case_id AND e.actor = cases.caller_subject()
                AND e.actor_role = cases.caller_role()
                AND e.actor_role IN ('ROLE_POST_MANAGER', 'ROLE_LKHA_CASEWORKER')
                AND e.expires_at > now()) THEN
    RETURN 'EMERGENCY';
  END IF;
  RETURN NULL;
END
$$;

-- Possible duplicates of a person (migration 0017), unchanged but for the language.
CREATE OR REPLACE FUNCTION cases.possible_duplicates(p_exclude uuid, p_name_birth bytea,
                                                     p_sound bytea, p_sound_birth bytea)
  RETURNS TABLE (id uuid, reference text, handling_post text, match integer, visible boolean)
  LANGUAGE plpgsql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY
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
     LIMIT 20;
END
$$;
