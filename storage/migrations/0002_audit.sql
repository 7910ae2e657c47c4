-- The audit trail: one row per call that touched a case (or the audit trail itself), hash-chained
-- moments after commit by the sequencer (storage/audit_chain.h). See docs/audit.md.
--
-- Rows hold who, what, which case id, why and with what outcome; never a name, a date of birth or
-- note text. Nothing here may be changed or removed: triggers reject UPDATE, DELETE and TRUNCATE
-- on audit.events and audit.chain, for every role including the owner (only a superuser or the
-- owner switching triggers off gets past them, and verification then names the first broken row).
CREATE SCHEMA IF NOT EXISTS audit;

CREATE TABLE audit.events (
  id             bigserial   PRIMARY KEY,
  occurred_at    timestamptz NOT NULL,
  actor          text        NOT NULL,  -- the token's subject
  actor_role     text        NOT NULL,  -- e.g. CONSULAR_OFFICER
  actor_post     text        NOT NULL,  -- '' for roles without a post
  action         text        NOT NULL,  -- e.g. CaseService.GetCase
  case_id        uuid,
  purpose        text,
  outcome        text        NOT NULL,  -- the status code name: OK, NOT_FOUND, PERMISSION_DENIED
  emergency      boolean     NOT NULL DEFAULT false,
  correlation_id text
);

CREATE INDEX events_occurred_idx ON audit.events (occurred_at DESC, id DESC);
CREATE INDEX events_actor_idx ON audit.events (actor, occurred_at DESC, id DESC);
CREATE INDEX events_case_idx ON audit.events (case_id, occurred_at DESC, id DESC)
  WHERE case_id IS NOT NULL;

-- The hash chain, in seq order 1, 2, 3, ... without gaps: hash = SHA-256(prev_hash || seq ||
-- canonical event row), the first prev_hash 32 zero bytes. Written only by the sequencer.
CREATE TABLE audit.chain (
  seq       bigint PRIMARY KEY CHECK (seq > 0),
  event_id  bigint NOT NULL UNIQUE,
  prev_hash bytea  NOT NULL CHECK (length(prev_hash) = 32),
  hash      bytea  NOT NULL CHECK (length(hash) = 32)
);

-- Events committed but not chained yet: filled by a trigger on audit.events (in the writer's
-- transaction, so a rolled-back event never appears here either), drained by the sequencer in the
-- transaction that chains them. It keeps each sequencer round proportional to the new events,
-- not to the whole trail.
CREATE TABLE audit.pending (
  event_id bigint PRIMARY KEY
);

CREATE FUNCTION audit.reject_change() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
BEGIN
  RAISE EXCEPTION 'audit trail is append-only: % on %.% is not allowed',
    TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER events_no_update_delete BEFORE UPDATE OR DELETE ON audit.events
  FOR EACH ROW EXECUTE FUNCTION audit.reject_change();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON audit.events
  FOR EACH STATEMENT EXECUTE FUNCTION audit.reject_change();
CREATE TRIGGER chain_no_update_delete BEFORE UPDATE OR DELETE ON audit.chain
  FOR EACH ROW EXECUTE FUNCTION audit.reject_change();
CREATE TRIGGER chain_no_truncate BEFORE TRUNCATE ON audit.chain
  FOR EACH STATEMENT EXECUTE FUNCTION audit.reject_change();
CREATE TRIGGER pending_no_update BEFORE UPDATE ON audit.pending
  FOR EACH ROW EXECUTE FUNCTION audit.reject_change();
CREATE TRIGGER pending_no_truncate BEFORE TRUNCATE ON audit.pending
  FOR EACH STATEMENT EXECUTE FUNCTION audit.reject_change();

CREATE FUNCTION audit.enqueue_event() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
BEGIN
  INSERT INTO audit.pending (event_id) VALUES (NEW.id);
  RETURN NULL;
END
$$;

CREATE TRIGGER events_enqueue AFTER INSERT ON audit.events
  FOR EACH ROW EXECUTE FUNCTION audit.enqueue_event();

-- A pending entry may only go once its event is chained.
CREATE FUNCTION audit.check_dequeue() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
BEGIN
  IF NOT EXISTS (SELECT FROM audit.chain WHERE event_id = OLD.event_id) THEN
    RAISE EXCEPTION 'audit event % is not chained yet and must stay pending', OLD.event_id
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN OLD;
END
$$;

CREATE TRIGGER pending_delete_only_chained BEFORE DELETE ON audit.pending
  FOR EACH ROW EXECUTE FUNCTION audit.check_dequeue();

-- Removes the pending entries of `event_ids` that are chained; returns how many. The services'
-- role needs no DELETE privilege for this: the function runs as its owner.
CREATE FUNCTION audit.dequeue_chained(event_ids bigint[]) RETURNS bigint
  LANGUAGE sql
  SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$
    WITH gone AS (
      DELETE FROM audit.pending p
       USING audit.chain c
       WHERE c.event_id = p.event_id AND p.event_id = ANY (event_ids)
      RETURNING 1)
    SELECT count(*) FROM gone
  $$;
