-- Statistics releases: what readers see are numbered, frozen releases of the protected figures,
-- never the live rollups. See docs/statistics.md ("Releases").
--
-- A release is made monthly by consular-stats and on demand by an administrator. It holds, per
-- country and year, every figure of the linked set (linked_tables.h) that is nonzero or
-- suppressed, with its value and whether it is published, as JSON; and the days from opening to
-- resolution per quarter, for the medians. The values of suppressed figures are kept (they are
-- counts, like the rollups) so that the next release can be protected together with this one;
-- they never leave the service. Nothing in a release is ever changed or removed.

CREATE TABLE stats.releases (
  number             integer     PRIMARY KEY CHECK (number > 0),
  kind               text        NOT NULL CHECK (kind IN ('RELEASE_KIND_MONTHLY',
                                                          'RELEASE_KIND_ON_DEMAND')),
  -- Monthly releases: the month they are for (the first day); one per month.
  month              date        UNIQUE CHECK (month IS NULL OR extract(day FROM month) = 1),
  cut_off            timestamptz NOT NULL,  -- every event committed before it is counted
  definition_version text        NOT NULL,
  threshold          integer     NOT NULL CHECK (threshold >= 5),
  made_at            timestamptz NOT NULL,
  made_by            text        NOT NULL,
  countries          integer     NOT NULL,
  -- The share of people hidden: figures and people in suppressed cells over all cells (of the
  -- years' published figures), for the release notes.
  cells              bigint      NOT NULL,
  cells_suppressed   bigint      NOT NULL,
  people             bigint      NOT NULL,
  people_suppressed  bigint      NOT NULL,
  build_millis       bigint      NOT NULL,
  CHECK ((kind = 'RELEASE_KIND_MONTHLY') = (month IS NOT NULL))
);
CREATE INDEX releases_made_idx ON stats.releases (made_at DESC, number DESC);

CREATE TABLE stats.release_countries (
  release        integer NOT NULL REFERENCES stats.releases (number),
  country        text    NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
  first_year     integer NOT NULL,
  last_year      integer NOT NULL,
  from_the_start boolean NOT NULL,
  fully_protected boolean NOT NULL,
  PRIMARY KEY (release, country)
);

CREATE TABLE stats.release_years (
  release integer NOT NULL,
  country text    NOT NULL,
  year    integer NOT NULL,
  figures text    NOT NULL,  -- JSON, see services/stats/linked_tables.h (YearJson)
  PRIMARY KEY (release, country, year),
  FOREIGN KEY (release, country) REFERENCES stats.release_countries (release, country)
);

CREATE FUNCTION stats.refuse_release_change() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
BEGIN
  RAISE EXCEPTION 'statistics releases are never changed or removed'
    USING ERRCODE = 'check_violation';
END
$$;
CREATE TRIGGER releases_frozen BEFORE UPDATE OR DELETE ON stats.releases
  FOR EACH ROW EXECUTE FUNCTION stats.refuse_release_change();
CREATE TRIGGER release_countries_frozen BEFORE UPDATE OR DELETE ON stats.release_countries
  FOR EACH ROW EXECUTE FUNCTION stats.refuse_release_change();
CREATE TRIGGER release_years_frozen BEFORE UPDATE OR DELETE ON stats.release_years
  FOR EACH ROW EXECUTE FUNCTION stats.refuse_release_change();

REVOKE ALL ON stats.releases, stats.release_countries, stats.release_years FROM PUBLIC;
GRANT SELECT, INSERT ON stats.releases, stats.release_countries, stats.release_years
  TO consular_service;
