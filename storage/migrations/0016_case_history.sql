-- The history of a case's fields: for each update, the old and new value of every field it
-- changed (a serialised consular.v1.CaseEvent holding only its `changes`), sealed like the other
-- personal columns, bound to cases.case_events.changes and the event (case id and sequence).
-- The reason of the update is kept in the existing `reason` column.
ALTER TABLE cases.case_events
  ADD COLUMN changes bytea CHECK (changes IS NULL OR cases.is_field_ciphertext(changes));
