package org.ctai.viewer;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/**
 * Where STOW-RS instances go: implemented by the node's receiver (this module knows nothing of DICOM storage). One
 * {@link Request} per HTTP request; its end counts as an association's release for series completion.
 * Implementations are thread-safe; a Request is used by one thread.
 */
public interface StowReceiver {
    /** Largest request body accepted, in bytes. */
    long maxRequestBytes();

    /**
     * Starts a request from {@code user} at {@code peer}.
     *
     * @throws IOException the node cannot take instances now (shutting down, spool full); nothing was stored
     */
    Request begin(String user, String peer) throws IOException;

    /** The instances of one request. */
    interface Request extends AutoCloseable {
        /**
         * Stores one part, a DICOM Part 10 stream, before returning (as durable as a C-STORE success).
         *
         * @param study the Study Instance UID the request's path names, if any; an instance of another study fails
         */
        Outcome store(InputStream part, Optional<String> study);

        /** The request is over: series completion counts it like an association's release. */
        @Override
        void close();
    }

    /**
     * One part's outcome: stored (failureReason empty), or failed with a PS3.18 failure reason (0xA700 out of
     * resources, 0xA900 does not match, 0xC000 cannot understand, 0xC122 transfer syntax not supported, 0x0122
     * SOP class not supported) and a text saying why. UIDs are empty when the part could not be read.
     */
    record Outcome(String sopClassUid, String sopInstanceUid, String studyUid, Optional<Integer> failureReason, String reason) {
        public static Outcome stored(String sopClassUid, String sopInstanceUid, String studyUid) {
            return new Outcome(sopClassUid, sopInstanceUid, studyUid, Optional.empty(), "");
        }

        public static Outcome failed(String sopClassUid, String sopInstanceUid, String studyUid, int failureReason, String reason) {
            return new Outcome(sopClassUid, sopInstanceUid, studyUid, Optional.of(failureReason), reason);
        }

        public boolean isStored() {
            return failureReason.isEmpty();
        }
    }
}
