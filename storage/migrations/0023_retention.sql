-- Records management (docs/records.md): retention schedules, the archive action date of a closed
-- case, legal holds, destruction lists reviewed before they are processed, and anonymisation
-- (GDPR art. 5(1)(e); Dutch archiving practice as in ZGW: archive nomination, archive action
-- date, a destruction list reviewed by the handling unit and an auditor before execution).
--
-- A closed case gets an archive action date: the day it was closed plus the retention of the
-- schedule in force for its type and outcome (the type's default otherwise). A schedule change
-- applies to cases closed afterwards. Once that date has passed, a case that no legal hold holds
-- is proposed on a destruction list; the unit that handled it and an auditor each approve or
-- exclude it; processing anonymises exactly the cases approved by both and excluded by nobody,
-- and records why it skipped every other. An exclusion always wins.
--
-- Anonymisation destroys the personal part of the case and everything else written about the
-- person (blind indexes, notes, transition reasons and field history, contact notes and ad-hoc
-- counterparts, stored responses, emergency-access and emergency-search reasons) and keeps every
-- categorical column, the timeline's rows and statistical facts, and the audit trail: the
-- statistics stay as they were. The services never DELETE: destruction runs in the SECURITY
-- DEFINER function cases.process_destruction_list, as the owner, through policies that let the
-- owner change and remove only the rows of cases already marked anonymised.

-- The caller's role is `role` and the scope is complete.
CREATE FUNCTION cases.caller_is(p_role text) RETURNS boolean
  LANGUAGE sql STABLE
  AS $$ SELECT COALESCE(cases.caller_subject() IS NOT NULL AND cases.caller_role() = p_role, false) $$;

-- Retention schedules: how many whole years after closing a case of a type (and outcome) keeps
-- its personal data. Versioned: a change is a new row with the next version; rows never change.
-- outcome NULL is the type's default, used for an outcome without a schedule of its own.
CREATE TABLE cases.retention_schedules (
  id              bigserial   PRIMARY KEY,
  case_type       text        NOT NULL
                              CHECK (case_type IN ('CASE_TYPE_ABANDONMENT',
                                                   'CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION')),
  outcome         text        CHECK (outcome IS NULL OR outcome ~ '^OUTCOME_[A-Z_]+$'),
  version         integer     NOT NULL CHECK (version > 0),
  retention_years integer     NOT NULL CHECK (retention_years BETWEEN 0 AND 100),
  changed_by      text        NOT NULL,
  changed_at      timestamptz NOT NULL,
  reason          text        NOT NULL CHECK (char_length(reason) BETWEEN 10 AND 300),
  UNIQUE NULLS NOT DISTINCT (case_type, outcome, version)
);

-- The defaults: ten years after closing for both types (before row-level security is switched
-- on, so the owner can write them).
INSERT INTO cases.retention_schedules (case_type, outcome, version, retention_years, changed_by,
                                       changed_at, reason)
VALUES ('CASE_TYPE_ABANDONMENT', NULL, 1, 10, 'migration 0023', now(),
        'Initial schedule: ten years after closing'),
       ('CASE_TYPE_FOREIGN_DIVORCE_RECOGNITION', NULL, 1, 10, 'migration 0023', now(),
        'Initial schedule: ten years after closing');

-- The retention in force now for a case of this type and outcome: the newest version of the
-- outcome's own schedule, else the newest of the type's default. NULL when there is none.
CREATE FUNCTION cases.retention_years_for(p_case_type text, p_outcome text) RETURNS integer
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$
    SELECT s.retention_years FROM cases.retention_schedules s
     WHERE s.case_type = p_case_type AND (s.outcome = p_outcome OR s.outcome IS NULL)
     ORDER BY s.outcome IS NULL, s.version DESC
     LIMIT 1
  $$;
REVOKE ALL ON FUNCTION cases.retention_years_for(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION cases.retention_years_for(text, text) TO consular_service;

-- Destruction lists: proposed (by the monthly job or an administrator), reviewed, processed once.
-- number: VL-<year>-<n>, n counting the lists of that year. scheduled_month: YYYY-MM for the
-- monthly job's list (one per month, whichever replica proposes it), NULL for one proposed by hand.
CREATE TABLE cases.destruction_lists (
  id              uuid        PRIMARY KEY,
  number          text        NOT NULL UNIQUE CHECK (number ~ '^VL-[0-9]{4}-[0-9]+$'),
  scheduled_month text        UNIQUE CHECK (scheduled_month ~ '^[0-9]{4}-[0-9]{2}$'),
  cut_off         date        NOT NULL,
  proposed_by     text        NOT NULL,
  proposed_at     timestamptz NOT NULL,
  state           text        NOT NULL DEFAULT 'OPEN' CHECK (state IN ('OPEN', 'PROCESSED')),
  processed_by    text,
  processed_at    timestamptz,
  CHECK ((state = 'OPEN') = (processed_at IS NULL)),
  CHECK ((processed_by IS NULL) = (processed_at IS NULL))
);
CREATE INDEX destruction_lists_proposed_idx ON cases.destruction_lists (proposed_at DESC, id DESC);

-- The cases on a list, with what a reviewer needs to judge them (never content) and, once the
-- list is processed, what became of each.
CREATE TABLE cases.destruction_items (
  list_id             uuid        NOT NULL REFERENCES cases.destruction_lists (id),
  case_id             uuid        NOT NULL REFERENCES cases.cases (id),
  case_reference      text        NOT NULL,
  case_type           text        NOT NULL,
  outcome             text,
  handling_post       text        NOT NULL,
  closed_at           timestamptz NOT NULL,
  archive_action_date date        NOT NULL,
  result              text        CHECK (result IN ('ANONYMISED', 'SKIPPED_EXCLUDED',
                                                    'SKIPPED_NOT_APPROVED', 'SKIPPED_HELD',
                                                    'SKIPPED_REOPENED')),
  PRIMARY KEY (list_id, case_id)
);
-- A case is on at most one list that is not processed yet.
CREATE UNIQUE INDEX destruction_items_one_open ON cases.destruction_items (case_id)
  WHERE result IS NULL;
CREATE INDEX destruction_items_unit_idx ON cases.destruction_items (handling_post, list_id);

-- One decision per item and reviewer slot: HANDLING_UNIT (a post manager of the post that handled
-- the case; an LKHA caseworker for LKHA's cases) and AUDITOR. Given once, never changed.
CREATE TABLE cases.destruction_reviews (
  list_id       uuid        NOT NULL,
  case_id       uuid        NOT NULL,
  slot          text        NOT NULL CHECK (slot IN ('HANDLING_UNIT', 'AUDITOR')),
  decision      text        NOT NULL CHECK (decision IN ('APPROVE', 'EXCLUDE')),
  reason        text        NOT NULL CHECK (char_length(reason) BETWEEN 3 AND 300),
  reviewed_by   text        NOT NULL,
  reviewer_role text        NOT NULL,
  reviewer_unit text,
  reviewed_at   timestamptz NOT NULL,
  PRIMARY KEY (list_id, case_id, slot),
  FOREIGN KEY (list_id, case_id) REFERENCES cases.destruction_items (list_id, case_id)
);

-- Legal holds: while a case has a hold not lifted, it is never proposed nor anonymised. The
-- reasons are stored in clear: write the legal ground, not personal data (as a share's basis).
CREATE TABLE cases.legal_holds (
  id             uuid        PRIMARY KEY,
  case_id        uuid        NOT NULL REFERENCES cases.cases (id),
  case_reference text        NOT NULL,
  handling_post  text        NOT NULL,  -- the case's handling unit when the hold was placed
  reason         text        NOT NULL CHECK (char_length(reason) BETWEEN 10 AND 300),
  placed_by      text        NOT NULL,
  placed_by_role text        NOT NULL,
  placed_by_unit text,
  placed_at      timestamptz NOT NULL,
  lifted_by      text,
  lifted_at      timestamptz,
  lift_reason    text        CHECK (lift_reason IS NULL OR char_length(lift_reason) BETWEEN 10 AND 300),
  CHECK ((lifted_at IS NULL) = (lifted_by IS NULL) AND (lifted_at IS NULL) = (lift_reason IS NULL))
);
CREATE INDEX legal_holds_active_idx ON cases.legal_holds (case_id) WHERE lifted_at IS NULL;
CREATE INDEX legal_holds_placed_idx ON cases.legal_holds (placed_at DESC, id DESC);

-- The case: its archive action date (set while closed), and the tombstone of an anonymised one.
ALTER TABLE cases.cases
  ADD COLUMN archive_action_date date,
  ADD COLUMN anonymised_at timestamptz,
  ADD COLUMN anonymised_under text,  -- the number of the destruction list
  ADD CONSTRAINT cases_anonymised_under CHECK ((anonymised_at IS NULL) = (anonymised_under IS NULL)),
  ADD CONSTRAINT cases_anonymised_closed
    CHECK (anonymised_at IS NULL OR status = 'CASE_STATUS_CLOSED'),
  ADD CONSTRAINT cases_archive_date_closed
    CHECK (archive_action_date IS NULL OR status = 'CASE_STATUS_CLOSED');
-- Only an anonymised case is without its personal part and name index, and it has neither.
ALTER TABLE cases.cases
  ALTER COLUMN personal DROP NOT NULL,
  ALTER COLUMN subject_name_bidx DROP NOT NULL,
  ADD CONSTRAINT cases_personal_kept
    CHECK ((personal IS NOT NULL AND subject_name_bidx IS NOT NULL) OR anonymised_at IS NOT NULL),
  ADD CONSTRAINT cases_anonymised_destroyed
    CHECK (anonymised_at IS NULL
           OR (personal IS NULL AND subject_name_bidx IS NULL AND subject_name_birth_bidx IS NULL
               AND subject_sound_bidx IS NULL AND subject_sound_birth_bidx IS NULL));
CREATE INDEX cases_archive_due_idx ON cases.cases (archive_action_date)
  WHERE archive_action_date IS NOT NULL AND anonymised_at IS NULL;

-- Cases closed before this migration: their archive action date by today's schedules (as the
-- owner, past the policies, once; before the trigger below exists).
ALTER TABLE cases.cases NO FORCE ROW LEVEL SECURITY;
UPDATE cases.cases
   SET archive_action_date =
         ((closed_at AT TIME ZONE 'UTC')::date
          + make_interval(years => cases.retention_years_for(case_type, outcome)))::date
 WHERE status = 'CASE_STATUS_CLOSED' AND closed_at IS NOT NULL;
ALTER TABLE cases.cases FORCE ROW LEVEL SECURITY;

-- A contact of an anonymised case keeps its categories, without counterpart or note.
ALTER TABLE contacts.contacts
  ADD COLUMN anonymised_at timestamptz,
  DROP CONSTRAINT contacts_check,
  ADD CONSTRAINT contacts_counterpart
    CHECK ((partner_id IS NULL) <> (ad_hoc IS NULL) OR (anonymised_at IS NOT NULL AND ad_hoc IS NULL)),
  ADD CONSTRAINT contacts_anonymised_destroyed
    CHECK (anonymised_at IS NULL OR (ad_hoc IS NULL AND note IS NULL));

-- The sealed reasons of emergency access and emergency searches name why someone looked for the
-- person: destroyed with the case (who, when, in which role, the review and the audit rows stay).
ALTER TABLE cases.emergency_access
  ADD COLUMN reason_destroyed_at timestamptz,
  ALTER COLUMN reason DROP NOT NULL,
  ADD CONSTRAINT emergency_access_reason_kept
    CHECK ((reason IS NULL) = (reason_destroyed_at IS NOT NULL));
ALTER TABLE cases.emergency_searches
  ADD COLUMN reason_destroyed_at timestamptz,
  ALTER COLUMN reason DROP NOT NULL,
  ADD CONSTRAINT emergency_searches_reason_kept
    CHECK ((reason IS NULL) = (reason_destroyed_at IS NOT NULL));

-- Every path that closes a case gives it its archive action date; every path that reopens it
-- clears it. The schedule is the one in force at closing: a later change of the schedule leaves
-- the cases closed before it as they are.
CREATE FUNCTION cases.set_archive_action_date() RETURNS trigger
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
  AS $$
BEGIN
  IF NEW.status = 'CASE_STATUS_CLOSED' THEN
    IF TG_OP = 'INSERT' OR OLD.status IS DISTINCT FROM 'CASE_STATUS_CLOSED'
       OR NEW.closed_at IS DISTINCT FROM OLD.closed_at THEN
      NEW.archive_action_date :=
        ((COALESCE(NEW.closed_at, now()) AT TIME ZONE 'UTC')::date
         + make_interval(years => cases.retention_years_for(NEW.case_type, NEW.outcome)))::date;
    ELSE
      NEW.archive_action_date := OLD.archive_action_date;
    END IF;
  ELSE
    NEW.archive_action_date := NULL;
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER cases_archive_action_date BEFORE INSERT OR UPDATE ON cases.cases
  FOR EACH ROW EXECUTE FUNCTION cases.set_archive_action_date();

-- An anonymised case never changes again (not reopened, not updated, not moved).
CREATE FUNCTION cases.guard_anonymised_case() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
BEGIN
  IF OLD.anonymised_at IS NOT NULL THEN
    RAISE EXCEPTION 'case % is anonymised', OLD.reference USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER cases_guard_anonymised BEFORE UPDATE ON cases.cases
  FOR EACH ROW EXECUTE FUNCTION cases.guard_anonymised_case();

-- Whether the case is anonymised, whoever asks (definer: for the guards below).
CREATE FUNCTION cases.is_anonymised(p_case_id uuid) RETURNS boolean
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$ SELECT EXISTS (SELECT FROM cases.cases c WHERE c.id = p_case_id AND c.anonymised_at IS NOT NULL) $$;
REVOKE ALL ON FUNCTION cases.is_anonymised(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION cases.is_anonymised(uuid) TO consular_service;

-- Nothing new is written about the person of an anonymised case.
CREATE FUNCTION cases.refuse_anonymised_case() RETURNS trigger
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
  AS $$
BEGIN
  IF cases.is_anonymised(NEW.case_id) THEN
    RAISE EXCEPTION 'case % is anonymised', NEW.case_id USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER case_notes_not_anonymised BEFORE INSERT ON cases.case_notes
  FOR EACH ROW EXECUTE FUNCTION cases.refuse_anonymised_case();
CREATE TRIGGER case_shares_not_anonymised BEFORE INSERT ON cases.case_shares
  FOR EACH ROW EXECUTE FUNCTION cases.refuse_anonymised_case();
CREATE TRIGGER contacts_not_anonymised BEFORE INSERT ON contacts.contacts
  FOR EACH ROW EXECUTE FUNCTION cases.refuse_anonymised_case();

-- Schedules and reviews never change; a hold changes only by being lifted, once; a list only by
-- being processed, once; an item only by getting its result, once.
CREATE FUNCTION cases.refuse_records_change() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
BEGIN
  RAISE EXCEPTION '% rows are never changed or removed', TG_TABLE_NAME
    USING ERRCODE = 'check_violation';
END
$$;
CREATE TRIGGER retention_schedules_frozen BEFORE UPDATE OR DELETE ON cases.retention_schedules
  FOR EACH ROW EXECUTE FUNCTION cases.refuse_records_change();
CREATE TRIGGER destruction_reviews_frozen BEFORE UPDATE OR DELETE ON cases.destruction_reviews
  FOR EACH ROW EXECUTE FUNCTION cases.refuse_records_change();

CREATE FUNCTION cases.guard_records_update() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
BEGIN
  IF TG_TABLE_NAME = 'legal_holds' THEN
    IF OLD.lifted_at IS NOT NULL
       OR (NEW.id, NEW.case_id, NEW.case_reference, NEW.handling_post, NEW.reason, NEW.placed_by,
           NEW.placed_by_role, NEW.placed_by_unit, NEW.placed_at)
          IS DISTINCT FROM
          (OLD.id, OLD.case_id, OLD.case_reference, OLD.handling_post, OLD.reason, OLD.placed_by,
           OLD.placed_by_role, OLD.placed_by_unit, OLD.placed_at) THEN
      RAISE EXCEPTION 'a legal hold can only be lifted, once' USING ERRCODE = 'check_violation';
    END IF;
  ELSIF TG_TABLE_NAME = 'destruction_lists' THEN
    IF OLD.state <> 'OPEN'
       OR (NEW.id, NEW.number, NEW.scheduled_month, NEW.cut_off, NEW.proposed_by, NEW.proposed_at)
          IS DISTINCT FROM
          (OLD.id, OLD.number, OLD.scheduled_month, OLD.cut_off, OLD.proposed_by, OLD.proposed_at)
    THEN
      RAISE EXCEPTION 'a destruction list can only be processed, once'
        USING ERRCODE = 'check_violation';
    END IF;
  ELSIF TG_TABLE_NAME = 'destruction_items' THEN
    IF OLD.result IS NOT NULL
       OR (NEW.list_id, NEW.case_id, NEW.case_reference, NEW.case_type, NEW.outcome,
           NEW.handling_post, NEW.closed_at, NEW.archive_action_date)
          IS DISTINCT FROM
          (OLD.list_id, OLD.case_id, OLD.case_reference, OLD.case_type, OLD.outcome,
           OLD.handling_post, OLD.closed_at, OLD.archive_action_date) THEN
      RAISE EXCEPTION 'an item of a destruction list only gets its result, once'
        USING ERRCODE = 'check_violation';
    END IF;
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER legal_holds_guard BEFORE UPDATE ON cases.legal_holds
  FOR EACH ROW EXECUTE FUNCTION cases.guard_records_update();
CREATE TRIGGER destruction_lists_guard BEFORE UPDATE ON cases.destruction_lists
  FOR EACH ROW EXECUTE FUNCTION cases.guard_records_update();
CREATE TRIGGER destruction_items_guard BEFORE UPDATE ON cases.destruction_items
  FOR EACH ROW EXECUTE FUNCTION cases.guard_records_update();
CREATE FUNCTION cases.refuse_records_delete() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
BEGIN
  RAISE EXCEPTION '% rows are never removed', TG_TABLE_NAME USING ERRCODE = 'check_violation';
END
$$;
CREATE TRIGGER legal_holds_kept BEFORE DELETE ON cases.legal_holds
  FOR EACH ROW EXECUTE FUNCTION cases.refuse_records_delete();
CREATE TRIGGER destruction_lists_kept BEFORE DELETE ON cases.destruction_lists
  FOR EACH ROW EXECUTE FUNCTION cases.refuse_records_delete();
CREATE TRIGGER destruction_items_kept BEFORE DELETE ON cases.destruction_items
  FOR EACH ROW EXECUTE FUNCTION cases.refuse_records_delete();

-- A review is given while its list is open: the list row is locked (shared) until the review
-- commits, so processing, which locks it exclusively first, either waits for the review and sees
-- it, or has finished and the review is refused. Definer: the service may not lock list rows.
CREATE FUNCTION cases.review_while_open() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$
BEGIN
  PERFORM FROM cases.destruction_lists l WHERE l.id = NEW.list_id AND l.state = 'OPEN' FOR SHARE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'destruction list % is processed', NEW.list_id
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END
$$;
REVOKE ALL ON FUNCTION cases.review_while_open() FROM PUBLIC;
CREATE TRIGGER destruction_reviews_open BEFORE INSERT ON cases.destruction_reviews
  FOR EACH ROW EXECUTE FUNCTION cases.review_while_open();

-- The case a records call names, by id or reference, whoever handles it: id, reference, unit,
-- status and whether it is anonymised (never content). For administrators, LKHA caseworkers,
-- auditors, and post managers (their own unit's cases only).
CREATE FUNCTION cases.case_for_records(p_id_or_reference text)
  RETURNS TABLE (id uuid, reference text, handling_post text, status text,
                 anonymised boolean)
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$
    SELECT c.id, c.reference, c.handling_post, c.status, c.anonymised_at IS NOT NULL
      FROM cases.cases c
     WHERE (c.id::text = lower(p_id_or_reference) OR c.reference = upper(p_id_or_reference))
       AND (cases.caller_is('ROLE_ADMINISTRATOR') OR cases.caller_is('ROLE_LKHA_CASEWORKER')
            OR cases.caller_is('ROLE_AUDITOR')
            OR (cases.caller_is('ROLE_POST_MANAGER') AND c.handling_post = cases.caller_unit()))
  $$;
REVOKE ALL ON FUNCTION cases.case_for_records(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION cases.case_for_records(text) TO consular_service;

-- Proposes a destruction list with cut-off `p_cut_off`: every closed case not anonymised whose
-- archive action date is on or before it, without an active legal hold, not on another list that
-- is not processed yet. p_month: the monthly job's month (YYYY-MM), NULL for a list proposed by
-- hand. Returns the list's number and its number of items; no row when there is nothing to
-- propose, or when the month's list exists already. Administrators only (the monthly job acts as
-- one). Proposals are serialised by an advisory lock, so replicas never number two lists alike.
CREATE FUNCTION cases.propose_destruction_list(p_id uuid, p_cut_off date, p_month text,
                                               p_at timestamptz)
  RETURNS TABLE (number text, items integer)
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$
DECLARE
  v_number text;
  v_items integer;
BEGIN
  IF NOT cases.caller_is('ROLE_ADMINISTRATOR') THEN
    RAISE EXCEPTION 'only administrators propose destruction lists'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  PERFORM pg_advisory_xact_lock(hashtext('cases.destruction_lists'));
  IF p_month IS NOT NULL
     AND EXISTS (SELECT FROM cases.destruction_lists l WHERE l.scheduled_month = p_month) THEN
    RETURN;
  END IF;
  IF NOT EXISTS (SELECT FROM cases.cases c
                  WHERE c.status = 'CASE_STATUS_CLOSED' AND c.anonymised_at IS NULL
                    AND c.archive_action_date <= p_cut_off
                    AND NOT EXISTS (SELECT FROM cases.legal_holds h
                                     WHERE h.case_id = c.id AND h.lifted_at IS NULL)
                    AND NOT EXISTS (SELECT FROM cases.destruction_items i
                                     WHERE i.case_id = c.id AND i.result IS NULL)) THEN
    RETURN;
  END IF;
  SELECT format('VL-%s-%s', extract(year FROM p_at AT TIME ZONE 'UTC')::integer, count(*) + 1)
    INTO v_number
    FROM cases.destruction_lists l
   WHERE l.number LIKE format('VL-%s-%%', extract(year FROM p_at AT TIME ZONE 'UTC')::integer);
  INSERT INTO cases.destruction_lists (id, number, scheduled_month, cut_off, proposed_by,
                                       proposed_at)
  VALUES (p_id, v_number, p_month, p_cut_off, cases.caller_subject(), p_at);
  INSERT INTO cases.destruction_items (list_id, case_id, case_reference, case_type, outcome,
                                       handling_post, closed_at, archive_action_date)
  SELECT p_id, c.id, c.reference, c.case_type, c.outcome, c.handling_post, c.closed_at,
         c.archive_action_date
    FROM cases.cases c
   WHERE c.status = 'CASE_STATUS_CLOSED' AND c.anonymised_at IS NULL
     AND c.archive_action_date <= p_cut_off
     AND NOT EXISTS (SELECT FROM cases.legal_holds h WHERE h.case_id = c.id AND h.lifted_at IS NULL)
     AND NOT EXISTS (SELECT FROM cases.destruction_items i
                      WHERE i.case_id = c.id AND i.result IS NULL);
  GET DIAGNOSTICS v_items = ROW_COUNT;
  RETURN QUERY SELECT v_number, v_items;
END
$$;
REVOKE ALL ON FUNCTION cases.propose_destruction_list(uuid, date, text, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION cases.propose_destruction_list(uuid, date, text, timestamptz)
  TO consular_service;

-- How many cases a list with cut-off `p_cut_off` would hold (administrators only; a count, never
-- a case): the monthly job asks before it proposes, so that a month with nothing due leaves no
-- trace but this.
CREATE FUNCTION cases.count_due_for_destruction(p_cut_off date) RETURNS bigint
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$
    SELECT count(*) FROM cases.cases c
     WHERE cases.caller_is('ROLE_ADMINISTRATOR')
       AND c.status = 'CASE_STATUS_CLOSED' AND c.anonymised_at IS NULL
       AND c.archive_action_date <= p_cut_off
       AND NOT EXISTS (SELECT FROM cases.legal_holds h WHERE h.case_id = c.id AND h.lifted_at IS NULL)
       AND NOT EXISTS (SELECT FROM cases.destruction_items i
                        WHERE i.case_id = c.id AND i.result IS NULL)
  $$;
REVOKE ALL ON FUNCTION cases.count_due_for_destruction(date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION cases.count_due_for_destruction(date) TO consular_service;

-- Anonymises one case under list `p_list_number` (called by process_destruction_list only): the
-- personal part and every blind index, the notes, the reasons and field history of its events,
-- its contacts' counterparts and notes, its stored responses, the reasons of emergency access to
-- it and of emergency searches that found it. Appends the ANONYMISED event (its statistical facts
-- are the case's, unchanged, so the statistics are too).
CREATE FUNCTION cases.anonymise_case(p_case_id uuid, p_list_number text, p_actor text,
                                     p_at timestamptz)
  RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$
DECLARE
  v_version bigint;
  v_sequence integer;
BEGIN
  UPDATE cases.cases
     SET personal = NULL, subject_name_bidx = NULL, subject_name_birth_bidx = NULL,
         subject_sound_bidx = NULL, subject_sound_birth_bidx = NULL, assigned_to = NULL,
         assigned_at = NULL, anonymised_at = p_at, anonymised_under = p_list_number,
         version = version + 1, updated_at = p_at
   WHERE id = p_case_id AND status = 'CASE_STATUS_CLOSED' AND anonymised_at IS NULL
  RETURNING version INTO v_version;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'case % cannot be anonymised', p_case_id USING ERRCODE = 'check_violation';
  END IF;
  DELETE FROM cases.case_notes WHERE case_id = p_case_id;
  UPDATE cases.case_events SET reason = NULL, changes = NULL
   WHERE case_id = p_case_id AND (reason IS NOT NULL OR changes IS NOT NULL);
  UPDATE contacts.contacts SET ad_hoc = NULL, note = NULL, anonymised_at = p_at
   WHERE case_id = p_case_id;
  DELETE FROM cases.idempotency WHERE case_id = p_case_id;
  DELETE FROM contacts.idempotency WHERE case_id = p_case_id;
  UPDATE cases.emergency_access SET reason = NULL, reason_destroyed_at = p_at
   WHERE case_id = p_case_id AND reason IS NOT NULL;
  UPDATE cases.emergency_searches SET reason = NULL, reason_destroyed_at = p_at
   WHERE p_case_id = ANY (found_case_ids) AND reason IS NOT NULL;
  SELECT COALESCE(max(e.sequence), 0) + 1 INTO v_sequence
    FROM cases.case_events e WHERE e.case_id = p_case_id;
  INSERT INTO cases.case_events (case_id, sequence, event_type, actor, actor_role, actor_post,
                                 occurred_at, case_version, payload)
  VALUES (p_case_id, v_sequence, 'CASE_EVENT_TYPE_ANONYMISED', p_actor, 'ROLE_ADMINISTRATOR', '',
          p_at, v_version,
          jsonb_build_object('type', 'CASE_EVENT_TYPE_ANONYMISED', 'actor', p_actor,
                             'actor_role', 'ROLE_ADMINISTRATOR',
                             'occurred_at', to_char(p_at AT TIME ZONE 'UTC',
                                                    'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                             'case_version', v_version::text,
                             'destruction_list', p_list_number));
END
$$;
REVOKE ALL ON FUNCTION cases.anonymise_case(uuid, text, text, timestamptz) FROM PUBLIC;

-- Processes an open destruction list in one transaction (administrators only): each item gets its
-- result, in this order of precedence: SKIPPED_EXCLUDED when any reviewer excluded it (an
-- exclusion always wins), SKIPPED_REOPENED when the case is no longer closed, SKIPPED_HELD when a
-- legal hold is active, SKIPPED_NOT_APPROVED unless both slots approved it, else ANONYMISED.
-- Returns every item's case and result. The list row is locked first (reviews wait for it, see
-- review_while_open), then each case row (FOR UPDATE: a hold being placed, which takes a key
-- share on the case row, is waited for and then seen).
CREATE FUNCTION cases.process_destruction_list(p_list_id uuid, p_at timestamptz)
  RETURNS TABLE (case_id uuid, case_reference text, result text)
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$
DECLARE
  v_list cases.destruction_lists;
  v_item record;
  v_result text;
  v_status text;
BEGIN
  IF NOT cases.caller_is('ROLE_ADMINISTRATOR') THEN
    RAISE EXCEPTION 'only administrators process destruction lists'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  SELECT * INTO v_list FROM cases.destruction_lists l WHERE l.id = p_list_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'destruction list % does not exist', p_list_id USING ERRCODE = 'no_data_found';
  END IF;
  IF v_list.state <> 'OPEN' THEN
    RAISE EXCEPTION 'destruction list % is processed already', v_list.number
      USING ERRCODE = 'check_violation';
  END IF;
  FOR v_item IN SELECT i.case_id, i.case_reference FROM cases.destruction_items i
                 WHERE i.list_id = p_list_id ORDER BY i.case_reference LOOP
    SELECT c.status INTO v_status FROM cases.cases c WHERE c.id = v_item.case_id FOR UPDATE;
    IF EXISTS (SELECT FROM cases.destruction_reviews r
                WHERE r.list_id = p_list_id AND r.case_id = v_item.case_id
                  AND r.decision = 'EXCLUDE') THEN
      v_result := 'SKIPPED_EXCLUDED';
    ELSIF v_status IS DISTINCT FROM 'CASE_STATUS_CLOSED' THEN
      v_result := 'SKIPPED_REOPENED';
    ELSIF EXISTS (SELECT FROM cases.legal_holds h
                   WHERE h.case_id = v_item.case_id AND h.lifted_at IS NULL) THEN
      v_result := 'SKIPPED_HELD';
    ELSIF (SELECT count(*) FROM cases.destruction_reviews r
            WHERE r.list_id = p_list_id AND r.case_id = v_item.case_id
              AND r.decision = 'APPROVE') <> 2 THEN
      v_result := 'SKIPPED_NOT_APPROVED';
    ELSE
      PERFORM cases.anonymise_case(v_item.case_id, v_list.number, cases.caller_subject(), p_at);
      v_result := 'ANONYMISED';
    END IF;
    UPDATE cases.destruction_items i SET result = v_result
     WHERE i.list_id = p_list_id AND i.case_id = v_item.case_id;
    case_id := v_item.case_id;
    case_reference := v_item.case_reference;
    result := v_result;
    RETURN NEXT;
  END LOOP;
  UPDATE cases.destruction_lists l
     SET state = 'PROCESSED', processed_by = cases.caller_subject(), processed_at = p_at
   WHERE l.id = p_list_id;
END
$$;
REVOKE ALL ON FUNCTION cases.process_destruction_list(uuid, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION cases.process_destruction_list(uuid, timestamptz) TO consular_service;

-- The view other services read a case through (migration 0007), with whether it is anonymised.
CREATE OR REPLACE VIEW cases.case_access WITH (security_invoker = true) AS
  SELECT c.id, c.reference, c.status, c.country, c.handling_post,
         CASE WHEN c.handling_post = cases.caller_unit() THEN 'HANDLING'
              ELSE cases.caller_grant(c.id) END AS access,
         c.anonymised_at IS NOT NULL AS anonymised
    FROM cases.cases c;

-- Privileges: the services read and write through the policies below, never DELETE.
REVOKE ALL ON cases.retention_schedules, cases.destruction_lists, cases.destruction_items,
  cases.destruction_reviews, cases.legal_holds FROM PUBLIC;
GRANT SELECT, INSERT ON cases.retention_schedules, cases.destruction_reviews TO consular_service;
GRANT SELECT, INSERT, UPDATE ON cases.legal_holds TO consular_service;
GRANT SELECT ON cases.destruction_lists, cases.destruction_items TO consular_service;
GRANT USAGE ON SEQUENCE cases.retention_schedules_id_seq TO consular_service;
GRANT SELECT, UPDATE ON cases.retention_schedules, cases.destruction_lists,
  cases.destruction_items, cases.destruction_reviews, cases.legal_holds TO consular_maintenance;

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['cases.retention_schedules', 'cases.destruction_lists',
                           'cases.destruction_items', 'cases.destruction_reviews',
                           'cases.legal_holds'] LOOP
    EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY maintenance_all ON %s TO consular_maintenance '
                   'USING (true) WITH CHECK (true)', t);
    -- The owner, for the definer functions above (reads).
    EXECUTE format('CREATE POLICY definer_read ON %s FOR SELECT TO CURRENT_USER USING (true)', t);
  END LOOP;
END
$$;

-- Schedules: read by every caller with a scope; a new version written by administrators.
CREATE POLICY scope_select ON cases.retention_schedules FOR SELECT
  USING (cases.caller_subject() IS NOT NULL);
CREATE POLICY admin_insert ON cases.retention_schedules FOR INSERT
  WITH CHECK (cases.caller_is('ROLE_ADMINISTRATOR') AND changed_by = cases.caller_subject());

-- Legal holds: seen by administrators, auditors, LKHA caseworkers and whoever sees the case;
-- placed and lifted by administrators, LKHA caseworkers and the post managers of the post that
-- handles the case.
CREATE POLICY scope_select ON cases.legal_holds FOR SELECT
  USING (cases.caller_is('ROLE_ADMINISTRATOR') OR cases.caller_is('ROLE_AUDITOR')
         OR cases.caller_is('ROLE_LKHA_CASEWORKER')
         OR EXISTS (SELECT FROM cases.cases c WHERE c.id = legal_holds.case_id));
CREATE POLICY scope_insert ON cases.legal_holds FOR INSERT
  WITH CHECK (placed_by = cases.caller_subject() AND placed_by_role = cases.caller_role()
              AND (cases.caller_is('ROLE_ADMINISTRATOR') OR cases.caller_is('ROLE_LKHA_CASEWORKER')
                   OR (cases.caller_is('ROLE_POST_MANAGER')
                       AND EXISTS (SELECT FROM cases.cases c
                                    WHERE c.id = legal_holds.case_id
                                      AND c.handling_post = cases.caller_unit()))));
CREATE POLICY scope_update ON cases.legal_holds FOR UPDATE
  USING (cases.caller_is('ROLE_ADMINISTRATOR') OR cases.caller_is('ROLE_LKHA_CASEWORKER')
         OR (cases.caller_is('ROLE_POST_MANAGER')
             AND EXISTS (SELECT FROM cases.cases c
                          WHERE c.id = legal_holds.case_id
                            AND c.handling_post = cases.caller_unit())))
  WITH CHECK (lifted_by = cases.caller_subject());

-- Lists: seen by administrators, auditors, post managers and LKHA caseworkers (a list holds no
-- content); items and reviews by administrators and auditors all, by a unit's reviewers (post
-- managers; LKHA caseworkers for LKHA) those of their unit. Officers and policy staff see nothing.
CREATE POLICY scope_select ON cases.destruction_lists FOR SELECT
  USING (cases.caller_is('ROLE_ADMINISTRATOR') OR cases.caller_is('ROLE_AUDITOR')
         OR cases.caller_is('ROLE_POST_MANAGER') OR cases.caller_is('ROLE_LKHA_CASEWORKER'));
CREATE POLICY scope_select ON cases.destruction_items FOR SELECT
  USING (cases.caller_is('ROLE_ADMINISTRATOR') OR cases.caller_is('ROLE_AUDITOR')
         OR ((cases.caller_is('ROLE_POST_MANAGER') OR cases.caller_is('ROLE_LKHA_CASEWORKER'))
             AND handling_post = cases.caller_unit()));
CREATE POLICY scope_select ON cases.destruction_reviews FOR SELECT
  USING (cases.caller_is('ROLE_ADMINISTRATOR') OR cases.caller_is('ROLE_AUDITOR')
         OR EXISTS (SELECT FROM cases.destruction_items i
                     WHERE i.list_id = destruction_reviews.list_id
                       AND i.case_id = destruction_reviews.case_id));
-- A review names its reviewer, in the slot the reviewer's role fills, of an item not decided yet.
CREATE POLICY scope_insert ON cases.destruction_reviews FOR INSERT
  WITH CHECK (reviewed_by = cases.caller_subject() AND reviewer_role = cases.caller_role()
              AND EXISTS (SELECT FROM cases.destruction_items i
                           WHERE i.list_id = destruction_reviews.list_id
                             AND i.case_id = destruction_reviews.case_id AND i.result IS NULL
                             AND ((slot = 'AUDITOR' AND cases.caller_is('ROLE_AUDITOR'))
                                  OR (slot = 'HANDLING_UNIT'
                                      AND i.handling_post = cases.caller_unit()
                                      AND (cases.caller_is('ROLE_POST_MANAGER')
                                           OR cases.caller_is('ROLE_LKHA_CASEWORKER'))))));

-- The owner's writes in the definer functions: lists and items it proposes and processes (and
-- the list lock of review_while_open, which needs the update policy).
CREATE POLICY definer_write ON cases.destruction_lists FOR INSERT TO CURRENT_USER
  WITH CHECK (true);
CREATE POLICY definer_process ON cases.destruction_lists FOR UPDATE TO CURRENT_USER
  USING (state = 'OPEN') WITH CHECK (true);
CREATE POLICY definer_write ON cases.destruction_items FOR INSERT TO CURRENT_USER
  WITH CHECK (result IS NULL);
CREATE POLICY definer_process ON cases.destruction_items FOR UPDATE TO CURRENT_USER
  USING (result IS NULL) WITH CHECK (result IS NOT NULL);

-- ... and anonymisation: a closed case is marked anonymised without its personal part; then, and
-- only for cases so marked, the owner reads, changes and removes what else is about the person.
CREATE POLICY definer_anonymise ON cases.cases FOR UPDATE TO CURRENT_USER
  USING (status = 'CASE_STATUS_CLOSED' AND anonymised_at IS NULL)
  WITH CHECK (anonymised_at IS NOT NULL AND personal IS NULL);
CREATE POLICY definer_anonymised_event ON cases.case_events FOR INSERT TO CURRENT_USER
  WITH CHECK (event_type = 'CASE_EVENT_TYPE_ANONYMISED' AND cases.is_anonymised(case_id));
CREATE POLICY definer_destroy_read ON cases.case_notes FOR SELECT TO CURRENT_USER
  USING (cases.is_anonymised(case_id));
CREATE POLICY definer_destroy ON cases.case_notes FOR DELETE TO CURRENT_USER
  USING (cases.is_anonymised(case_id));
CREATE POLICY definer_destroy ON contacts.contacts FOR UPDATE TO CURRENT_USER
  USING (cases.is_anonymised(case_id)) WITH CHECK (ad_hoc IS NULL AND note IS NULL);
CREATE POLICY definer_destroy_read ON cases.idempotency FOR SELECT TO CURRENT_USER
  USING (case_id IS NOT NULL AND cases.is_anonymised(case_id));
CREATE POLICY definer_destroy ON cases.idempotency FOR DELETE TO CURRENT_USER
  USING (case_id IS NOT NULL AND cases.is_anonymised(case_id));
CREATE POLICY definer_destroy_read ON contacts.idempotency FOR SELECT TO CURRENT_USER
  USING (case_id IS NOT NULL AND cases.is_anonymised(case_id));
CREATE POLICY definer_destroy ON contacts.idempotency FOR DELETE TO CURRENT_USER
  USING (case_id IS NOT NULL AND cases.is_anonymised(case_id));
CREATE POLICY definer_destroy ON cases.emergency_access FOR UPDATE TO CURRENT_USER
  USING (cases.is_anonymised(case_id)) WITH CHECK (reason IS NULL);
CREATE POLICY definer_read ON cases.emergency_searches FOR SELECT TO CURRENT_USER USING (true);
CREATE POLICY definer_destroy ON cases.emergency_searches FOR UPDATE TO CURRENT_USER
  USING (EXISTS (SELECT FROM unnest(found_case_ids) AS f (id) WHERE cases.is_anonymised(f.id)))
  WITH CHECK (reason IS NULL);
