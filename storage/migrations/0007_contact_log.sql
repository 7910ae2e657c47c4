-- The contact log of consular-contacts: every contact a post has on a case with a partner from the
-- directory (migration 0006) or an ad-hoc contact, with its follow-up. See docs/contacts.md.

-- The case service's documented read-only view for other services: what they may know of a case
-- (never its content) and how the caller reaches it. security_invoker: the caller's own row-level
-- security applies, so a case the caller may not see is not there.
CREATE VIEW cases.case_access WITH (security_invoker = true) AS
  SELECT c.id, c.reference, c.status, c.country, c.handling_post,
         CASE WHEN c.handling_post = cases.caller_unit() THEN 'HANDLING'
              ELSE cases.caller_grant(c.id) END AS access
    FROM cases.cases c;

REVOKE ALL ON cases.case_access FROM PUBLIC;
GRANT SELECT ON cases.case_access TO consular_service;

CREATE TABLE contacts.contacts (
  id                uuid        PRIMARY KEY,
  case_id           uuid        NOT NULL REFERENCES cases.cases (id),
  partner_id        uuid        REFERENCES contacts.partners (id),
  -- Encrypted consular.v1.AdHocContact, when the counterpart is not in the directory.
  ad_hoc            bytea       CHECK (ad_hoc IS NULL OR cases.is_field_ciphertext(ad_hoc)),
  partner_kind      text        NOT NULL,
  occurred_at       timestamptz NOT NULL,
  channel           text        NOT NULL,
  direction         text        NOT NULL,
  purpose           text        NOT NULL,
  outcome           text        NOT NULL,
  follow_up_due     date,
  follow_up_done_at timestamptz,
  follow_up_done_by text,
  note              bytea       CHECK (note IS NULL OR cases.is_field_ciphertext(note)),
  logged_by         text        NOT NULL,
  logged_by_unit    text        NOT NULL,
  created_at        timestamptz NOT NULL,
  updated_at        timestamptz NOT NULL,
  version           bigint      NOT NULL CHECK (version > 0),
  CHECK ((partner_id IS NULL) <> (ad_hoc IS NULL)),
  CHECK ((follow_up_done_at IS NULL) = (follow_up_done_by IS NULL)),
  CHECK (follow_up_done_at IS NULL OR follow_up_due IS NOT NULL)
);

CREATE INDEX contacts_case_idx ON contacts.contacts (case_id, occurred_at DESC, id DESC);
CREATE INDEX contacts_partner_idx ON contacts.contacts (partner_id, occurred_at DESC, id DESC)
  WHERE partner_id IS NOT NULL;
CREATE INDEX contacts_follow_up_idx ON contacts.contacts (follow_up_due, id)
  WHERE follow_up_due IS NOT NULL AND follow_up_done_at IS NULL;

-- The case and the counterpart of a contact never change.
CREATE FUNCTION contacts.guard_contact_update() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
BEGIN
  IF (NEW.id, NEW.case_id, NEW.partner_id, NEW.partner_kind, NEW.logged_by, NEW.logged_by_unit,
      NEW.created_at)
     IS DISTINCT FROM
     (OLD.id, OLD.case_id, OLD.partner_id, OLD.partner_kind, OLD.logged_by, OLD.logged_by_unit,
      OLD.created_at) THEN
    RAISE EXCEPTION 'the case and counterpart of contact % cannot change', OLD.id
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END
$$;

CREATE TRIGGER contacts_guard BEFORE UPDATE ON contacts.contacts
  FOR EACH ROW EXECUTE FUNCTION contacts.guard_contact_update();

REVOKE ALL ON contacts.contacts FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE ON contacts.contacts TO consular_service;
GRANT SELECT, UPDATE ON contacts.contacts TO consular_maintenance;
ALTER TABLE contacts.contacts ENABLE ROW LEVEL SECURITY;
ALTER TABLE contacts.contacts FORCE ROW LEVEL SECURITY;
CREATE POLICY maintenance_all ON contacts.contacts TO consular_maintenance
  USING (true) WITH CHECK (true);
-- Through their case: seen by whoever sees the case, written by whoever may change it. The
-- subqueries on cases.cases are filtered by its own policies.
CREATE POLICY scope_select ON contacts.contacts FOR SELECT
  USING (EXISTS (SELECT FROM cases.cases c WHERE c.id = contacts.case_id));
CREATE POLICY scope_insert ON contacts.contacts FOR INSERT
  WITH CHECK (logged_by = cases.caller_subject()
              AND EXISTS (SELECT FROM cases.cases c
                           WHERE c.id = contacts.case_id
                             AND cases.writable_by_caller(c.handling_post, c.id)));
CREATE POLICY scope_update ON contacts.contacts FOR UPDATE
  USING (EXISTS (SELECT FROM cases.cases c
                  WHERE c.id = contacts.case_id
                    AND cases.writable_by_caller(c.handling_post, c.id)))
  WITH CHECK (EXISTS (SELECT FROM cases.cases c
                       WHERE c.id = contacts.case_id
                         AND cases.writable_by_caller(c.handling_post, c.id)));

-- The case service's documented way for other services to add to a case's timeline (the event
-- stream statistics read): locks the case row (so the caller must be allowed to change it: the
-- row-level security of cases.cases applies, SECURITY INVOKER), numbers the event after the last
-- one and appends it. Only contact events; the payload is the consular.v1.CaseEvent as JSON.
-- Returns the event's sequence number and the case's version (unchanged by contacts), which it
-- also writes into the payload.
CREATE FUNCTION cases.append_contact_event(p_case_id uuid, p_event_type text, p_actor text,
                                           p_actor_role text, p_actor_post text,
                                           p_occurred_at timestamptz, p_payload jsonb,
                                           OUT sequence integer, OUT case_version bigint)
  LANGUAGE plpgsql
  SET search_path = pg_catalog, pg_temp
  AS $$
BEGIN
  IF p_event_type NOT IN ('CASE_EVENT_TYPE_CONTACT_LOGGED', 'CASE_EVENT_TYPE_CONTACT_UPDATED',
                          'CASE_EVENT_TYPE_FOLLOW_UP_COMPLETED') THEN
    RAISE EXCEPTION 'not a contact event: %', p_event_type USING ERRCODE = 'check_violation';
  END IF;
  SELECT c.version INTO case_version FROM cases.cases c WHERE c.id = p_case_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'case % may not be changed by the caller', p_case_id
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  SELECT COALESCE(max(e.sequence), 0) + 1 INTO sequence
    FROM cases.case_events e WHERE e.case_id = p_case_id;
  INSERT INTO cases.case_events (case_id, sequence, event_type, actor, actor_role, actor_post,
                                 occurred_at, case_version, payload)
  VALUES (p_case_id, sequence, p_event_type, p_actor, p_actor_role, p_actor_post, p_occurred_at,
          case_version,
          p_payload || jsonb_build_object('case_version', case_version::text));
END
$$;

REVOKE ALL ON FUNCTION cases.append_contact_event(uuid, text, text, text, text, timestamptz, jsonb)
  FROM PUBLIC;
GRANT EXECUTE ON FUNCTION
  cases.append_contact_event(uuid, text, text, text, text, timestamptz, jsonb)
  TO consular_service;
