package org.ctai.scp.receive;

/** Who is on the other end of one association; its {@code toString} prefixes log lines. */
record AssociationContext(String id, String callingAeTitle, String peer) {
    @Override
    public String toString() {
        return "[" + id + " " + callingAeTitle + "@" + peer + "]";
    }
}
