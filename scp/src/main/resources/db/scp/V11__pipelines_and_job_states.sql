-- Routing (issue 18): a job belongs to a pipeline (NULL for a series no pipeline took, which is recorded as an
-- ignored job with its reason), several pipelines may each have a job for one series version, and the queue
-- serves higher priorities first.
ALTER TABLE job ADD COLUMN pipeline text,
                ADD COLUMN priority integer NOT NULL DEFAULT 50;
ALTER TABLE job DROP CONSTRAINT job_series_id_series_version_key;
CREATE UNIQUE INDEX job_series_version_pipeline ON job (series_id, series_version, coalesce(pipeline, ''));

-- The job states have one owner, the Java enum org.ctai.viewer.JobState: the node fills this table from it at
-- every start, so a new outcome needs no migration; a state the code does not know cannot be written.
CREATE TABLE job_state (
    name text PRIMARY KEY
);
INSERT INTO job_state (name) VALUES ('queued'), ('running'), ('done'), ('failed'), ('dead');
ALTER TABLE job DROP CONSTRAINT job_state_check;
ALTER TABLE job ADD CONSTRAINT job_state_known FOREIGN KEY (state) REFERENCES job_state (name);

-- When a series that produced no result may have its files deleted (routing.ignored-retention).
ALTER TABLE series ADD COLUMN discard_after timestamptz;

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
               AND later.state = 'done' AND later.pipeline IS NOT DISTINCT FROM j.pipeline) AS superseded,
       j.model_version                          AS model_version,
       j.pipeline                               AS pipeline
FROM job j
JOIN series s ON s.id = j.series_id;
