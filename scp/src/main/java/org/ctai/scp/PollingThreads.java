package org.ctai.scp;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;

/**
 * {@code count} named daemon threads that each repeat one step (take work if there is some, otherwise
 * wait {@code poll}) until stopped. A failing step is logged and retried after {@code poll}: a database
 * hiccup must not end the thread for good.
 */
public final class PollingThreads {
    /** One round of work; returns whether there was any (if not, the thread waits before the next round). */
    @FunctionalInterface
    public interface Step {
        boolean runOnce() throws Exception;
    }

    private final String name;
    private final int count;
    private final Duration poll;
    private final Step step;
    private final Logger log;
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running = true;

    public PollingThreads(String name, int count, Duration poll, Step step, Logger log) {
        this.name = name;
        this.count = count;
        this.poll = poll;
        this.step = step;
        this.log = log;
    }

    public void start() {
        for (int i = 1; i <= count; i++) {
            Thread t = new Thread(this::loop, name + "-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    private void loop() {
        while (running && !Thread.currentThread().isInterrupted()) {
            boolean worked;
            try {
                worked = step.runOnce();
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                log.error("{} failed; retrying after {} ms: {}", Thread.currentThread().getName(), poll.toMillis(), e.toString());
                worked = false;
            }
            if (!worked) {
                try {
                    Thread.sleep(Math.max(poll.toMillis(), 10));
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** Lets each thread finish the round in hand for up to {@code timeout}, then interrupts it. */
    public void stop(Duration timeout) {
        running = false;
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Thread t : threads) {
            try {
                t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (t.isAlive()) t.interrupt();
        }
    }
}
