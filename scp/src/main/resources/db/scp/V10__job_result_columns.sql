-- What SQL reads of a job's result (provider, model version, processing time) is kept in columns written from the
-- typed result (SeriesProcessor.Findings), no longer read out of the result's JSON by key name: renaming a key in
-- Java could not break the history, the views or the metrics without a compile error or a migration.
ALTER TABLE job ADD COLUMN model_version text,
                ADD COLUMN provider text,
                ADD COLUMN processing_seconds double precision;

UPDATE job SET model_version = result ->> 'modelVersion',
               provider = result ->> 'provider',
               processing_seconds = CASE WHEN result -> 'timingsMs' IS NULL THEN NULL
                   ELSE (coalesce((result -> 'timingsMs' ->> 'load')::float8, 0)
                         + coalesce((result -> 'timingsMs' ->> 'segmentation')::float8, 0)
                         + coalesce((result -> 'timingsMs' ->> 'measurement')::float8, 0)) / 1000.0 END
WHERE result IS NOT NULL;

CREATE OR REPLACE VIEW history AS
SELECT j.id                                     AS job_id,
       s.patient_id,
       s.issuer_of_patient_id,
       s.patient_name,
       s.study_uid,
       s.study_date,
       s.study_description,
       s.series_uid,
       s.series_description,
       j.series_version,
       j.state,
       j.last_error,
       j.model,
       j.provider                               AS provider,
       s.first_received_at                      AS received_at,
       j.created_at                             AS queued_at,
       (SELECT min(e.at) FROM job_event e WHERE e.job_id = j.id AND e.to_state = 'running') AS started_at,
       j.inferred_at,
       (SELECT max(o.sent_at) FROM outbox o WHERE o.job_id = j.id)                        AS sent_at,
       (SELECT count(*) FROM outbox o WHERE o.job_id = j.id AND o.state <> 'sent')          AS unsent_deliveries,
       (SELECT count(*) FROM lesion l WHERE l.job_id = j.id)                              AS lesion_count,
       EXISTS (SELECT 1 FROM job later WHERE later.series_id = j.series_id AND later.series_version > j.series_version
               AND later.state = 'done')        AS superseded,
       j.model_version                          AS model_version
FROM job j
JOIN series s ON s.id = j.series_id;
