-- Who works a case, and the inbox between units.
--
-- Assignment: the staff member (token subject) of the handling unit who works the case. The
-- officer who opens a case has it; managers (LKHA caseworkers for LKHA's cases) assign and
-- reassign; it is cleared when another unit takes the case over.
--
-- Referrals wait for an answer: ReferCase records a pending referral and gives the receiving post
-- read access (a share) so that it can judge the case; until that post accepts, the referring
-- unit keeps handling it. The receiving post accepts (the case moves, its assignment is cleared
-- and the former unit keeps read access) or declines with a reason (its read access ends). The
-- referring unit sees the answer in its inbox.
--
-- Shares are answered too: the grantee accepts one or declines it with a reason (which ends it).
-- A revocation by the handling unit reaches the grantee's inbox (revoked_by_unit).

ALTER TABLE cases.cases
  ADD COLUMN assigned_to text CHECK (assigned_to IS NULL OR char_length(assigned_to) BETWEEN 1 AND 128),
  ADD COLUMN assigned_at timestamptz,
  ADD CONSTRAINT cases_assigned_at_with_assignee CHECK ((assigned_to IS NULL) = (assigned_at IS NULL));
CREATE INDEX cases_assigned_idx ON cases.cases (handling_post, assigned_to, opened_at DESC, id DESC);

CREATE TABLE cases.referrals (
  id             uuid        PRIMARY KEY,
  case_id        uuid        NOT NULL REFERENCES cases.cases (id),
  case_reference text        NOT NULL,
  from_unit      text        NOT NULL,
  to_unit        text        NOT NULL CHECK (to_unit ~ '^[A-Z][A-Z0-9-]{1,31}$' AND to_unit <> 'LKHA'),
  legal_basis    text        NOT NULL CHECK (char_length(legal_basis) BETWEEN 1 AND 300),
  referred_by    text        NOT NULL,
  referred_at    timestamptz NOT NULL,
  share_id       uuid        NOT NULL REFERENCES cases.case_shares (id),  -- the receiver's read access
  state          text        NOT NULL DEFAULT 'PENDING'
                             CHECK (state IN ('PENDING', 'ACCEPTED', 'DECLINED')),
  answered_by    text,
  answered_at    timestamptz,
  answer_reason  text        CHECK (answer_reason IS NULL OR char_length(answer_reason) <= 300),
  CHECK ((state = 'PENDING') = (answered_at IS NULL)),
  CHECK ((answered_by IS NULL) = (answered_at IS NULL)),
  CHECK (state <> 'DECLINED' OR char_length(answer_reason) > 0)
);
-- At most one referral of a case waits for an answer.
CREATE UNIQUE INDEX referrals_one_pending ON cases.referrals (case_id) WHERE state = 'PENDING';
CREATE INDEX referrals_to_idx ON cases.referrals (to_unit, referred_at DESC);
CREATE INDEX referrals_from_idx ON cases.referrals (from_unit, answered_at DESC);

-- A referral is answered once; nothing else about it changes.
CREATE FUNCTION cases.guard_referral_update() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
BEGIN
  IF OLD.state <> 'PENDING' THEN
    RAISE EXCEPTION 'referral % is answered and cannot change', OLD.id
      USING ERRCODE = 'check_violation';
  END IF;
  IF (NEW.id, NEW.case_id, NEW.case_reference, NEW.from_unit, NEW.to_unit, NEW.legal_basis,
      NEW.referred_by, NEW.referred_at, NEW.share_id)
     IS DISTINCT FROM
     (OLD.id, OLD.case_id, OLD.case_reference, OLD.from_unit, OLD.to_unit, OLD.legal_basis,
      OLD.referred_by, OLD.referred_at, OLD.share_id) THEN
    RAISE EXCEPTION 'a referral can only be answered' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER referrals_guard BEFORE UPDATE ON cases.referrals
  FOR EACH ROW EXECUTE FUNCTION cases.guard_referral_update();

-- Whether the caller's unit is the receiver of a pending referral of the case (definer: the
-- referrals are read whatever the caller sees).
CREATE FUNCTION cases.referred_to_caller(p_case_id uuid) RETURNS boolean
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$
    SELECT EXISTS (SELECT FROM cases.referrals r
                    WHERE r.case_id = p_case_id AND r.state = 'PENDING'
                      AND r.to_unit = cases.caller_unit())
  $$;
REVOKE ALL ON FUNCTION cases.referred_to_caller(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION cases.referred_to_caller(uuid) TO consular_service;

-- The receiving post of a pending referral may move the case to itself (accepting it), and
-- nothing else: the move guard below allows only that move, the service writes only it.
ALTER POLICY scope_update ON cases.cases
  USING (cases.writable_by_caller(handling_post, id) OR cases.referred_to_caller(id))
  WITH CHECK (cases.visible_to_caller(handling_post, id));

CREATE OR REPLACE FUNCTION cases.guard_case_move() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
BEGIN
  IF NEW.handling_post IS DISTINCT FROM OLD.handling_post
     AND OLD.handling_post IS DISTINCT FROM cases.caller_unit()
     AND NOT (NEW.handling_post = cases.caller_unit() AND cases.referred_to_caller(OLD.id))
     AND NOT pg_has_role(current_user, 'consular_maintenance', 'MEMBER') THEN
    RAISE EXCEPTION 'only the unit handling case % may refer it, and only the post it was '
                    'referred to may accept it', OLD.reference
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END
$$;

REVOKE ALL ON cases.referrals FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE ON cases.referrals TO consular_service;
GRANT SELECT ON cases.referrals TO consular_maintenance;
ALTER TABLE cases.referrals ENABLE ROW LEVEL SECURITY;
ALTER TABLE cases.referrals FORCE ROW LEVEL SECURITY;
CREATE POLICY maintenance_all ON cases.referrals TO consular_maintenance USING (true);
CREATE POLICY definer_read ON cases.referrals FOR SELECT TO CURRENT_USER USING (true);
-- Seen by both units; made by the handling unit; answered by the receiving post.
CREATE POLICY scope_select ON cases.referrals FOR SELECT
  USING (from_unit = cases.caller_unit() OR to_unit = cases.caller_unit());
CREATE POLICY scope_insert ON cases.referrals FOR INSERT
  WITH CHECK (referred_by = cases.caller_subject() AND from_unit = cases.caller_unit()
              AND EXISTS (SELECT FROM cases.cases c
                           WHERE c.id = referrals.case_id
                             AND c.handling_post = cases.caller_unit()));
CREATE POLICY scope_update ON cases.referrals FOR UPDATE
  USING (to_unit = cases.caller_unit())
  WITH CHECK (answered_by = cases.caller_subject());

-- Shares: answered by the grantee once (NULL: not yet); the unit that revoked one.
ALTER TABLE cases.case_shares
  ADD COLUMN answer text CHECK (answer IN ('ACCEPTED', 'DECLINED')),
  ADD COLUMN answered_by text,
  ADD COLUMN answered_at timestamptz,
  ADD COLUMN answer_reason text CHECK (answer_reason IS NULL OR char_length(answer_reason) <= 300),
  ADD COLUMN revoked_by_unit text,
  ADD CONSTRAINT case_shares_answer_complete
    CHECK ((answer IS NULL) = (answered_at IS NULL) AND (answered_by IS NULL) = (answered_at IS NULL)),
  ADD CONSTRAINT case_shares_decline_reason
    CHECK (answer IS DISTINCT FROM 'DECLINED' OR char_length(answer_reason) > 0);
-- Shares made before: taken as accepted when granted (as the owner, past the guard and the
-- policies, once).
ALTER TABLE cases.case_shares DISABLE TRIGGER case_shares_guard;
ALTER TABLE cases.case_shares NO FORCE ROW LEVEL SECURITY;
UPDATE cases.case_shares SET answer = 'ACCEPTED', answered_by = granted_by, answered_at = granted_at;
ALTER TABLE cases.case_shares FORCE ROW LEVEL SECURITY;
ALTER TABLE cases.case_shares ENABLE TRIGGER case_shares_guard;

-- A share changes only by being answered by its grantee (once, while live) and by being revoked
-- (once); the unit that revokes is recorded.
CREATE OR REPLACE FUNCTION cases.guard_share_update() RETURNS trigger
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
    RAISE EXCEPTION 'a share can only be answered or revoked' USING ERRCODE = 'check_violation';
  END IF;
  IF OLD.answer IS NOT NULL
     AND (NEW.answer, NEW.answered_by, NEW.answered_at, NEW.answer_reason)
         IS DISTINCT FROM (OLD.answer, OLD.answered_by, OLD.answered_at, OLD.answer_reason) THEN
    RAISE EXCEPTION 'share % is answered already', OLD.id USING ERRCODE = 'check_violation';
  END IF;
  IF NEW.revoked_at IS NOT NULL THEN
    NEW.revoked_by_unit := cases.caller_unit();
  END IF;
  RETURN NEW;
END
$$;

-- The handling unit revokes; the grantee answers (accepting, or declining, which revokes too), and
-- touches only a share it answered itself, or the view a referral to it gave (ended when it
-- declines).
ALTER POLICY scope_update ON cases.case_shares
  USING (grantee_unit = cases.caller_unit()
         OR EXISTS (SELECT FROM cases.cases c
                     WHERE c.id = case_shares.case_id AND c.handling_post = cases.caller_unit()))
  WITH CHECK ((grantee_unit = cases.caller_unit() AND answered_by = cases.caller_subject()
               AND (revoked_by IS NULL OR revoked_by = cases.caller_subject()))
              OR (grantee_unit = cases.caller_unit() AND revoked_by = cases.caller_subject()
                  AND EXISTS (SELECT FROM cases.referrals r
                               WHERE r.share_id = case_shares.id
                                 AND r.to_unit = cases.caller_unit()))
              OR (revoked_by = cases.caller_subject()
                  AND EXISTS (SELECT FROM cases.cases c
                               WHERE c.id = case_shares.case_id
                                 AND c.handling_post = cases.caller_unit())));

-- The inbox of the caller's unit since `p_since`: what waits for its answer (referrals and shares
-- to it) and what it should know (answers to its referrals and shares, shares to it revoked by
-- the handling unit). Definer: a revoked share's case is no longer visible to the grantee, but
-- its reference is what the notice must name. Reference, type and country only, never content.
CREATE FUNCTION cases.inbox(p_since timestamptz)
  RETURNS TABLE (kind text, item_id uuid, case_id uuid, reference text, case_type text,
                 country text, from_unit text, to_unit text, legal_basis text,
                 at timestamptz, needs_answer boolean, answer text, answer_reason text,
                 actor text, access text, expires_at timestamptz)
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$
    WITH me AS (SELECT cases.caller_unit() AS unit)
    -- Referrals to the unit, pending (to answer) or answered since.
    SELECT 'REFERRAL_RECEIVED', r.id, r.case_id, r.case_reference, c.case_type, c.country,
           r.from_unit, r.to_unit, r.legal_basis, r.referred_at, r.state = 'PENDING',
           NULLIF(r.state, 'PENDING'), r.answer_reason, r.referred_by, 'READ', NULL::timestamptz
      FROM cases.referrals r JOIN cases.cases c ON c.id = r.case_id, me
     WHERE r.to_unit = me.unit AND (r.state = 'PENDING' OR r.answered_at >= p_since)
    UNION ALL
    -- Answers to the unit's referrals.
    SELECT 'REFERRAL_ANSWERED', r.id, r.case_id, r.case_reference, c.case_type, c.country,
           r.from_unit, r.to_unit, r.legal_basis, r.answered_at, false, r.state, r.answer_reason,
           r.answered_by, NULL, NULL
      FROM cases.referrals r JOIN cases.cases c ON c.id = r.case_id, me
     WHERE r.from_unit = me.unit AND r.state <> 'PENDING' AND r.answered_at >= p_since
    UNION ALL
    -- Shares to the unit: live and not answered (to answer), or answered since.
    SELECT 'SHARE_RECEIVED', s.id, s.case_id, c.reference, c.case_type, c.country,
           s.granted_by_unit, s.grantee_unit, s.legal_basis, s.granted_at,
           s.answer IS NULL AND s.revoked_at IS NULL
             AND (s.expires_at IS NULL OR s.expires_at > now()),
           s.answer, s.answer_reason, s.granted_by, s.access, s.expires_at
      FROM cases.case_shares s JOIN cases.cases c ON c.id = s.case_id, me
     WHERE s.grantee_unit = me.unit
       AND NOT EXISTS (SELECT FROM cases.referrals r WHERE r.share_id = s.id)
       AND ((s.answer IS NULL AND s.revoked_at IS NULL
             AND (s.expires_at IS NULL OR s.expires_at > now()))
            OR (s.answered_at >= p_since AND s.answered_by IS DISTINCT FROM s.granted_by))
    UNION ALL
    -- Answers to the unit's shares.
    SELECT 'SHARE_ANSWERED', s.id, s.case_id, c.reference, c.case_type, c.country,
           s.granted_by_unit, s.grantee_unit, s.legal_basis, s.answered_at, false, s.answer,
           s.answer_reason, s.answered_by, s.access, s.expires_at
      FROM cases.case_shares s JOIN cases.cases c ON c.id = s.case_id, me
     WHERE s.granted_by_unit = me.unit AND s.answered_at >= p_since
       AND s.answered_by IS DISTINCT FROM s.granted_by
    UNION ALL
    -- Shares to the unit that another unit revoked.
    SELECT 'SHARE_REVOKED', s.id, s.case_id, c.reference, c.case_type, c.country,
           s.revoked_by_unit, s.grantee_unit, s.legal_basis, s.revoked_at, false, NULL, NULL,
           s.revoked_by, s.access, s.expires_at
      FROM cases.case_shares s JOIN cases.cases c ON c.id = s.case_id, me
     WHERE s.grantee_unit = me.unit AND s.revoked_at >= p_since
       AND s.revoked_by_unit IS DISTINCT FROM s.grantee_unit
  $$;
REVOKE ALL ON FUNCTION cases.inbox(timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION cases.inbox(timestamptz) TO consular_service;
