package org.ctai.scp.storage;

import java.sql.Connection;
import java.sql.SQLException;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Connections to the node's embedded server at the port it listens on at the moment of the call: a restart
 * after the postmaster died keeps the port when it can, and this follows it when it could not. Thread-safe
 * (pgjdbc keeps its properties in a synchronised table).
 */
final class EmbeddedDataSource extends PGSimpleDataSource {
    private static final long serialVersionUID = 1L;
    private final transient EmbeddedServer server;

    EmbeddedDataSource(EmbeddedServer server, boolean fsync) {
        this.server = server;
        setServerNames(new String[] {"127.0.0.1"});
        setDatabaseName("postgres");
        setUser("postgres");
        if (!fsync) {
            // data.fsync=false (benchmarks): commits do not wait for the database's disk either
            setOptions("-c synchronous_commit=off");
        }
    }

    @Override
    public Connection getConnection() throws SQLException {
        return getConnection(getUser(), getPassword());
    }

    @Override
    public Connection getConnection(String user, String password) throws SQLException {
        setPortNumbers(new int[] {server.port()});
        return super.getConnection(user, password);
    }
}
