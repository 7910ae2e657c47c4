-- The bilateral-talks register as evidence (consular-stats, docs/statistics.md): talks entered
-- as planned, their status changes, commitments made at held talks and their closing, the
-- per-country decision log, and the briefings taken to talks. Every table here is append-only:
-- the service may read and insert, and a trigger refuses any UPDATE, DELETE or TRUNCATE, whoever
-- asks. A talk's current status is its newest status change.

-- A talk is entered either as held (held_on, with its frozen statistics, as before) or as planned
-- (planned_on; no statistics yet: they are frozen with the change that marks it held). A planned
-- talk's statistics_period is set only when one was asked for; otherwise it follows the day the
-- talk is held.
ALTER TABLE stats.talks
  ADD COLUMN planned_on date,
  ALTER COLUMN held_on DROP NOT NULL,
  ALTER COLUMN statistics DROP NOT NULL,
  ALTER COLUMN statistics_period DROP NOT NULL,
  ADD CONSTRAINT talks_entered_on CHECK ((held_on IS NULL) <> (planned_on IS NULL)),
  ADD CONSTRAINT talks_held_with_statistics
    CHECK ((held_on IS NULL) = (statistics IS NULL)
           AND (held_on IS NULL OR statistics_period IS NOT NULL));

CREATE FUNCTION stats.refuse_register_change() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
BEGIN
  RAISE EXCEPTION 'stats.% is append-only: its rows are never changed or removed', TG_TABLE_NAME
    USING ERRCODE = 'check_violation';
END
$$;

-- Status changes: seq 1 is the talk's entry (from NULL to PLANNED, or to HELD for a talk recorded
-- as held); every later one moves from the status the one before it left. on_date: the day held
-- (HELD) or planned (PLANNED, POSTPONED); NULL for CANCELLED. A talk marked held after being
-- planned carries the statistics frozen at that moment here (the serialized
-- consular.v1.CountryStatistics and Period, as stats.talks holds them for talks recorded as held).
CREATE TABLE stats.talk_status_changes (
  talk_id           uuid        NOT NULL REFERENCES stats.talks (id),
  seq               integer     NOT NULL CHECK (seq >= 1),
  from_status       text,
  to_status         text        NOT NULL CHECK (to_status IN ('TALK_STATUS_PLANNED',
                                  'TALK_STATUS_HELD', 'TALK_STATUS_POSTPONED',
                                  'TALK_STATUS_CANCELLED')),
  on_date           date,
  reason            text        NOT NULL DEFAULT '',
  outcome           text        NOT NULL DEFAULT '',
  changed_by        text        NOT NULL,
  changed_at        timestamptz NOT NULL,
  statistics_period bytea,
  statistics        bytea,
  PRIMARY KEY (talk_id, seq),
  CONSTRAINT talk_status_changes_entry CHECK ((seq = 1) = (from_status IS NULL)),
  CONSTRAINT talk_status_changes_date CHECK ((to_status = 'TALK_STATUS_CANCELLED') = (on_date IS NULL)),
  CONSTRAINT talk_status_changes_statistics CHECK (
    CASE WHEN to_status = 'TALK_STATUS_HELD' AND seq > 1
         THEN statistics IS NOT NULL AND statistics_period IS NOT NULL
         ELSE statistics IS NULL AND statistics_period IS NULL END)
);

-- The database keeps the lifecycle too: an entry matches its talk, every later change follows the
-- newest one (seq + 1, from its status) along PLANNED -> HELD | POSTPONED | CANCELLED and
-- POSTPONED -> PLANNED | HELD | CANCELLED. HELD and CANCELLED are final.
CREATE FUNCTION stats.check_talk_status_change() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
DECLARE
  talk stats.talks;
  last_seq integer;
  last_status text;
BEGIN
  SELECT * INTO talk FROM stats.talks WHERE id = NEW.talk_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no talk %', NEW.talk_id USING ERRCODE = 'foreign_key_violation';
  END IF;
  SELECT seq, to_status INTO last_seq, last_status FROM stats.talk_status_changes
    WHERE talk_id = NEW.talk_id ORDER BY seq DESC LIMIT 1;
  IF last_seq IS NULL THEN
    IF NEW.seq <> 1
       OR (talk.held_on IS NOT NULL
           AND (NEW.to_status <> 'TALK_STATUS_HELD' OR NEW.on_date <> talk.held_on))
       OR (talk.planned_on IS NOT NULL
           AND (NEW.to_status <> 'TALK_STATUS_PLANNED' OR NEW.on_date <> talk.planned_on)) THEN
      RAISE EXCEPTION 'the first status change of talk % must be its entry', NEW.talk_id
        USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
  END IF;
  IF NEW.seq <> last_seq + 1 OR NEW.from_status IS DISTINCT FROM last_status THEN
    RAISE EXCEPTION 'talk %: a status change must follow the newest one (seq %, %)', NEW.talk_id,
      last_seq, last_status USING ERRCODE = 'check_violation';
  END IF;
  IF NOT ((last_status = 'TALK_STATUS_PLANNED'
           AND NEW.to_status IN ('TALK_STATUS_HELD', 'TALK_STATUS_POSTPONED',
                                 'TALK_STATUS_CANCELLED'))
          OR (last_status = 'TALK_STATUS_POSTPONED'
              AND NEW.to_status IN ('TALK_STATUS_PLANNED', 'TALK_STATUS_HELD',
                                    'TALK_STATUS_CANCELLED'))) THEN
    RAISE EXCEPTION 'talk %: % -> % is not allowed', NEW.talk_id, last_status, NEW.to_status
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END
$$;

CREATE TRIGGER talk_status_changes_follow BEFORE INSERT ON stats.talk_status_changes
  FOR EACH ROW EXECUTE FUNCTION stats.check_talk_status_change();

-- Every talk recorded before this migration was held: its entry.
INSERT INTO stats.talk_status_changes (talk_id, seq, from_status, to_status, on_date, changed_by,
                                       changed_at)
  SELECT id, 1, NULL, 'TALK_STATUS_HELD', held_on, recorded_by, recorded_at FROM stats.talks;

-- A talk as it stands: the talk row with its newest change. held_on: the day a HELD talk was
-- held; planned_on: the newest planned day; talk_date: held_on, else planned_on (what lists sort
-- by). The statistics and outcome of a talk held later come from the change that marked it held.
CREATE VIEW stats.talk_state AS
  SELECT t.id, t.country, t.level, t.topics, t.summary, t.follow_up, t.follow_up_due,
         t.recorded_by, t.recorded_at,
         newest.to_status AS status,
         newest.seq AS changes,
         CASE WHEN newest.to_status = 'TALK_STATUS_HELD' THEN newest.on_date END AS held_on,
         planned.on_date AS planned_on,
         COALESCE(CASE WHEN newest.to_status = 'TALK_STATUS_HELD' THEN newest.on_date END,
                  planned.on_date) AS talk_date,
         CASE WHEN t.held_on IS NULL THEN newest.outcome ELSE t.outcome END AS outcome,
         COALESCE(newest.statistics_period, t.statistics_period) AS statistics_period,
         COALESCE(newest.statistics, t.statistics) AS statistics
  FROM stats.talks t
  CROSS JOIN LATERAL (
    SELECT c.seq, c.to_status, c.on_date, c.outcome, c.statistics_period, c.statistics
    FROM stats.talk_status_changes c WHERE c.talk_id = t.id ORDER BY c.seq DESC LIMIT 1) newest
  LEFT JOIN LATERAL (
    SELECT c.on_date FROM stats.talk_status_changes c
    WHERE c.talk_id = t.id AND c.to_status IN ('TALK_STATUS_PLANNED', 'TALK_STATUS_POSTPONED')
    ORDER BY c.seq DESC LIMIT 1) planned ON true;

-- Commitments made at held talks, and their closing: a commitment is closed by appending its one
-- closure (the primary key allows one), so neither row ever changes.
CREATE TABLE stats.commitments (
  id       uuid        PRIMARY KEY,
  talk_id  uuid        NOT NULL REFERENCES stats.talks (id),
  text     text        NOT NULL CHECK (text <> ''),
  owner    text        NOT NULL CHECK (owner <> '' AND char_length(owner) <= 200),
  due_on   date        NOT NULL,
  added_by text        NOT NULL,
  added_at timestamptz NOT NULL
);
CREATE INDEX commitments_talk_idx ON stats.commitments (talk_id);
CREATE INDEX commitments_due_idx ON stats.commitments (due_on, id);

CREATE TABLE stats.commitment_closures (
  commitment_id uuid        PRIMARY KEY REFERENCES stats.commitments (id),
  note          text        NOT NULL CHECK (note <> ''),
  closed_by     text        NOT NULL,
  closed_at     timestamptz NOT NULL
);

-- The decision log: whether to raise a topic with a country's government, at which level, why,
-- decided by whom and when. A new decision is a new row.
CREATE TABLE stats.decisions (
  id          uuid        PRIMARY KEY,
  country     text        NOT NULL CHECK (country ~ '^[A-Z]{2}$' AND country <> 'NL'),
  topic       text        NOT NULL CHECK (topic IN ('TALK_TOPIC_ABANDONMENT',
                                                    'TALK_TOPIC_DIVORCE_RECOGNITION')),
  decision    text        NOT NULL CHECK (decision IN ('RAISE_DECISION_RAISE',
                            'RAISE_DECISION_DO_NOT_RAISE', 'RAISE_DECISION_DEFER')),
  level       text        NOT NULL,
  reasons     text        NOT NULL CHECK (reasons <> ''),
  decided_on  date        NOT NULL,
  decided_by  text        NOT NULL,
  recorded_at timestamptz NOT NULL
);
CREATE INDEX decisions_newest_idx ON stats.decisions (decided_on DESC, recorded_at DESC, id DESC);
CREATE INDEX decisions_country_idx
  ON stats.decisions (country, decided_on DESC, recorded_at DESC, id DESC);

-- Briefings: a talk's country dossier as rendered and stored, byte for byte, with the lower-case
-- hex SHA-256 of the bytes, which every read checks.
CREATE TABLE stats.briefings (
  id                uuid        PRIMARY KEY,
  talk_id           uuid        NOT NULL REFERENCES stats.talks (id),
  language          text        NOT NULL CHECK (language IN ('en', 'nl')),
  format            text        NOT NULL CHECK (format IN ('DOSSIER_FORMAT_HTML',
                                  'DOSSIER_FORMAT_CSV', 'DOSSIER_FORMAT_JSON')),
  content_type      text        NOT NULL,
  filename          text        NOT NULL,
  statistics_period bytea       NOT NULL,
  content           bytea       NOT NULL,
  sha256            text        NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  stored_by         text        NOT NULL,
  stored_at         timestamptz NOT NULL
);
CREATE INDEX briefings_talk_idx ON stats.briefings (talk_id, stored_at DESC, id DESC);

CREATE TRIGGER talk_status_changes_frozen BEFORE UPDATE OR DELETE ON stats.talk_status_changes
  FOR EACH ROW EXECUTE FUNCTION stats.refuse_register_change();
CREATE TRIGGER commitments_frozen BEFORE UPDATE OR DELETE ON stats.commitments
  FOR EACH ROW EXECUTE FUNCTION stats.refuse_register_change();
CREATE TRIGGER commitment_closures_frozen BEFORE UPDATE OR DELETE ON stats.commitment_closures
  FOR EACH ROW EXECUTE FUNCTION stats.refuse_register_change();
CREATE TRIGGER decisions_frozen BEFORE UPDATE OR DELETE ON stats.decisions
  FOR EACH ROW EXECUTE FUNCTION stats.refuse_register_change();
CREATE TRIGGER briefings_frozen BEFORE UPDATE OR DELETE ON stats.briefings
  FOR EACH ROW EXECUTE FUNCTION stats.refuse_register_change();
CREATE TRIGGER talks_not_truncated BEFORE TRUNCATE ON stats.talks
  FOR EACH STATEMENT EXECUTE FUNCTION stats.refuse_register_change();
CREATE TRIGGER talk_status_changes_not_truncated BEFORE TRUNCATE ON stats.talk_status_changes
  FOR EACH STATEMENT EXECUTE FUNCTION stats.refuse_register_change();
CREATE TRIGGER commitments_not_truncated BEFORE TRUNCATE ON stats.commitments
  FOR EACH STATEMENT EXECUTE FUNCTION stats.refuse_register_change();
CREATE TRIGGER commitment_closures_not_truncated BEFORE TRUNCATE ON stats.commitment_closures
  FOR EACH STATEMENT EXECUTE FUNCTION stats.refuse_register_change();
CREATE TRIGGER decisions_not_truncated BEFORE TRUNCATE ON stats.decisions
  FOR EACH STATEMENT EXECUTE FUNCTION stats.refuse_register_change();
CREATE TRIGGER briefings_not_truncated BEFORE TRUNCATE ON stats.briefings
  FOR EACH STATEMENT EXECUTE FUNCTION stats.refuse_register_change();

REVOKE ALL ON stats.talk_status_changes, stats.talk_state, stats.commitments,
  stats.commitment_closures, stats.decisions, stats.briefings FROM PUBLIC;
GRANT SELECT, INSERT ON stats.talk_status_changes, stats.commitments, stats.commitment_closures,
  stats.decisions, stats.briefings TO consular_service;
GRANT SELECT ON stats.talk_state TO consular_service;
