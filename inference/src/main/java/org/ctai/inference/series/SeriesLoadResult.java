package org.ctai.inference.series;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Outcome of loading one series: {@link Loaded} with its volume, {@link Refused} with the reason, or,
 * from {@link SeriesLoader#loadAll}, {@link Unreadable} for a file that could not be attributed to
 * any series. Immutable.
 */
public sealed interface SeriesLoadResult {

    /** The Series Instance UID; empty for {@link Unreadable}. */
    String seriesInstanceUid();

    /** The volume, or a {@link SeriesLoadException} carrying the refusal. */
    Volume volumeOrThrow();

    /** The series loaded; its pixels are read later, in batches, through {@link Volume#readSlices}. */
    record Loaded(Volume volume) implements SeriesLoadResult {
        public Loaded {
            Objects.requireNonNull(volume, "volume");
        }

        @Override
        public String seriesInstanceUid() {
            return volume.seriesInstanceUid();
        }

        @Override
        public Volume volumeOrThrow() {
            return volume;
        }
    }

    /** The series was refused. The message names the series and SOP instances concerned, never the patient. */
    record Refused(String seriesInstanceUid, Refusal reason, String message) implements SeriesLoadResult {
        public Refused {
            Objects.requireNonNull(seriesInstanceUid, "seriesInstanceUid");
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(message, "message");
        }

        @Override
        public Volume volumeOrThrow() {
            throw new SeriesLoadException(seriesInstanceUid, reason, message);
        }
    }

    /** A file that is not readable DICOM, or carries no Series Instance UID, so it belongs to no series. */
    record Unreadable(Path file, String message) implements SeriesLoadResult {
        public Unreadable {
            Objects.requireNonNull(file, "file");
            Objects.requireNonNull(message, "message");
        }

        @Override
        public String seriesInstanceUid() {
            return "";
        }

        @Override
        public Volume volumeOrThrow() {
            throw new SeriesLoadException("", Refusal.UNREADABLE_FILE, message);
        }
    }
}
