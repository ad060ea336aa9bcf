package org.ctai.scp.receive;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The intake with {@code data.fsync=false}: an instance is answered as soon as its whole file is in the
 * incoming folder, renamed from {@code .part} to {@code .dcm} to say it was acknowledged; one thread then
 * links it into the spool, writes its row and deletes the incoming name, in arrival order, off the sender's
 * critical path. Nothing
 * acknowledged is lost when the process dies: a node starting on the same data folder indexes the
 * {@code .dcm} files a dead process left (see {@link Spool#leftovers}). A machine crash may still lose what
 * was not yet written back, as any write without fsync may. A store that fails (database down) is retried
 * until it succeeds or the node stops; the file waits in the incoming folder meanwhile. When
 * {@link #CAPACITY} instances wait, the associations wait too. Thread-safe.
 */
final class Indexer implements Intake {
    private static final Logger log = LoggerFactory.getLogger(Indexer.class);
    static final int CAPACITY = 256;

    /** What the indexing thread is given: an instance to index, or a request to say when all before it are. */
    private sealed interface Work permits Index, Settle { }

    private record Index(InstanceStore.Arrival arrival, AssociationContext assoc, StoreAssociation.Listener listener) implements Work { }

    private record Settle(CountDownLatch done) implements Work {
        Settle() {
            this(new CountDownLatch(1));
        }
    }

    private final InstanceStore store;
    private final Duration retry;
    private final BlockingQueue<Work> queue = new ArrayBlockingQueue<>(CAPACITY);
    private final Thread thread;
    private volatile boolean stopping;

    Indexer(InstanceStore store, Duration retry) {
        this.store = store;
        this.retry = retry;
        this.thread = new Thread(this::run, "scp-indexer");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void take(IncomingFile.Received received, AssociationContext assoc, StoreAssociation.Listener listener) {
        ReceivedInstance instance;
        try {
            instance = ReceivedInstance.parse(received);
        } catch (ReceivedInstance.UnusableObjectException e) {
            listener.stored(store.quarantine(received.file(), assoc, e.getMessage()));
            return;
        }
        Path file = received.file();
        Path acknowledged = Spool.acknowledged(file);
        try {
            Files.move(file, acknowledged, StandardCopyOption.ATOMIC_MOVE);
            queue.put(new Index(new InstanceStore.Arrival(instance, acknowledged, received.length(), received.digest(), true), assoc, listener));
        } catch (IOException e) {
            throw new StoreFailedException("cannot mark SOP Instance " + instance.sopInstanceUid() + " as received: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            // not answered: the sender retries, and the file is indexed at the next start if not before
            throw new StoreFailedException("stopped before SOP Instance " + instance.sopInstanceUid() + " was queued for indexing", e);
        }
    }

    @Override
    public void settle() throws InterruptedException {
        Settle settle = new Settle();
        queue.put(settle);
        settle.done().await();
    }

    private void run() {
        while (true) {
            Work work;
            try {
                work = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            if (work instanceof Settle settle) {
                settle.done().countDown();
            } else if (!index((Index) work)) {
                return;
            }
        }
    }

    /** @return false when the node stopped before the task could be stored (its file waits for the next start) */
    private boolean index(Index task) {
        while (true) {
            try {
                task.listener().stored(store.index(task.arrival(), task.assoc()));
                return true;
            } catch (StoreFailedException e) {
                log.error("{}; acknowledged already, trying again in {} s", e.getMessage(), retry.toSeconds());
                try {
                    if (stopping) return false;
                    TimeUnit.MILLISECONDS.sleep(retry.toMillis());
                } catch (InterruptedException stop) {
                    return false;
                }
            }
        }
    }

    /**
     * Indexes acknowledged files that processes which died left in the incoming folder; run before any
     * association is accepted. A file that cannot be indexed now stays for the next start.
     *
     * @return how many were stored (duplicates and quarantined objects included)
     */
    static int recover(InstanceStore store, List<Path> acknowledged) {
        int n = 0;
        for (Path file : acknowledged) {
            AssociationContext assoc = new AssociationContext("recovered", "?", file.getParent().getFileName().toString());
            try {
                store.store(IncomingFile.Received.readBack(file), assoc, true);
                n++;
            } catch (IOException | StoreFailedException e) {
                log.error("{} acknowledged instance {} not indexed, will be tried at the next start: {}", assoc, file, e.getMessage());
            }
        }
        return n;
    }

    /** Indexes what is queued (waiting at most {@code timeout}), then stops; what is left waits for the next start. */
    @Override
    public void close() {
        close(Duration.ofSeconds(30));
    }

    void close(Duration timeout) {
        try {
            Settle settle = new Settle();
            if (queue.offer(settle, timeout.toMillis(), TimeUnit.MILLISECONDS)) settle.done().await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stopping = true;
        thread.interrupt();
        if (!queue.isEmpty()) log.warn("{} acknowledged instances not yet indexed; they will be at the next start", queue.size());
    }
}
