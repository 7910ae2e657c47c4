-- Field encryption and the blind index (issue 3, items 2 and 3).
--
-- Personal data is encrypted in the application (services/common/field_cipher.h): each value is
-- stored as 0x01 | key_id_len | key_id | nonce(24) | XChaCha20-Poly1305 ciphertext+tag, bound by
-- its associated data to (table, column, row key, key id). The database never sees plaintext:
--   cases.cases.personal         subject, safety and type details   row key: case id
--   cases.case_notes.body        the note text                      row key: note id
--   cases.case_events.reason     a transition's reason              row key: "<case id>/<sequence>"
--   cases.idempotency.response   the stored response of a mutation  row key: "<len(actor)>:<actor><request id>"
-- cases.cases.subject_name_bidx is the blind index of the subject's name (HMAC-SHA256 of the
-- normalised name under a key of its own), for exact search.
--
-- Rows written before this migration hold plaintext that SQL cannot encrypt. Only development data
-- exists at this point, so the case tables are emptied.
TRUNCATE cases.idempotency, cases.case_notes, cases.case_events, cases.cases,
  cases.reference_counters;

-- The smallest ciphertext: version, key id length, a 1-byte key id, nonce and tag.
CREATE FUNCTION cases.is_field_ciphertext(value bytea) RETURNS boolean
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$ SELECT octet_length(value) >= 43 AND get_byte(value, 0) = 1 $$;

COMMENT ON COLUMN cases.cases.personal IS
  'FieldCipher ciphertext of a serialized consular.v1.Case with subject, safety and details';
ALTER TABLE cases.cases
  ADD CONSTRAINT cases_personal_encrypted CHECK (cases.is_field_ciphertext(personal)),
  ADD COLUMN subject_name_bidx bytea NOT NULL CHECK (octet_length(subject_name_bidx) = 32);
COMMENT ON COLUMN cases.cases.subject_name_bidx IS
  'Blind index of the normalised subject name: HMAC-SHA256 under the blind-index key';
CREATE INDEX cases_subject_name_bidx_idx ON cases.cases (subject_name_bidx, opened_at DESC, id DESC);

ALTER TABLE cases.case_notes DROP COLUMN body;
ALTER TABLE cases.case_notes
  ADD COLUMN body bytea NOT NULL CHECK (cases.is_field_ciphertext(body));
COMMENT ON COLUMN cases.case_notes.body IS 'FieldCipher ciphertext of the note text';

-- The reason leaves the JSON payload for an encrypted column of its own.
ALTER TABLE cases.case_events
  ADD COLUMN reason bytea CHECK (reason IS NULL OR cases.is_field_ciphertext(reason)),
  ADD CONSTRAINT case_events_payload_without_reason CHECK (NOT payload ? 'reason');
COMMENT ON COLUMN cases.case_events.reason IS
  'FieldCipher ciphertext of a transition''s reason; NULL for other events';

ALTER TABLE cases.idempotency
  ADD CONSTRAINT idempotency_response_encrypted
    CHECK (response IS NULL OR cases.is_field_ciphertext(response));
COMMENT ON COLUMN cases.idempotency.response IS 'FieldCipher ciphertext of the serialized response';
COMMENT ON COLUMN cases.idempotency.request_hash IS
  'Keyed digest (blind-index key) of the method and request: never an unkeyed hash of personal data';
