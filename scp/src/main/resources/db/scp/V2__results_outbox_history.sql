-- DICOM objects a job produced (SEG, SR, overlays), written under data.dir before the job is marked done.
CREATE TABLE result_object (
    id               bigserial PRIMARY KEY,
    job_id           bigint      NOT NULL REFERENCES job (id),
    kind             text        NOT NULL CHECK (kind IN ('seg', 'sr', 'overlay')),
    sop_class_uid    text        NOT NULL,
    sop_instance_uid text        NOT NULL UNIQUE,
    path             text        NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX result_object_job ON result_object (job_id);

-- One delivery per job and destination: all of the job's objects over one association. Written in the
-- transaction that marks the job done, so nothing is lost between inference and sending.
CREATE TABLE outbox (
    id              bigserial PRIMARY KEY,
    job_id          bigint      NOT NULL REFERENCES job (id),
    destination     text        NOT NULL,
    state           text        NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending', 'sent', 'dead')),
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    lease_owner     text,
    lease_until     timestamptz,
    last_error      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz,
    UNIQUE (job_id, destination)
);
CREATE INDEX outbox_ready ON outbox (next_attempt_at) WHERE state = 'pending';

CREATE TABLE outbox_event (
    id         bigserial PRIMARY KEY,
    outbox_id  bigint      NOT NULL REFERENCES outbox (id),
    at         timestamptz NOT NULL DEFAULT clock_timestamp(),
    to_state   text        NOT NULL,
    owner      text,
    reason     text        NOT NULL
);

-- Every lesion a job measured, for the history and the web page; the full measurements as JSON.
CREATE TABLE lesion (
    job_id                bigint           NOT NULL REFERENCES job (id),
    lesion_id             integer          NOT NULL,
    volume_mm3            double precision NOT NULL,
    largest_area_mm2      double precision NOT NULL,
    largest_area_slice    integer          NOT NULL,
    longest_diameter_mm   double precision NOT NULL,
    mean_hu               double precision NOT NULL,
    centroid_x_mm         double precision NOT NULL,
    centroid_y_mm         double precision NOT NULL,
    centroid_z_mm         double precision NOT NULL,
    measurements          jsonb            NOT NULL,
    PRIMARY KEY (job_id, lesion_id)
);

ALTER TABLE job ADD COLUMN model text;
ALTER TABLE job ADD COLUMN inferred_at timestamptz;
