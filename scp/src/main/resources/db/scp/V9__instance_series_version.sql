-- The series version an instance belongs to: the version its series had when the instance was (last) stored.
-- A job for version n reads the instances of versions 1..n only, so an instance that arrives after its
-- series was queued belongs to the next version and never to the job already queued (which might otherwise
-- start after it arrived and read it too). Rows from before this column belong to version 1, which every job reads.
ALTER TABLE instance ADD COLUMN series_version integer NOT NULL DEFAULT 1;
