-- Exports of case data (docs/records.md): the person's own data (GDPR art. 15, "subject
-- access") and bulk exports of a unit's cases to an authority or a court. Both are asked for by one
-- staff member and answered by a second one (never the first); nothing leaves before that answer.
--
-- Subject access: an officer or post manager of the unit handling a case (an LKHA caseworker for
-- LKHA's cases) asks; a post manager of that unit (another LKHA caseworker) approves or refuses
-- with a reason. Once approved the requester or the approver obtains the export until
-- available_until; it is rendered from the case when obtained and never stored.
--
-- Bulk export: a post manager, officer or LKHA caseworker asks for the cases in their unit's scope
-- matching a filter, stating a legal basis, a recipient and a purpose; a post manager of the same
-- unit (another LKHA caseworker for LKHA) approves or refuses. Approving produces the file in the
-- same transaction, encrypted for the recipient (a password the service never stores, or an
-- OpenPGP public key) and stored sealed by the service's field cipher (FieldCipher, bound to
-- table, column and id). The requester downloads it until it expires or its downloads are used
-- up; the stored file is destroyed then (cases.purge_expired_exports, or the last download).
--
-- A request changes only by being answered, once; after that only its downloads decrease and its
-- file is destroyed (or re-sealed by key rotation). The services have no DELETE privilege.

CREATE TABLE cases.subject_access_requests (
  id                 uuid        PRIMARY KEY,
  case_id            uuid        NOT NULL REFERENCES cases.cases (id),
  case_reference     text        NOT NULL,
  unit               text        NOT NULL,  -- the unit handling the case when it was asked
  language           text        NOT NULL CHECK (language IN ('nl', 'en')),
  -- The reference of the person's request, or a note on it: sealed like a case note.
  request_note       bytea       NOT NULL CHECK (octet_length(request_note) > 0),
  requested_by       text        NOT NULL,
  requested_by_role  text        NOT NULL
                                 CHECK (requested_by_role IN ('ROLE_CONSULAR_OFFICER',
                                                              'ROLE_POST_MANAGER',
                                                              'ROLE_LKHA_CASEWORKER')),
  requested_at       timestamptz NOT NULL,
  state              text        NOT NULL DEFAULT 'PENDING'
                                 CHECK (state IN ('PENDING', 'APPROVED', 'REFUSED')),
  answered_by        text,
  answered_at        timestamptz,
  refusal_reason     text        CHECK (refusal_reason IS NULL
                                        OR char_length(refusal_reason) BETWEEN 1 AND 300),
  available_until    timestamptz,
  CHECK ((state = 'PENDING') = (answered_at IS NULL)),
  CHECK ((answered_by IS NULL) = (answered_at IS NULL)),
  CHECK (answered_by IS NULL OR answered_by <> requested_by),
  CHECK ((state = 'REFUSED') = (refusal_reason IS NOT NULL)),
  CHECK ((state = 'APPROVED') = (available_until IS NOT NULL)),
  CHECK (available_until IS NULL
         OR (available_until > answered_at AND available_until <= answered_at + interval '30 days'))
);
CREATE INDEX subject_access_unit_idx
  ON cases.subject_access_requests (unit, requested_at DESC, id DESC);
CREATE INDEX subject_access_case_idx ON cases.subject_access_requests (case_id);

CREATE TABLE cases.exports (
  id                    uuid        PRIMARY KEY,
  unit                  text        NOT NULL,  -- the requester's unit: whose cases are exported
  requested_by          text        NOT NULL,
  requested_by_role     text        NOT NULL
                                    CHECK (requested_by_role IN ('ROLE_CONSULAR_OFFICER',
                                                                 'ROLE_POST_MANAGER',
                                                                 'ROLE_LKHA_CASEWORKER')),
  requested_at          timestamptz NOT NULL,
  -- The filter, in clear categories (storage::CaseFilter); NULL: any.
  filter_country        text        CHECK (filter_country ~ '^[A-Z]{2}$'),
  filter_type           text,
  filter_status         text,
  filter_opened_from    date,
  filter_opened_to      date        CHECK (filter_opened_to >= filter_opened_from),
  -- Stored in clear: a legal ground, an authority and a purpose, never personal data.
  legal_basis           text        NOT NULL CHECK (char_length(legal_basis) BETWEEN 10 AND 300),
  recipient             text        NOT NULL CHECK (char_length(recipient) BETWEEN 1 AND 200),
  purpose               text        NOT NULL CHECK (char_length(purpose) BETWEEN 1 AND 300),
  state                 text        NOT NULL DEFAULT 'PENDING'
                                    CHECK (state IN ('PENDING', 'APPROVED', 'REFUSED')),
  answered_by           text,
  answered_at           timestamptz,
  refusal_reason        text        CHECK (refusal_reason IS NULL
                                           OR char_length(refusal_reason) BETWEEN 1 AND 300),
  -- Set by the approval: how the file is protected (the password itself is never stored), until
  -- when and how often it may be downloaded, what it holds.
  protection            text        CHECK (protection IN ('PASSWORD', 'OPENPGP')),
  recipient_key         text        CHECK (recipient_key IS NULL
                                           OR recipient_key ~ '^[0-9A-F]{40,64}$'),
  expires_at            timestamptz,
  downloads_allowed     integer     CHECK (downloads_allowed BETWEEN 1 AND 10),
  downloads_left        integer     CHECK (downloads_left >= 0 AND downloads_left <= downloads_allowed),
  case_count            integer     CHECK (case_count >= 0),
  file_name             text        CHECK (file_name ~ '^[A-Za-z0-9._-]{1,100}$'),
  file_sha256           bytea       CHECK (octet_length(file_sha256) = 32),
  -- The encrypted file, sealed again by the FieldCipher; NULL once destroyed.
  file                  bytea       CHECK (octet_length(file) > 0),
  file_destroyed_at     timestamptz,
  CHECK ((state = 'PENDING') = (answered_at IS NULL)),
  CHECK ((answered_by IS NULL) = (answered_at IS NULL)),
  CHECK (answered_by IS NULL OR answered_by <> requested_by),
  CHECK ((state = 'REFUSED') = (refusal_reason IS NOT NULL)),
  CHECK ((state = 'APPROVED') = (protection IS NOT NULL)
         AND (state = 'APPROVED') = (expires_at IS NOT NULL)
         AND (state = 'APPROVED') = (downloads_allowed IS NOT NULL)
         AND (state = 'APPROVED') = (downloads_left IS NOT NULL)
         AND (state = 'APPROVED') = (case_count IS NOT NULL)
         AND (state = 'APPROVED') = (file_name IS NOT NULL)
         AND (state = 'APPROVED') = (file_sha256 IS NOT NULL)),
  CHECK ((protection = 'OPENPGP') = (recipient_key IS NOT NULL)),
  CHECK (expires_at IS NULL
         OR (expires_at >= answered_at + interval '1 day'
             AND expires_at <= answered_at + interval '30 days')),
  -- An approved export holds its file until it is destroyed, and only then lacks it.
  CHECK (state <> 'APPROVED' OR (file IS NULL) = (file_destroyed_at IS NOT NULL)),
  CHECK (state = 'APPROVED' OR (file IS NULL AND file_destroyed_at IS NULL))
);
CREATE INDEX exports_unit_idx ON cases.exports (unit, requested_at DESC, id DESC);
CREATE INDEX exports_live_file_idx ON cases.exports (expires_at) WHERE file IS NOT NULL;

-- The role that answers a request of `unit`: LKHA caseworkers for LKHA, post managers for a post.
CREATE FUNCTION cases.export_approver_role(unit text) RETURNS text
  LANGUAGE sql IMMUTABLE
  AS $$ SELECT CASE WHEN unit = 'LKHA' THEN 'ROLE_LKHA_CASEWORKER' ELSE 'ROLE_POST_MANAGER' END $$;

-- Whether the transaction runs key rotation or another maintenance task (not a service).
CREATE FUNCTION cases.in_maintenance() RETURNS boolean
  LANGUAGE sql STABLE
  AS $$ SELECT pg_has_role(current_user, 'consular_maintenance', 'MEMBER') $$;

-- A subject-access request is answered once, by the caller, in the approver's role and never by
-- the requester; nothing else about it changes (its sealed note only by key rotation).
CREATE FUNCTION cases.guard_subject_access_update() RETURNS trigger
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
  IF NEW.request_note IS DISTINCT FROM OLD.request_note AND NOT cases.in_maintenance() THEN
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
CREATE TRIGGER subject_access_guard BEFORE UPDATE ON cases.subject_access_requests
  FOR EACH ROW EXECUTE FUNCTION cases.guard_subject_access_update();

-- An export is answered once, as a subject-access request is. After that its downloads only
-- decrease, by the requester; its file is destroyed once (when expired by the database clock or
-- with the last download) and otherwise changes only by key rotation.
CREATE FUNCTION cases.guard_export_update() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
BEGIN
  IF (NEW.id, NEW.unit, NEW.requested_by, NEW.requested_by_role, NEW.requested_at,
      NEW.filter_country, NEW.filter_type, NEW.filter_status, NEW.filter_opened_from,
      NEW.filter_opened_to, NEW.legal_basis, NEW.recipient, NEW.purpose)
     IS DISTINCT FROM
     (OLD.id, OLD.unit, OLD.requested_by, OLD.requested_by_role, OLD.requested_at,
      OLD.filter_country, OLD.filter_type, OLD.filter_status, OLD.filter_opened_from,
      OLD.filter_opened_to, OLD.legal_basis, OLD.recipient, OLD.purpose) THEN
    RAISE EXCEPTION 'an export request can only be answered' USING ERRCODE = 'check_violation';
  END IF;
  IF OLD.state = 'PENDING' THEN
    IF NEW.state <> 'PENDING' AND (NEW.answered_by IS DISTINCT FROM cases.caller_subject()
       OR cases.caller_role() IS DISTINCT FROM cases.export_approver_role(OLD.unit)
       OR cases.caller_unit() IS DISTINCT FROM OLD.unit) THEN
      RAISE EXCEPTION 'only a % of % other than the requester answers this export',
                      cases.export_approver_role(OLD.unit), OLD.unit
        USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.downloads_left IS DISTINCT FROM NEW.downloads_allowed THEN
      RAISE EXCEPTION 'an export starts with all its downloads' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
  END IF;
  IF (NEW.state, NEW.answered_by, NEW.answered_at, NEW.refusal_reason, NEW.protection,
      NEW.recipient_key, NEW.expires_at, NEW.downloads_allowed, NEW.case_count, NEW.file_name,
      NEW.file_sha256)
     IS DISTINCT FROM
     (OLD.state, OLD.answered_by, OLD.answered_at, OLD.refusal_reason, OLD.protection,
      OLD.recipient_key, OLD.expires_at, OLD.downloads_allowed, OLD.case_count, OLD.file_name,
      OLD.file_sha256) THEN
    RAISE EXCEPTION 'export % is answered already', OLD.id USING ERRCODE = 'check_violation';
  END IF;
  IF NEW.downloads_left > OLD.downloads_left THEN
    RAISE EXCEPTION 'the downloads of export % only decrease', OLD.id
      USING ERRCODE = 'check_violation';
  END IF;
  IF NEW.downloads_left < OLD.downloads_left AND NOT cases.in_maintenance()
     AND (cases.caller_subject() IS DISTINCT FROM OLD.requested_by
          OR OLD.file IS NULL OR OLD.expires_at <= now()) THEN
    RAISE EXCEPTION 'only the requester downloads export %, while it is held', OLD.id
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF OLD.file IS NULL AND NEW.file IS NOT NULL THEN
    RAISE EXCEPTION 'the file of export % is destroyed', OLD.id USING ERRCODE = 'check_violation';
  END IF;
  IF NEW.file IS NULL AND OLD.file IS NOT NULL
     AND NOT (OLD.expires_at <= now() OR NEW.downloads_left = 0) THEN
    RAISE EXCEPTION 'the file of export % is destroyed only once it expired or was used up', OLD.id
      USING ERRCODE = 'check_violation';
  END IF;
  IF NEW.file IS NOT NULL AND NEW.file IS DISTINCT FROM OLD.file AND NOT cases.in_maintenance() THEN
    RAISE EXCEPTION 'the file of export % changes only by key rotation', OLD.id
      USING ERRCODE = 'check_violation';
  END IF;
  IF NEW.file_destroyed_at IS DISTINCT FROM OLD.file_destroyed_at
     AND OLD.file_destroyed_at IS NOT NULL THEN
    RAISE EXCEPTION 'the file of export % is destroyed already', OLD.id
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER exports_guard BEFORE UPDATE ON cases.exports
  FOR EACH ROW EXECUTE FUNCTION cases.guard_export_update();

-- Destroys the stored file of every export whose expiry has passed by the database clock, of every
-- unit (the services see only their own unit's exports). Returns how many files it destroyed.
-- Definer, like audit.dequeue_chained: the services may not destroy what they cannot see; the
-- housekeeping job calls it, and so do DownloadExport and ListExports.
CREATE FUNCTION cases.purge_expired_exports() RETURNS bigint
  LANGUAGE sql
  SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$
    WITH gone AS (
      UPDATE cases.exports SET file = NULL, file_destroyed_at = now()
       WHERE file IS NOT NULL AND expires_at <= now()
      RETURNING 1)
    SELECT count(*) FROM gone
  $$;
REVOKE ALL ON FUNCTION cases.purge_expired_exports() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION cases.purge_expired_exports() TO consular_service, consular_maintenance;

-- Privileges and row-level security, as for the other tables of schema cases (0004, 0005, 0021).
REVOKE ALL ON cases.subject_access_requests, cases.exports FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE ON cases.subject_access_requests, cases.exports TO consular_service;
GRANT SELECT, UPDATE ON cases.subject_access_requests, cases.exports TO consular_maintenance;
ALTER TABLE cases.subject_access_requests ENABLE ROW LEVEL SECURITY;
ALTER TABLE cases.subject_access_requests FORCE ROW LEVEL SECURITY;
ALTER TABLE cases.exports ENABLE ROW LEVEL SECURITY;
ALTER TABLE cases.exports FORCE ROW LEVEL SECURITY;
CREATE POLICY maintenance_all ON cases.subject_access_requests TO consular_maintenance
  USING (true) WITH CHECK (true);
CREATE POLICY maintenance_all ON cases.exports TO consular_maintenance
  USING (true) WITH CHECK (true);
-- The owner, for cases.purge_expired_exports: it reads and destroys files, nothing else (the
-- guard trigger holds it to that).
CREATE POLICY definer_read ON cases.exports FOR SELECT TO CURRENT_USER USING (true);
CREATE POLICY definer_purge ON cases.exports FOR UPDATE TO CURRENT_USER
  USING (file IS NOT NULL) WITH CHECK (file IS NULL);

-- Subject access: seen and answered within the unit that handled the case when it was asked;
-- asked by its officers and post managers (LKHA caseworkers) about a case it handles.
CREATE POLICY scope_select ON cases.subject_access_requests FOR SELECT
  USING (unit = cases.caller_unit());
CREATE POLICY scope_insert ON cases.subject_access_requests FOR INSERT
  WITH CHECK (requested_by = cases.caller_subject() AND requested_by_role = cases.caller_role()
              AND unit = cases.caller_unit() AND state = 'PENDING'
              AND EXISTS (SELECT FROM cases.cases c
                           WHERE c.id = subject_access_requests.case_id
                             AND c.handling_post = cases.caller_unit()));
CREATE POLICY scope_update ON cases.subject_access_requests FOR UPDATE
  USING (unit = cases.caller_unit())
  WITH CHECK (unit = cases.caller_unit());

-- Exports: seen within the requester's unit; asked for by its staff for themselves; answered by
-- the unit's approvers and downloaded by the requester (the guard trigger tells which).
CREATE POLICY scope_select ON cases.exports FOR SELECT
  USING (unit = cases.caller_unit());
CREATE POLICY scope_insert ON cases.exports FOR INSERT
  WITH CHECK (requested_by = cases.caller_subject() AND requested_by_role = cases.caller_role()
              AND unit = cases.caller_unit() AND state = 'PENDING');
CREATE POLICY scope_update ON cases.exports FOR UPDATE
  USING (unit = cases.caller_unit())
  WITH CHECK (unit = cases.caller_unit());
