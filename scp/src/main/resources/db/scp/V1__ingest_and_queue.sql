-- Series received by the node. One row per Series Instance UID; version grows each time an
-- instance arrives after the series was queued, so every completed version gets exactly one job.
CREATE TABLE series (
    id                   bigserial PRIMARY KEY,
    series_uid           text        NOT NULL UNIQUE,
    study_uid            text        NOT NULL,
    patient_id           text        NOT NULL DEFAULT '',
    issuer_of_patient_id text        NOT NULL DEFAULT '',
    patient_name         text        NOT NULL DEFAULT '',
    study_date           text        NOT NULL DEFAULT '',
    study_description    text        NOT NULL DEFAULT '',
    series_description   text        NOT NULL DEFAULT '',
    modality             text        NOT NULL DEFAULT '',
    calling_ae           text        NOT NULL,
    version              integer     NOT NULL DEFAULT 1,
    state                text        NOT NULL DEFAULT 'receiving' CHECK (state IN ('receiving', 'queued')),
    first_received_at    timestamptz NOT NULL DEFAULT now(),
    last_received_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX series_receiving ON series (last_received_at) WHERE state = 'receiving';

-- Every stored instance: its spool file (relative to data.dir) and a checksum to tell a resend from a change.
CREATE TABLE instance (
    sop_instance_uid    text        PRIMARY KEY,
    series_id           bigint      NOT NULL REFERENCES series (id),
    sop_class_uid       text        NOT NULL,
    transfer_syntax_uid text        NOT NULL,
    path                text        NOT NULL,
    size_bytes          bigint      NOT NULL,
    digest              text        NOT NULL, -- CRC32C of the dataset (file meta left out), hex
    calling_ae          text        NOT NULL,
    received_at         timestamptz NOT NULL DEFAULT now(),
    replaced            integer     NOT NULL DEFAULT 0
);
CREATE INDEX instance_series ON instance (series_id);

-- Objects that arrived but could not be used (unparseable, wrong identifiers); kept in quarantine.
CREATE TABLE rejected_object (
    id               bigserial PRIMARY KEY,
    calling_ae       text        NOT NULL,
    peer             text        NOT NULL,
    sop_instance_uid text        NOT NULL DEFAULT '',
    reason           text        NOT NULL,
    quarantine_path  text        NOT NULL,
    at               timestamptz NOT NULL DEFAULT now()
);

-- The work queue. Claimed with FOR UPDATE SKIP LOCKED under a lease, so several processes share it.
CREATE TABLE job (
    id              bigserial PRIMARY KEY,
    series_id       bigint      NOT NULL REFERENCES series (id),
    series_version  integer     NOT NULL,
    state           text        NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'done', 'failed', 'dead')),
    attempts        integer     NOT NULL DEFAULT 0,
    max_attempts    integer     NOT NULL,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    lease_owner     text,
    lease_until     timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    result          jsonb,
    last_error      text,
    UNIQUE (series_id, series_version)
);
CREATE INDEX job_ready ON job (next_attempt_at) WHERE state = 'queued';
CREATE INDEX job_leased ON job (lease_until) WHERE state = 'running';

-- Every state change of a job, with who made it and why.
CREATE TABLE job_event (
    id         bigserial PRIMARY KEY,
    job_id     bigint      NOT NULL REFERENCES job (id),
    at         timestamptz NOT NULL DEFAULT clock_timestamp(),
    from_state text,
    to_state   text        NOT NULL,
    owner      text,
    reason     text        NOT NULL
);
CREATE INDEX job_event_job ON job_event (job_id);
