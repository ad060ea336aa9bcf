package org.ctai.scp;

/** Base of the node's own unchecked exceptions, each named for the step that failed. */
public class NodeException extends RuntimeException {
    public NodeException(String message) {
        super(message);
    }

    public NodeException(String message, Throwable cause) {
        super(message, cause);
    }
}
