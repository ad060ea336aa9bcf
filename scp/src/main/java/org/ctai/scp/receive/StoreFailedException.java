package org.ctai.scp.receive;

import org.ctai.scp.NodeException;

/** An instance could not be made durable (disk, database); the sender is answered A700 and may retry it. */
public final class StoreFailedException extends NodeException {
    public StoreFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
