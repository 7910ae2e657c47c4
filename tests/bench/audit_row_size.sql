-- The on-disk size of one audit row (audit.events with its indexes, its audit.chain row with its
-- indexes; audit.pending is empty once chained), for the audit trail's growth in BENCHMARKS.md
-- and docs/records.md. Run as the owner or a superuser on a freshly migrated,
-- otherwise empty database (psql -v rows=100000 -f tests/bench/audit_row_size.sql).
--
-- The rows are shaped as the benchmark's calls write them: one CreateCase to every 3.65 GetCase
-- (313.5 and 1,144.5 a second), each by one of 32 officers of a post, naming a case, with a
-- purpose and no correlation id (a successful call has none); chain rows hold two 32-byte hashes.
\set ON_ERROR_STOP on
BEGIN;
INSERT INTO audit.events (occurred_at, actor, actor_role, actor_post, action, case_id, purpose,
                          outcome, emergency, correlation_id)
SELECT now() - (:rows - g) * interval '1 millisecond',
       'officer-' || (g % 32) || '@rabat.example.org', 'ROLE_CONSULAR_OFFICER', 'RABAT',
       CASE WHEN g % 1458 < 313 THEN 'CaseService.CreateCase' ELSE 'CaseService.GetCase' END,
       gen_random_uuid(), 'casework', 'OK', false, NULL
  FROM generate_series(1, :rows) g;
INSERT INTO audit.chain (seq, event_id, prev_hash, hash)
SELECT row_number() OVER (ORDER BY id), id, sha256(int8send(id - 1)), sha256(int8send(id))
  FROM audit.events;
SELECT audit.dequeue_chained(array_agg(event_id)) AS dequeued FROM audit.chain;
COMMIT;
VACUUM ANALYZE audit.events, audit.chain, audit.pending;
SELECT count(*) AS rows,
       pg_total_relation_size('audit.events') AS events_bytes,
       pg_total_relation_size('audit.chain') AS chain_bytes,
       pg_total_relation_size('audit.pending') AS pending_bytes,
       round((pg_total_relation_size('audit.events') + pg_total_relation_size('audit.chain')
              + pg_total_relation_size('audit.pending'))::numeric / count(*), 1) AS bytes_per_row
  FROM audit.events;
