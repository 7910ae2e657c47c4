-- The case service's tables: cases, their timeline (case_events, also the outbox for statistics),
-- notes, human reference counters and the idempotency records of mutations.
CREATE SCHEMA IF NOT EXISTS cases;

CREATE TABLE cases.reference_counters (
  prefix     text    NOT NULL,
  year       integer NOT NULL,
  last_value integer NOT NULL,
  PRIMARY KEY (prefix, year)
);

CREATE TABLE cases.cases (
  id                         uuid        PRIMARY KEY,
  reference                  text        NOT NULL UNIQUE,
  case_type                  text        NOT NULL,
  status                     text        NOT NULL,
  outcome                    text,
  handling_post              text        NOT NULL,
  country                    text        NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
  risk_flags                 text[]      NOT NULL DEFAULT '{}',
  referral_source            text        NOT NULL,
  subject_sex                text        NOT NULL,
  subject_nationality_status text        NOT NULL,
  -- Serialized consular.v1.Case holding only subject, safety and the type-specific details:
  -- the personal part of the record.
  personal                   bytea       NOT NULL,
  opened_at                  timestamptz NOT NULL,
  updated_at                 timestamptz NOT NULL,
  resolved_at                timestamptz,
  closed_at                  timestamptz,
  version                    bigint      NOT NULL CHECK (version > 0)
);

CREATE INDEX cases_post_opened_idx ON cases.cases (handling_post, opened_at DESC, id DESC);
CREATE INDEX cases_country_opened_idx ON cases.cases (country, opened_at DESC, id DESC);
CREATE INDEX cases_opened_idx ON cases.cases (opened_at DESC, id DESC);
CREATE INDEX cases_risk_flags_idx ON cases.cases USING gin (risk_flags);

CREATE TABLE cases.case_events (
  id           bigserial   PRIMARY KEY,
  case_id      uuid        NOT NULL REFERENCES cases.cases (id),
  sequence     integer     NOT NULL,
  event_type   text        NOT NULL,
  actor        text        NOT NULL,
  actor_role   text        NOT NULL,
  actor_post   text        NOT NULL,
  occurred_at  timestamptz NOT NULL,
  case_version bigint      NOT NULL,
  -- The event as consular.v1.CaseEvent JSON (changed fields, statuses, reason, outcome, note id).
  payload      jsonb       NOT NULL,
  UNIQUE (case_id, sequence)
);

CREATE TABLE cases.case_notes (
  id          uuid        PRIMARY KEY,
  case_id     uuid        NOT NULL REFERENCES cases.cases (id),
  author      text        NOT NULL,
  author_post text        NOT NULL,
  created_at  timestamptz NOT NULL,
  body        text        NOT NULL
);

CREATE INDEX case_notes_case_idx ON cases.case_notes (case_id, created_at, id);

CREATE TABLE cases.idempotency (
  actor        text        NOT NULL,
  request_id   text        NOT NULL,
  method       text        NOT NULL,
  request_hash bytea       NOT NULL,
  response     bytea,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (actor, request_id)
);
