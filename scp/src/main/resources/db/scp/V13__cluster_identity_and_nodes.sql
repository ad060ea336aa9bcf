-- Several nodes share one database and one data.dir. The first node to start on a database marks its data.dir
-- with an id (file data-dir.id) and records it here; every later start compares the two, so a node whose data.dir
-- is another folder (a missing mount, a typo) is refused at start instead of failing jobs it cannot read.
CREATE TABLE installation (
    singleton   boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    data_dir_id uuid NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- The nodes running on this database: each refreshes seen_at every few seconds (on the database clock), so the
-- health endpoint can list those alive and, from the job leases they hold, what each is doing.
CREATE TABLE node (
    owner         text PRIMARY KEY,
    host          text NOT NULL,
    dicom_address text NOT NULL,
    version       text NOT NULL,
    started_at    timestamptz NOT NULL DEFAULT now(),
    seen_at       timestamptz NOT NULL DEFAULT now()
);
