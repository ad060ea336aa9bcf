-- PNG images of the CT slices that hold lesions, contours drawn, for the web page. They stay when the
-- retention cleaner deletes a series' DICOM files.
CREATE TABLE overlay_image (
    job_id           bigint  NOT NULL REFERENCES job (id),
    slice_index      integer NOT NULL,
    sop_instance_uid text    NOT NULL,
    slice_position   double precision NOT NULL,
    path             text    NOT NULL,
    rows             integer NOT NULL,
    columns          integer NOT NULL,
    PRIMARY KEY (job_id, slice_index)
);
