-- The body profile (one section per slice: the largest > -300 HU region's area, centroid and clamped mean HU, measured by
-- inference's BodyOutliner) that the patient page aligns studies with is a typed column written from the typed result
-- (SeriesProcessor.Findings), like model_version, provider and processing_seconds (V10): the viewer no longer reads it out
-- of the result's JSON by key name, so renaming a key in Java cannot silently break the alignment.
CREATE TYPE body_section AS (
    slice    integer,
    z_mm     double precision,
    area_mm2 double precision,
    x_mm     double precision,
    y_mm     double precision,
    mean_hu  double precision
);

-- NULL: no profile (results from before issue 19, or processing other than a segmentation).
ALTER TABLE job ADD COLUMN body_profile body_section[];

-- Results written before this column: the profile moves out of the JSON into the column, in the order it was stored.
UPDATE job j
SET body_profile = (SELECT array_agg(ROW((e ->> 'slice')::int, (e ->> 'zMm')::float8, (e ->> 'areaMm2')::float8,
                                         (e ->> 'xMm')::float8, (e ->> 'yMm')::float8, (e ->> 'meanHu')::float8)::body_section
                                     ORDER BY t.ord)
                    FROM jsonb_array_elements(j.result -> 'body' -> 'sections') WITH ORDINALITY AS t(e, ord)),
    result = j.result - 'body'
WHERE jsonb_typeof(j.result -> 'body' -> 'sections') = 'array';
