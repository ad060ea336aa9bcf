package org.ctai.scp;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A database that goes away when a test says so: while away, a connection asked of it fails as HikariCP's does when
 * the server is down (SQLTransientConnectionException); connections handed out before keep working. Thread-safe.
 */
public final class FlakyDataSource implements DataSource {
    private final DataSource delegate;
    private volatile long awayUntil;

    public FlakyDataSource(DataSource delegate) {
        this.delegate = delegate;
    }

    /** From now, for {@code duration}, no connection can be had. */
    public void awayFor(Duration duration) {
        awayUntil = System.nanoTime() + duration.toNanos();
    }

    public boolean away() {
        return System.nanoTime() - awayUntil < 0;
    }

    @Override
    public Connection getConnection() throws SQLException {
        if (away()) throw new SQLTransientConnectionException("test - Connection is not available: the database is away");
        return delegate.getConnection();
    }

    @Override
    public Connection getConnection(String user, String password) throws SQLException {
        if (away()) throw new SQLTransientConnectionException("test - Connection is not available: the database is away");
        return delegate.getConnection(user, password);
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return delegate.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        delegate.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        delegate.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return delegate.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return delegate.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        return delegate.unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        return delegate.isWrapperFor(iface);
    }
}
