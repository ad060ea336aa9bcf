-- Priors fetched from the PACS by query/retrieve (org.ctai.scp.priors, issue 19).
-- prior_query: one row per study the node processed; asks the PACS for that patient's earlier CT studies.
-- Claimed by setting next_attempt_at into the future (a lease): a process that dies mid-query leaves a row
-- that is taken again when that time passes. Patient ID and issuer are kept here, as in scp.series, to query
-- with; they never go into a log line.
CREATE TABLE prior_query (
    study_uid            text        PRIMARY KEY,
    patient_id           text        NOT NULL,
    issuer_of_patient_id text        NOT NULL DEFAULT '',
    study_date           text        NOT NULL DEFAULT '',
    state                text        NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'failed')),
    attempts             integer     NOT NULL DEFAULT 0,
    next_attempt_at      timestamptz NOT NULL DEFAULT now(),
    last_error           text,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX prior_query_due ON prior_query (next_attempt_at) WHERE state = 'pending';

-- prior_fetch: one row per earlier study chosen for retrieval, for the study that asked (for_study_uid).
-- A study with a row here is a prior: never fetched again, never asks for priors of its own, and its results
-- stay in the history unless priors.send-results is true. series_uids: what the routing rules picked from the
-- C-FIND answers; empty with state 'nothing' when no series was worth fetching.
CREATE TABLE prior_fetch (
    study_uid       text        PRIMARY KEY,
    for_study_uid   text        NOT NULL,
    study_date      text        NOT NULL DEFAULT '',
    series_uids     text[]      NOT NULL DEFAULT '{}',
    state           text        NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'done', 'failed', 'nothing')),
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX prior_fetch_due ON prior_fetch (next_attempt_at) WHERE state = 'queued';
CREATE INDEX prior_fetch_for ON prior_fetch (for_study_uid);
