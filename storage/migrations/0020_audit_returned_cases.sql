-- A search by name shows the person's cases to whoever searched. The audit row of such a call
-- records which cases it returned, so that "who looked at her file" also finds those who saw it
-- in a list of results. Part of the chained row (storage/audit_chain.cc): changing it breaks the
-- chain like any other column. NULL: the call returned no case list.
ALTER TABLE audit.events ADD COLUMN returned_case_ids uuid[];

-- The auditor's lookup by case (audit list --case) looks here as well as at case_id.
CREATE INDEX events_returned_case_ids ON audit.events USING gin (returned_case_ids);
