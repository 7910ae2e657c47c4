-- Auditors look a case's trail up by its reference (ABN-2026-00001) as well as by its UUID, and
-- see no case: the audit service turns a reference into the case's UUID through this function,
-- which reads the reference column only, as the owner (the definer_read policy of migration
-- 0005). NULL when no case has that reference.
CREATE FUNCTION cases.case_id_of_reference(p_reference text) RETURNS uuid
  LANGUAGE sql STABLE
  SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$ SELECT id FROM cases.cases WHERE reference = p_reference $$;
REVOKE ALL ON FUNCTION cases.case_id_of_reference(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION cases.case_id_of_reference(text) TO consular_service;
