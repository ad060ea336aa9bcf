package org.ctai.scp;

/** An instance could not be made durable (disk, database); the association is aborted so the sender retries. */
public final class StoreFailedException extends NodeException {
    public StoreFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
