package org.ctai.scp.storage;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the configured PostgreSQL server answers, known without waiting: one connection of its own, outside the
 * pool, checked every {@link #INTERVAL} with a round trip and opened again once the server is back. The pool cannot
 * say this cheaply: during an outage a connection asked of it waits for the pool's 30 s timeout, so a C-STORE would
 * be answered after 30 s and {@code /healthz} would outlast a load balancer's check. With this, the node refuses new
 * associations (transient) and answers C-STOREs A700 at once while the server is away. Thread-safe.
 */
final class DatabaseWatch implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DatabaseWatch.class);
    /** How often the connection is checked: an outage is seen within about this, a return too. */
    static final Duration INTERVAL = Duration.ofSeconds(1);
    /**
     * A check that takes longer counts as the server not answering. Generous: a server slow under load is not away, and
     * a stopped server closes the connection, which fails the check at once.
     */
    private static final int CHECK_TIMEOUT_SECONDS = 5;

    private final String url;
    private final Properties properties = new Properties();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "database-watch");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean up = true;
    private volatile String problem = "";
    /** Only the watch's thread uses it. */
    private Connection connection;

    private DatabaseWatch(String url, String user, String password) {
        this.url = url;
        // as the pool logs in; blank leaves the URL's own user and password in force
        if (!user.isEmpty()) properties.setProperty("user", user);
        if (!password.isEmpty()) properties.setProperty("password", password);
        properties.setProperty("connectTimeout", Integer.toString(CHECK_TIMEOUT_SECONDS));
        properties.setProperty("socketTimeout", Integer.toString(CHECK_TIMEOUT_SECONDS * 2));
        properties.setProperty("ApplicationName", "ctai-database-watch");
    }

    /** Starts watching; the first check runs at once. */
    static DatabaseWatch start(String url, String user, String password) {
        DatabaseWatch w = new DatabaseWatch(url, user, password);
        w.timer.scheduleWithFixedDelay(w::check, 0, INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        return w;
    }

    /** False from the first failed check until one succeeds again. No I/O. */
    boolean up() {
        return up;
    }

    /** Why the server counts as away (the last failure), or empty while it is up. */
    String problem() {
        return up ? "" : problem;
    }

    private void check() {
        try {
            if (connection == null) connection = DriverManager.getConnection(url, properties);
            if (!connection.isValid(CHECK_TIMEOUT_SECONDS)) throw new SQLException("no answer within " + CHECK_TIMEOUT_SECONDS + " s");
            if (!up) log.info("the database at {} answers again: receiving resumes", url);
            up = true;
        } catch (SQLException | RuntimeException e) {
            // a throw would cancel every later check without a word
            closeConnection();
            problem = e.getMessage();
            if (up) {
                log.warn("the database at {} does not answer ({}): new associations are refused (transient), C-STOREs answered "
                        + "A700 and /healthz says down until it does; queued work waits", url, e.getMessage());
            }
            up = false;
        }
    }

    private void closeConnection() {
        if (connection == null) return;
        try {
            connection.close();
        } catch (SQLException e) {
            log.debug("closing the watch's connection: {}", e.toString());
        }
        connection = null;
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(CHECK_TIMEOUT_SECONDS * 2L, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeConnection();
    }
}
