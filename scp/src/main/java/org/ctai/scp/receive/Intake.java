package org.ctai.scp.receive;

/**
 * What happens to a complete instance before its C-STORE is answered, as {@code data.fsync} decides:
 * {@link Immediate} (fsync on) stores it, file forced to disk and row committed, before the answer;
 * {@link Indexer} (fsync off) answers once the whole file is in the incoming folder and stores it right after.
 */
sealed interface Intake extends AutoCloseable permits Intake.Immediate, Indexer {
    /**
     * @param received the instance in this process's incoming folder; the intake moves or deletes its file
     * @param listener told of the outcome, possibly later and from another thread
     * @throws StoreFailedException the instance was not taken; the sender must be told to retry it
     */
    void take(IncomingFile.Received received, AssociationContext assoc, StoreAssociation.Listener listener);

    /** Waits until every instance taken so far is in the spool and the database. */
    void settle() throws InterruptedException;

    /** Stores what was taken and not yet stored, as far as it can; what is left is stored at the next start. */
    @Override
    void close();

    /** Stores each instance before it is answered. */
    record Immediate(InstanceStore store) implements Intake {
        @Override
        public void take(IncomingFile.Received received, AssociationContext assoc, StoreAssociation.Listener listener) {
            listener.stored(store.store(received, assoc, false));
        }

        @Override
        public void settle() {
            // each instance was stored when it was taken
        }

        @Override
        public void close() {
            // nothing waits
        }
    }
}
