-- Anonymisation (migration 0023) reaches the subject-access requests (migration 0024): the sealed
-- note of a request (the reference of her request, or a note on it) is destroyed when its case is
-- anonymised, whatever anonymises it. Who asked, who answered, when and the outcome stay, as for
-- the reasons of emergency access.
ALTER TABLE cases.subject_access_requests
  ALTER COLUMN request_note DROP NOT NULL,
  ADD COLUMN note_destroyed_at timestamptz,
  ADD CONSTRAINT subject_access_note_kept_or_destroyed
    CHECK ((request_note IS NULL) = (note_destroyed_at IS NOT NULL));

-- The guard of 0024, with one more way for the note to change: destroyed, once, for an anonymised
-- case.
CREATE OR REPLACE FUNCTION cases.guard_subject_access_update() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
BEGIN
  IF (NEW.id, NEW.case_id, NEW.case_reference, NEW.unit, NEW.language, NEW.requested_by,
      NEW.requested_by_role, NEW.requested_at)
     IS DISTINCT FROM
     (OLD.id, OLD.case_id, OLD.case_reference, OLD.unit, OLD.language, OLD.requested_by,
      OLD.requested_by_role, OLD.requested_at) THEN
    RAISE EXCEPTION 'a subject-access request can only be answered' USING ERRCODE = 'check_violation';
  END IF;
  IF NEW.request_note IS NULL AND OLD.request_note IS NOT NULL THEN
    IF NOT cases.is_anonymised(OLD.case_id) THEN
      RAISE EXCEPTION 'the note of a subject-access request is destroyed only with its case'
        USING ERRCODE = 'check_violation';
    END IF;
  ELSIF (NEW.request_note IS DISTINCT FROM OLD.request_note
         OR NEW.note_destroyed_at IS DISTINCT FROM OLD.note_destroyed_at)
        AND NOT cases.in_maintenance() THEN
    RAISE EXCEPTION 'the note of a subject-access request changes only by key rotation'
      USING ERRCODE = 'check_violation';
  END IF;
  IF (NEW.state, NEW.answered_by, NEW.answered_at, NEW.refusal_reason, NEW.available_until)
     IS DISTINCT FROM
     (OLD.state, OLD.answered_by, OLD.answered_at, OLD.refusal_reason, OLD.available_until) THEN
    IF OLD.state <> 'PENDING' THEN
      RAISE EXCEPTION 'subject-access request % is answered already', OLD.id
        USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.answered_by IS DISTINCT FROM cases.caller_subject()
       OR cases.caller_role() IS DISTINCT FROM cases.export_approver_role(OLD.unit)
       OR cases.caller_unit() IS DISTINCT FROM OLD.unit THEN
      RAISE EXCEPTION 'only a % of % other than the requester answers this request',
                      cases.export_approver_role(OLD.unit), OLD.unit
        USING ERRCODE = 'insufficient_privilege';
    END IF;
  END IF;
  RETURN NEW;
END
$$;

-- Fired when a case becomes a tombstone. Definer: the owner destroys the notes, through the
-- narrow policies below (row-level security is forced on the owner too).
CREATE FUNCTION cases.destroy_subject_access_notes() RETURNS trigger
  LANGUAGE plpgsql
  SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$
BEGIN
  UPDATE cases.subject_access_requests
     SET request_note = NULL, note_destroyed_at = NEW.anonymised_at
   WHERE case_id = NEW.id AND request_note IS NOT NULL;
  RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION cases.destroy_subject_access_notes() FROM PUBLIC;

CREATE TRIGGER cases_anonymised_subject_access AFTER UPDATE OF anonymised_at ON cases.cases
  FOR EACH ROW WHEN (OLD.anonymised_at IS NULL AND NEW.anonymised_at IS NOT NULL)
  EXECUTE FUNCTION cases.destroy_subject_access_notes();

CREATE POLICY definer_destroy_read ON cases.subject_access_requests FOR SELECT TO CURRENT_USER
  USING (cases.is_anonymised(case_id));
CREATE POLICY definer_destroy ON cases.subject_access_requests FOR UPDATE TO CURRENT_USER
  USING (cases.is_anonymised(case_id)) WITH CHECK (request_note IS NULL);
