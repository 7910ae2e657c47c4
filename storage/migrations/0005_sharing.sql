-- Sharing, referral and emergency access (docs/security.md).
--
-- A case is handled by one unit: a post (code as in the staff token) or LKHA, the national
-- expertise centre, whose caseworkers share one unit named 'LKHA' (no post may carry that code).
-- Beyond its handling unit a case is visible through:
--   a share       the handling unit grants LKHA or another post READ or READ_WRITE access, with a
--                 legal basis and an optional expiry, until revoked;
--   emergency     a post manager or LKHA caseworker opens it read-only for a few hours, stating a
--                 reason (stored encrypted); every such access is reviewed afterwards.
-- Whether a share or an emergency access is live is judged by the database clock (now()) in the
-- application's queries and in the policies alike.

CREATE TABLE cases.case_shares (
  id              uuid        PRIMARY KEY,
  case_id         uuid        NOT NULL REFERENCES cases.cases (id),
  grantee_unit    text        NOT NULL CHECK (grantee_unit ~ '^[A-Z][A-Z0-9-]{1,31}$'),
  access          text        NOT NULL CHECK (access IN ('READ', 'READ_WRITE')),
  legal_basis     text        NOT NULL CHECK (char_length(legal_basis) BETWEEN 1 AND 300),
  granted_by      text        NOT NULL,
  granted_by_unit text        NOT NULL,
  granted_at      timestamptz NOT NULL,
  expires_at      timestamptz CHECK (expires_at > granted_at),
  revoked_at      timestamptz,
  revoked_by      text,
  CHECK ((revoked_at IS NULL) = (revoked_by IS NULL))
);

CREATE INDEX case_shares_case_idx ON cases.case_shares (case_id, granted_at, id);
CREATE INDEX case_shares_grantee_idx ON cases.case_shares (grantee_unit, case_id)
  WHERE revoked_at IS NULL;

CREATE TABLE cases.emergency_access (
  id             uuid        PRIMARY KEY,
  case_id        uuid        NOT NULL REFERENCES cases.cases (id),
  case_reference text        NOT NULL,
  handling_post  text        NOT NULL,  -- the handling unit when it was opened: its reviewer
  actor          text        NOT NULL,
  actor_role     text        NOT NULL,
  actor_unit     text        NOT NULL,
  -- Encrypted like a note (FieldCipher; table, column and id bound in the associated data).
  reason         bytea       NOT NULL CHECK (octet_length(reason) > 0),
  opened_at      timestamptz NOT NULL,
  expires_at     timestamptz NOT NULL,
  review         text        CHECK (review IN ('JUSTIFIED', 'NOT_JUSTIFIED')),
  reviewed_by    text,
  reviewed_at    timestamptz,
  CHECK (expires_at > opened_at AND expires_at <= opened_at + interval '8 hours'),
  CHECK ((review IS NULL) = (reviewed_by IS NULL) AND (review IS NULL) = (reviewed_at IS NULL)),
  CHECK (reviewed_by IS NULL OR reviewed_by <> actor)
);

CREATE INDEX emergency_access_case_actor_idx ON cases.emergency_access (case_id, actor);
CREATE INDEX emergency_access_opened_idx ON cases.emergency_access (opened_at DESC, id DESC);
CREATE INDEX emergency_access_post_idx
  ON cases.emergency_access (handling_post, opened_at DESC, id DESC);

-- A share changes only by being revoked, once; an emergency access only by being reviewed, once.
CREATE FUNCTION cases.guard_share_update() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
BEGIN
  IF OLD.revoked_at IS NOT NULL THEN
    RAISE EXCEPTION 'share % is revoked and cannot change', OLD.id
      USING ERRCODE = 'check_violation';
  END IF;
  IF (NEW.id, NEW.case_id, NEW.grantee_unit, NEW.access, NEW.legal_basis, NEW.granted_by,
      NEW.granted_by_unit, NEW.granted_at, NEW.expires_at)
     IS DISTINCT FROM
     (OLD.id, OLD.case_id, OLD.grantee_unit, OLD.access, OLD.legal_basis, OLD.granted_by,
      OLD.granted_by_unit, OLD.granted_at, OLD.expires_at) THEN
    RAISE EXCEPTION 'a share can only be revoked' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END
$$;

CREATE TRIGGER case_shares_guard BEFORE UPDATE ON cases.case_shares
  FOR EACH ROW EXECUTE FUNCTION cases.guard_share_update();

CREATE FUNCTION cases.guard_emergency_update() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
BEGIN
  -- The reason may change only by key rotation, which re-encrypts the same text.
  IF (NEW.id, NEW.case_id, NEW.case_reference, NEW.handling_post, NEW.actor, NEW.actor_role,
      NEW.actor_unit, NEW.opened_at, NEW.expires_at)
     IS DISTINCT FROM
     (OLD.id, OLD.case_id, OLD.case_reference, OLD.handling_post, OLD.actor, OLD.actor_role,
      OLD.actor_unit, OLD.opened_at, OLD.expires_at) THEN
    RAISE EXCEPTION 'an emergency access can only be reviewed' USING ERRCODE = 'check_violation';
  END IF;
  IF OLD.review IS NOT NULL
     AND (NEW.review, NEW.reviewed_by, NEW.reviewed_at)
         IS DISTINCT FROM (OLD.review, OLD.reviewed_by, OLD.reviewed_at) THEN
    RAISE EXCEPTION 'emergency access % is reviewed already', OLD.id
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END
$$;

CREATE TRIGGER emergency_access_guard BEFORE UPDATE ON cases.emergency_access
  FOR EACH ROW EXECUTE FUNCTION cases.guard_emergency_update();

-- The caller's unit: the post of an officer or post manager, 'LKHA' for an LKHA caseworker, NULL
-- for everyone else and for an incomplete scope.
CREATE FUNCTION cases.caller_unit() RETURNS text
  LANGUAGE sql STABLE
  AS $$
    SELECT CASE
      WHEN cases.caller_subject() IS NULL THEN NULL
      WHEN cases.caller_role() IN ('ROLE_CONSULAR_OFFICER', 'ROLE_POST_MANAGER')
        THEN NULLIF(cases.caller_post(), 'LKHA')
      WHEN cases.caller_role() = 'ROLE_LKHA_CASEWORKER' THEN 'LKHA'
    END
  $$;

-- What a live grant gives the caller on a case: 'READ_WRITE' or 'READ' (a share to the caller's
-- unit), 'EMERGENCY' (the caller's own emergency access), or NULL.
--
-- SECURITY DEFINER, run as the schema owner: the policies of cases.cases call it, and the grant
-- tables' own policies look at cases.cases, so reading the grants under the caller's policies would
-- go round in circles. The owner reads them through the definer_read policies below (the owner can
-- switch row-level security off anyway; the services' role is never the owner, see
-- storage::CheckRowLevelSecurityEnforced). It answers only for the scope the transaction states.
CREATE FUNCTION cases.caller_grant(p_case_id uuid) RETURNS text
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$
    SELECT CASE
      WHEN EXISTS (SELECT FROM cases.case_shares s
                    WHERE s.case_id = p_case_id AND s.grantee_unit = cases.caller_unit()
                      AND s.access = 'READ_WRITE' AND s.revoked_at IS NULL
                      AND (s.expires_at IS NULL OR s.expires_at > now()))
        THEN 'READ_WRITE'
      WHEN EXISTS (SELECT FROM cases.case_shares s
                    WHERE s.case_id = p_case_id AND s.grantee_unit = cases.caller_unit()
                      AND s.revoked_at IS NULL
                      AND (s.expires_at IS NULL OR s.expires_at > now()))
        THEN 'READ'
      WHEN EXISTS (SELECT FROM cases.emergency_access e
                    WHERE e.case_id = p_case_id AND e.actor = cases.caller_subject()
                      AND e.actor_role = cases.caller_role()
                      AND e.actor_role IN ('ROLE_POST_MANAGER', 'ROLE_LKHA_CASEWORKER')
                      AND e.expires_at > now())
        THEN 'EMERGENCY'
    END
  $$;

-- The case an emergency access names, by id or reference, whoever handles it: id, reference and
-- handling unit only (never content). Only for post managers and LKHA caseworkers; definer for the
-- same reason as caller_grant.
CREATE FUNCTION cases.case_for_emergency(p_id_or_reference text)
  RETURNS TABLE (id uuid, reference text, handling_post text)
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$
    SELECT c.id, c.reference, c.handling_post FROM cases.cases c
     WHERE cases.caller_subject() IS NOT NULL
       AND cases.caller_role() IN ('ROLE_POST_MANAGER', 'ROLE_LKHA_CASEWORKER')
       AND cases.caller_unit() IS NOT NULL
       AND (c.id::text = lower(p_id_or_reference) OR c.reference = upper(p_id_or_reference))
  $$;

REVOKE ALL ON FUNCTION cases.caller_grant(uuid) FROM PUBLIC;
REVOKE ALL ON FUNCTION cases.case_for_emergency(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION cases.caller_grant(uuid) TO consular_service, consular_maintenance;
GRANT EXECUTE ON FUNCTION cases.case_for_emergency(text) TO consular_service;

-- The rules of migration 0004, widened: the handling unit (post or LKHA), live shares, and (to
-- see, never to change) the caller's live emergency access.
CREATE OR REPLACE FUNCTION cases.visible_to_caller(handling_post text, case_id uuid)
  RETURNS boolean
  LANGUAGE sql STABLE
  AS $$
    SELECT COALESCE(handling_post = cases.caller_unit()
                    OR cases.caller_grant(case_id) IS NOT NULL, false)
  $$;

CREATE OR REPLACE FUNCTION cases.writable_by_caller(handling_post text, case_id uuid)
  RETURNS boolean
  LANGUAGE sql STABLE
  AS $$
    SELECT COALESCE(handling_post = cases.caller_unit()
                    OR cases.caller_grant(case_id) = 'READ_WRITE', false)
  $$;

-- Opening cases and numbering them: every unit (LKHA too).
CREATE OR REPLACE FUNCTION cases.caller_has_post_scope() RETURNS boolean
  LANGUAGE sql STABLE
  AS $$ SELECT cases.caller_unit() IS NOT NULL $$;

-- A referral moves a case to another post: the new row must stay visible to the caller (the
-- referring unit keeps a read share, written first), so no one can move a case out of their own
-- sight, nor into a unit they have nothing to do with.
ALTER POLICY scope_update ON cases.cases
  USING (cases.writable_by_caller(handling_post, id))
  WITH CHECK (cases.visible_to_caller(handling_post, id));

-- ... and only the handling unit moves a case: a policy cannot compare the old row with the new
-- one, so a trigger does (a read-write grantee may change the case, never hand it on).
CREATE FUNCTION cases.guard_case_move() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
BEGIN
  IF NEW.handling_post IS DISTINCT FROM OLD.handling_post
     AND OLD.handling_post IS DISTINCT FROM cases.caller_unit()
     AND NOT pg_has_role(current_user, 'consular_maintenance', 'MEMBER') THEN
    RAISE EXCEPTION 'only the unit handling case % may refer it', OLD.reference
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END
$$;

CREATE TRIGGER cases_guard_move BEFORE UPDATE OF handling_post ON cases.cases
  FOR EACH ROW EXECUTE FUNCTION cases.guard_case_move();

-- Privileges and row-level security of the new tables, as for the others (0004).
REVOKE ALL ON cases.case_shares, cases.emergency_access FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE ON cases.case_shares, cases.emergency_access TO consular_service;
GRANT SELECT, UPDATE ON cases.case_shares, cases.emergency_access TO consular_maintenance;
ALTER TABLE cases.case_shares ENABLE ROW LEVEL SECURITY;
ALTER TABLE cases.case_shares FORCE ROW LEVEL SECURITY;
ALTER TABLE cases.emergency_access ENABLE ROW LEVEL SECURITY;
ALTER TABLE cases.emergency_access FORCE ROW LEVEL SECURITY;
CREATE POLICY maintenance_all ON cases.case_shares TO consular_maintenance
  USING (true) WITH CHECK (true);
CREATE POLICY maintenance_all ON cases.emergency_access TO consular_maintenance
  USING (true) WITH CHECK (true);
-- The owner, for the definer functions above (its reads only).
CREATE POLICY definer_read ON cases.case_shares FOR SELECT TO CURRENT_USER USING (true);
CREATE POLICY definer_read ON cases.emergency_access FOR SELECT TO CURRENT_USER USING (true);
CREATE POLICY definer_read ON cases.cases FOR SELECT TO CURRENT_USER USING (true);

-- Shares: the grantee sees its own; the handling unit sees, grants and revokes all of a case's.
CREATE POLICY scope_select ON cases.case_shares FOR SELECT
  USING (grantee_unit = cases.caller_unit()
         OR EXISTS (SELECT FROM cases.cases c
                     WHERE c.id = case_shares.case_id AND c.handling_post = cases.caller_unit()));
CREATE POLICY scope_insert ON cases.case_shares FOR INSERT
  WITH CHECK (granted_by = cases.caller_subject() AND granted_by_unit = cases.caller_unit()
              AND EXISTS (SELECT FROM cases.cases c
                           WHERE c.id = case_shares.case_id
                             AND c.handling_post = cases.caller_unit()));
CREATE POLICY scope_update ON cases.case_shares FOR UPDATE
  USING (EXISTS (SELECT FROM cases.cases c
                  WHERE c.id = case_shares.case_id AND c.handling_post = cases.caller_unit()))
  WITH CHECK (revoked_by = cases.caller_subject());

-- Emergency access: opened by post managers and LKHA caseworkers for themselves; seen by the
-- opener, the auditors, and the managers of the post that handled the case; reviewed by the
-- latter two, never by the opener.
CREATE POLICY scope_select ON cases.emergency_access FOR SELECT
  USING (actor = cases.caller_subject()
         OR cases.caller_role() = 'ROLE_AUDITOR'
         OR (cases.caller_role() = 'ROLE_POST_MANAGER'
             AND handling_post = cases.caller_unit()));
CREATE POLICY scope_insert ON cases.emergency_access FOR INSERT
  WITH CHECK (actor = cases.caller_subject() AND actor_role = cases.caller_role()
              AND actor_role IN ('ROLE_POST_MANAGER', 'ROLE_LKHA_CASEWORKER')
              AND actor_unit = cases.caller_unit()
              AND expires_at <= now() + interval '8 hours');
CREATE POLICY scope_update ON cases.emergency_access FOR UPDATE
  USING (actor <> cases.caller_subject()
         AND (cases.caller_role() = 'ROLE_AUDITOR'
              OR (cases.caller_role() = 'ROLE_POST_MANAGER'
                  AND handling_post = cases.caller_unit())))
  WITH CHECK (reviewed_by = cases.caller_subject());
