-- The history names the model's version (SHA-256 prefix of the model file) beside its name.
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
       j.result ->> 'provider'                  AS provider,
       s.first_received_at                      AS received_at,
       j.created_at                             AS queued_at,
       (SELECT min(e.at) FROM job_event e WHERE e.job_id = j.id AND e.to_state = 'running') AS started_at,
       j.inferred_at,
       (SELECT max(o.sent_at) FROM outbox o WHERE o.job_id = j.id)                        AS sent_at,
       (SELECT count(*) FROM outbox o WHERE o.job_id = j.id AND o.state <> 'sent')          AS unsent_deliveries,
       (SELECT count(*) FROM lesion l WHERE l.job_id = j.id)                              AS lesion_count,
       EXISTS (SELECT 1 FROM job later WHERE later.series_id = j.series_id AND later.series_version > j.series_version
               AND later.state = 'done')        AS superseded,
       j.result ->> 'modelVersion'              AS model_version
FROM job j
JOIN series s ON s.id = j.series_id;
