-- The verified watermark of the audit chain: the last seq a verification found intact, and that
-- row's hash. AuditService.VerifyChain (storage/audit_verification.h) starts from it: it checks
-- that the anchor row (the chain row at the watermark) and its event still give the stored hash,
-- recomputes only the rows after it, and moves the watermark up to the chain head in the same
-- transaction, only when every one of them verified. A full verification (VerifyChain with
-- `full`) recomputes the chain from seq 1 and, when it is intact, resets the watermark to where
-- it ended. Rows before the watermark are re-checked only by a full verification. See
-- docs/audit.md.
--
-- One row, never removed (the triggers of migration 0002 refuse DELETE and TRUNCATE). The
-- services' role may read it and changes it only through audit.record_verification, which runs
-- as the owner and takes only a seq and hash that are the chain's own.
CREATE TABLE audit.verified_watermark (
  singleton        boolean     PRIMARY KEY DEFAULT true CHECK (singleton),
  -- The last verified seq; 0: nothing verified yet.
  seq              bigint      NOT NULL CHECK (seq >= 0),
  -- The hash of chain row `seq` (32 zero bytes for seq 0).
  hash             bytea       NOT NULL CHECK (length(hash) = 32),
  -- The largest event id covered by the chain rows up to `seq`: an incremental verification
  -- looks for events that are neither chained nor queued among the events above it only.
  max_event_id     bigint      NOT NULL CHECK (max_event_id >= 0),
  -- When a verification last ended at or moved the watermark; NULL: never.
  verified_at      timestamptz,
  -- When a full verification last found the chain intact; NULL: never.
  full_verified_at timestamptz
);

INSERT INTO audit.verified_watermark (seq, hash, max_event_id)
  VALUES (0, decode(repeat('00', 32), 'hex'), 0);

CREATE TRIGGER verified_watermark_no_delete BEFORE DELETE ON audit.verified_watermark
  FOR EACH ROW EXECUTE FUNCTION audit.reject_change();
CREATE TRIGGER verified_watermark_no_truncate BEFORE TRUNCATE ON audit.verified_watermark
  FOR EACH STATEMENT EXECUTE FUNCTION audit.reject_change();

-- Records a verification that found the chain intact up to p_seq, whose hash is p_hash, covering
-- events up to id p_max_event_id. An incremental one (p_full false) only moves the watermark
-- forward (a verification that ended below it, e.g. one that ran alongside, leaves it); a full
-- one sets it to p_seq whatever it was, and its time. Returns whether the row changed. Refuses
-- (check_violation) a seq and hash that are not a row of the chain, and NULL or negative values
-- (invalid_parameter_value). The caller serialises verifications (storage/audit_verification.cc
-- takes an advisory lock); a concurrent call waits for the row.
CREATE FUNCTION audit.record_verification(p_seq bigint, p_hash bytea, p_max_event_id bigint,
                                          p_full boolean) RETURNS boolean
  LANGUAGE plpgsql
  SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS $$
DECLARE
  changed bigint;
BEGIN
  IF p_seq IS NULL OR p_seq < 0 OR p_hash IS NULL OR p_max_event_id IS NULL
     OR p_max_event_id < 0 OR p_full IS NULL THEN
    RAISE EXCEPTION 'audit.record_verification: a seq and max_event_id of 0 or more, a hash and '
                    'full are required'
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF p_seq = 0 THEN
    IF p_hash <> decode(repeat('00', 32), 'hex') THEN
      RAISE EXCEPTION 'the verified watermark at seq 0 has the hash of 32 zero bytes'
        USING ERRCODE = 'check_violation';
    END IF;
  ELSIF NOT EXISTS (SELECT FROM audit.chain WHERE seq = p_seq AND hash = p_hash) THEN
    RAISE EXCEPTION 'seq % with that hash is not a row of the audit chain', p_seq
      USING ERRCODE = 'check_violation';
  END IF;

  IF p_full THEN
    INSERT INTO audit.verified_watermark AS w
        (seq, hash, max_event_id, verified_at, full_verified_at)
      VALUES (p_seq, p_hash, p_max_event_id, now(), now())
      ON CONFLICT (singleton) DO UPDATE
        SET seq = EXCLUDED.seq, hash = EXCLUDED.hash, max_event_id = EXCLUDED.max_event_id,
            verified_at = EXCLUDED.verified_at, full_verified_at = EXCLUDED.full_verified_at;
  ELSE
    INSERT INTO audit.verified_watermark AS w (seq, hash, max_event_id, verified_at)
      VALUES (p_seq, p_hash, p_max_event_id, now())
      ON CONFLICT (singleton) DO UPDATE
        SET seq = EXCLUDED.seq, hash = EXCLUDED.hash,
            max_event_id = GREATEST(w.max_event_id, EXCLUDED.max_event_id),
            verified_at = EXCLUDED.verified_at
        WHERE w.seq <= EXCLUDED.seq;
  END IF;
  GET DIAGNOSTICS changed = ROW_COUNT;
  RETURN changed > 0;
END
$$;

REVOKE ALL ON audit.verified_watermark FROM PUBLIC;
GRANT SELECT ON audit.verified_watermark TO consular_service;
REVOKE ALL ON FUNCTION audit.record_verification(bigint, bytea, bigint, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION audit.record_verification(bigint, bytea, bigint, boolean)
  TO consular_service;
