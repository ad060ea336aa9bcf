-- Progress of a running job, slices segmented out of the series' slices; updated about once a second.
ALTER TABLE job ADD COLUMN slices_done integer;
ALTER TABLE job ADD COLUMN slices_total integer;
