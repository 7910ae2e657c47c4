-- The figures a row of ListCountries (and of the countries never raised) is computed from, kept
-- beside each country-year of a release. A row shows a handful of figures of a country: cases
-- opened, resolved and unresolved, cases with contacts, recognitions granted and refused, returns
-- to the Netherlands. Reading every country's whole year for it (every breakdown of every month
-- and quarter, some 400 to 500 figures, and the days to resolution) made a list of a year of 60
-- countries read and parse some 25,000 figures; these are about 80 of each country-year.
--
-- list_figures is derived by the database from the frozen figures, for the releases made before
-- this migration (the column is filled when it is added) and every one after, so it can never
-- disagree with them. In the same JSON as figures (services/stats/linked_tables.h, YearJson), it
-- holds the figures of a quarter or the year (slot 12 and up) of the totals and of the case-type,
-- recognition-decision and outcome tables, and no days. That is every figure publishing a row reads: the
-- totals of a year or quarter, cases unresolved at the year's end by case type, the two
-- breakdowns and their populations (the divorce-recognition column of the case-type table, every
-- case), and whether a release holds them. The months left out are the totals' only (the
-- breakdowns have none): each is a part of its quarter, which is kept. A row carries no median, so
-- the days are not needed. tests/stats/list_countries_test.cc holds every answer read this way to
-- the one computed from the whole figures.
CREATE FUNCTION stats.list_figures(figures text) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$
    SELECT json_build_object(
             'year', doc -> 'year',
             'figures', COALESCE(
               (SELECT json_agg(f ORDER BY i)
                  FROM json_array_elements(doc -> 'figures') WITH ORDINALITY AS e (f, i)
                 WHERE (f ->> 0)::integer >= 12
                   AND f ->> 2 IN ('TOTAL', 'DIMENSION_CASE_TYPE',
                                   'DIMENSION_RECOGNITION_DECISION', 'DIMENSION_OUTCOME')),
               '[]'::json),
             'days', '[]'::json)::text
      FROM (SELECT figures::json AS doc) AS year_figures
  $$;

-- A stored generated column: written with every row, never by the service; adding it rewrites the
-- table once (no row is updated, so the triggers that refuse changes to a release do not fire).
ALTER TABLE stats.release_years
  ADD COLUMN list_figures text NOT NULL GENERATED ALWAYS AS (stats.list_figures(figures)) STORED;
