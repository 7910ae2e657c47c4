-- Three more statistical facts of a case, derived by the case service like those of migration
-- 0008 (storage/case_facts.h) and kept in clear beside them: the children on an abandonment case,
-- who pays for its return, and the furthest stage the foreign proceedings of a divorce-recognition
-- case reached. See docs/statistics.md.
--
-- The personal part is encrypted, so existing rows cannot be derived here: they get the defaults,
-- which are the categories of "not counted" (children) and "not recorded" (funding, stage; no case
-- has stages yet), and their facts at their next change.
ALTER TABLE cases.cases
  ADD COLUMN stat_children text NOT NULL DEFAULT 'CHILDREN_UNKNOWN',
  ADD COLUMN stat_return_funding text NOT NULL DEFAULT 'RETURN_FUNDING_UNSPECIFIED',
  ADD COLUMN stat_recognition_stage text NOT NULL DEFAULT 'PROCEEDINGS_STAGE_UNSPECIFIED';
