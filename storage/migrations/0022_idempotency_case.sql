-- Records management, the common ground (docs/records.md): which case a stored response is about.
--
-- A mutation's stored response (for replays) may hold a case's personal data, encrypted. It names
-- its case here, so that anonymising a case destroys its stored responses with it, and
-- housekeeping can find the records it expires by age. NULL for a response that concerns no case
-- and for records written before this migration (housekeeping expires those by age alone).
ALTER TABLE cases.idempotency ADD COLUMN case_id uuid;
ALTER TABLE contacts.idempotency ADD COLUMN case_id uuid;
ALTER TABLE stats.idempotency ADD COLUMN case_id uuid;
COMMENT ON COLUMN cases.idempotency.case_id IS 'The case the stored response is about, if any';
COMMENT ON COLUMN contacts.idempotency.case_id IS 'The case the stored response is about, if any';
COMMENT ON COLUMN stats.idempotency.case_id IS 'Always NULL: statistics responses name no case';

CREATE INDEX idempotency_case_idx ON cases.idempotency (case_id) WHERE case_id IS NOT NULL;
CREATE INDEX idempotency_created_idx ON cases.idempotency (created_at);
CREATE INDEX idempotency_case_idx ON contacts.idempotency (case_id) WHERE case_id IS NOT NULL;
CREATE INDEX idempotency_created_idx ON contacts.idempotency (created_at);
CREATE INDEX idempotency_created_idx ON stats.idempotency (created_at);
