package org.ctai.srwriter;

/**
 * Building or writing a result object (SEG, SR, overlay) failed. The message names the series or SOP instance
 * by UID and never carries patient attributes.
 */
public class SrWriteException extends RuntimeException {
    public SrWriteException(String message) {
        super(message);
    }

    public SrWriteException(String message, Throwable cause) {
        super(message, cause);
    }
}
