package org.ctai.inference.series;

/** Why a series was refused by {@link SeriesLoader}; the accompanying message gives the details. */
public enum Refusal {
    /** No file of the requested series was found among the files given. */
    NO_IMAGES,
    /** Modality is not CT, or the SOP class is not CT Image Storage. */
    NOT_CT,
    /** A Type 1 attribute the loader needs (UIDs, geometry, pixel description) is missing or malformed. */
    MISSING_ATTRIBUTE,
    /** Slices of the series differ in Rows or Columns. */
    MIXED_DIMENSIONS,
    /** Slices of the series differ in Pixel Spacing. */
    MIXED_PIXEL_SPACING,
    /** Slices of the series differ in Image Orientation (Patient). */
    MIXED_ORIENTATION,
    /** Slices of the series differ in Frame of Reference UID. */
    MIXED_FRAME_OF_REFERENCE,
    /** Two slices lie at the same position along the slice normal. */
    DUPLICATE_POSITION,
    /** A slice has no Pixel Data element. */
    MISSING_PIXEL_DATA,
    /** A slice is encoded in a transfer syntax whose pixel data this build cannot decode. */
    UNSUPPORTED_TRANSFER_SYNTAX,
    /** Pixels are not single-sample grey 8 or 16 bit, or the image is multi-frame. */
    UNSUPPORTED_PIXEL_FORMAT,
    /** A file is not readable DICOM, is truncated, or its pixel data cannot be decoded. */
    UNREADABLE_FILE
}
