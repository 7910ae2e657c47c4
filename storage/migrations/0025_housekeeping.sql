-- Housekeeping (docs/records.md): what only serves for a while is deleted once that
-- while is over, so that nothing that should expire grows without end.
--
--   idempotency records   and their stored (encrypted) responses, by age (created_at), in all
--                         three schemas: a replay after that is a new request;
--   ended shares          revoked or expired, by the time they ended, unless a referral still
--                         names them (cases.referrals.share_id);
--   emergency access      reviewed ones, by the time of the review (and expired by then); an
--                         unreviewed grant is never deleted;
--   emergency searches    by the time of the search.
--
-- The audit trail is never pruned: what was done stays recorded there after the rows go.
--
-- The services' role has no DELETE privilege anywhere. These functions delete as their owner
-- (SECURITY DEFINER, fixed search_path), at most p_limit rows per call, so that one call never
-- holds many locks for long: the caller repeats it until it returns less than p_limit. Each takes
-- the age as an interval and returns how many rows it deleted. A row that another transaction
-- deleted meanwhile is skipped, so replicas may run them at the same time.
--
-- FORCE ROW LEVEL SECURITY applies to the owner too: the policies below (TO CURRENT_USER, the
-- owner that runs this migration) let it read and delete exactly the rows of the kinds above, and
-- no other.

CREATE FUNCTION cases.expire_idempotency(p_older_than interval, p_limit integer) RETURNS bigint
  LANGUAGE sql
  SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$
    WITH doomed AS (
      SELECT actor, request_id FROM cases.idempotency
       WHERE created_at < now() - p_older_than
       ORDER BY created_at
       LIMIT p_limit),
    gone AS (
      DELETE FROM cases.idempotency i USING doomed d
       WHERE i.actor = d.actor AND i.request_id = d.request_id
      RETURNING 1)
    SELECT count(*) FROM gone
  $$;

CREATE FUNCTION contacts.expire_idempotency(p_older_than interval, p_limit integer) RETURNS bigint
  LANGUAGE sql
  SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$
    WITH doomed AS (
      SELECT actor, request_id FROM contacts.idempotency
       WHERE created_at < now() - p_older_than
       ORDER BY created_at
       LIMIT p_limit),
    gone AS (
      DELETE FROM contacts.idempotency i USING doomed d
       WHERE i.actor = d.actor AND i.request_id = d.request_id
      RETURNING 1)
    SELECT count(*) FROM gone
  $$;

CREATE FUNCTION stats.expire_idempotency(p_older_than interval, p_limit integer) RETURNS bigint
  LANGUAGE sql
  SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$
    WITH doomed AS (
      SELECT actor, request_id FROM stats.idempotency
       WHERE created_at < now() - p_older_than
       ORDER BY created_at
       LIMIT p_limit),
    gone AS (
      DELETE FROM stats.idempotency i USING doomed d
       WHERE i.actor = d.actor AND i.request_id = d.request_id
      RETURNING 1)
    SELECT count(*) FROM gone
  $$;

-- A share ended when it was revoked (declining revokes too) or when it expired, whichever came
-- first.
CREATE FUNCTION cases.expire_ended_shares(p_older_than interval, p_limit integer) RETURNS bigint
  LANGUAGE sql
  SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$
    WITH doomed AS (
      SELECT s.id FROM cases.case_shares s
       WHERE LEAST(s.revoked_at, s.expires_at) < now() - p_older_than
         AND NOT EXISTS (SELECT FROM cases.referrals r WHERE r.share_id = s.id)
       LIMIT p_limit),
    gone AS (
      DELETE FROM cases.case_shares s USING doomed d
       WHERE s.id = d.id
         AND NOT EXISTS (SELECT FROM cases.referrals r WHERE r.share_id = s.id)
      RETURNING 1)
    SELECT count(*) FROM gone
  $$;

CREATE FUNCTION cases.expire_reviewed_emergency_access(p_older_than interval, p_limit integer)
  RETURNS bigint
  LANGUAGE sql
  SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$
    WITH doomed AS (
      SELECT id FROM cases.emergency_access
       WHERE review IS NOT NULL
         AND reviewed_at < now() - p_older_than
         AND expires_at < now() - p_older_than
       LIMIT p_limit),
    gone AS (
      DELETE FROM cases.emergency_access e USING doomed d
       WHERE e.id = d.id AND e.review IS NOT NULL
      RETURNING 1)
    SELECT count(*) FROM gone
  $$;

CREATE FUNCTION cases.expire_emergency_searches(p_older_than interval, p_limit integer)
  RETURNS bigint
  LANGUAGE sql
  SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$
    WITH doomed AS (
      SELECT id FROM cases.emergency_searches
       WHERE searched_at < now() - p_older_than
       ORDER BY searched_at
       LIMIT p_limit),
    gone AS (
      DELETE FROM cases.emergency_searches s USING doomed d WHERE s.id = d.id
      RETURNING 1)
    SELECT count(*) FROM gone
  $$;

-- The indexes the functions search by (idempotency's created_at is indexed by migration 0022;
-- emergency searches by searched_at, migration 0017).
CREATE INDEX case_shares_ended_idx ON cases.case_shares (LEAST(revoked_at, expires_at))
  WHERE revoked_at IS NOT NULL OR expires_at IS NOT NULL;
CREATE INDEX referrals_share_idx ON cases.referrals (share_id);
CREATE INDEX emergency_access_reviewed_idx ON cases.emergency_access (reviewed_at)
  WHERE review IS NOT NULL;

-- The owner's policies, for these functions only (its DELETE privilege it has as owner).
-- Idempotency records and emergency searches have no definer_read policy yet.
CREATE POLICY definer_housekeeping_read ON cases.idempotency FOR SELECT TO CURRENT_USER
  USING (true);
CREATE POLICY definer_housekeeping ON cases.idempotency FOR DELETE TO CURRENT_USER USING (true);
CREATE POLICY definer_housekeeping_read ON contacts.idempotency FOR SELECT TO CURRENT_USER
  USING (true);
CREATE POLICY definer_housekeeping ON contacts.idempotency FOR DELETE TO CURRENT_USER
  USING (true);
CREATE POLICY definer_housekeeping_read ON cases.emergency_searches FOR SELECT TO CURRENT_USER
  USING (true);
CREATE POLICY definer_housekeeping ON cases.emergency_searches FOR DELETE TO CURRENT_USER
  USING (true);
-- Only ended shares and reviewed grants, whatever a function asks for.
CREATE POLICY definer_housekeeping ON cases.case_shares FOR DELETE TO CURRENT_USER
  USING (revoked_at IS NOT NULL OR expires_at < now());
CREATE POLICY definer_housekeeping ON cases.emergency_access FOR DELETE TO CURRENT_USER
  USING (review IS NOT NULL);

REVOKE ALL ON FUNCTION cases.expire_idempotency(interval, integer),
  contacts.expire_idempotency(interval, integer), stats.expire_idempotency(interval, integer),
  cases.expire_ended_shares(interval, integer),
  cases.expire_reviewed_emergency_access(interval, integer),
  cases.expire_emergency_searches(interval, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION cases.expire_idempotency(interval, integer),
  contacts.expire_idempotency(interval, integer), stats.expire_idempotency(interval, integer),
  cases.expire_ended_shares(interval, integer),
  cases.expire_reviewed_emergency_access(interval, integer),
  cases.expire_emergency_searches(interval, integer) TO consular_service;
