package org.ctai.scp.storage;

import org.ctai.scp.NodeException;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Proves at start that this node's data.dir is the folder every other node on the database uses. The first
 * start on a database writes an id into {@code <data.dir>/data-dir.id} and records it in {@code scp.installation};
 * every start compares the two. Nodes starting together are serialised by a transaction-scoped advisory lock.
 * Stateless; one call per start.
 */
final class DataDirectoryMark {
    private static final Logger log = LoggerFactory.getLogger(DataDirectoryMark.class);
    static final String FILE_NAME = "data-dir.id";
    /** Arbitrary, fixed: the advisory lock that serialises the check across nodes. */
    private static final long LOCK_KEY = 0x63746169_64697231L;

    private DataDirectoryMark() {
    }

    /**
     * @throws NodeException naming both ids and the folder when data.dir is not the database's data folder
     */
    static void check(DataSource ds, Path dataDir) {
        Path file = dataDir.resolve(FILE_NAME);
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
                    ps.setLong(1, LOCK_KEY);
                    ps.execute();
                }
                Optional<UUID> recorded = recorded(c);
                Optional<UUID> marked = read(file);
                if (recorded.isPresent() && marked.isEmpty()) {
                    throw new NodeException("data.dir " + dataDir + " is not the data folder of the other nodes on this database: the "
                            + "database belongs to the folder marked " + recorded.get() + " in its " + FILE_NAME + ", and " + dataDir
                            + " has no " + FILE_NAME + ". Every node on one database must use the same data.dir (a shared file system "
                            + "mounted at the same path), or their jobs cannot read the received series. Mount the shared folder at "
                            + "data.dir, or point db.url at this folder's own database");
                }
                if (recorded.isPresent() && !recorded.equals(marked)) {
                    throw new NodeException("data.dir " + dataDir + " (marked " + marked.get() + " in " + file + ") is not the data "
                            + "folder of the other nodes on this database (marked " + recorded.get() + "). Every node on one database "
                            + "must use the same data.dir (a shared file system mounted at the same path), or their jobs cannot read "
                            + "the received series. Mount the shared folder at data.dir, or point db.url at this folder's own database");
                }
                if (recorded.isEmpty()) {
                    UUID id = marked.orElseGet(UUID::randomUUID);
                    if (marked.isEmpty()) write(file, id);
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO scp.installation (data_dir_id) VALUES (?)")) {
                        ps.setObject(1, id);
                        ps.executeUpdate();
                    }
                    log.info("data.dir {} is this database's data folder from now on (id {} in {}); other nodes on the database "
                            + "must use the same folder", dataDir, id, FILE_NAME);
                }
                c.commit();
            } catch (SQLException | IOException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException | IOException e) {
            throw new NodeException("cannot check that data.dir " + dataDir + " is this database's data folder: " + e.getMessage(), e);
        }
    }

    private static Optional<UUID> recorded(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT data_dir_id FROM scp.installation");
             ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.of(rs.getObject(1, UUID.class)) : Optional.empty();
        }
    }

    private static Optional<UUID> read(Path file) throws IOException {
        if (!Files.exists(file)) return Optional.empty();
        String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
        try {
            return Optional.of(UUID.fromString(text));
        } catch (IllegalArgumentException e) {
            throw new IOException(file + " does not hold an id (was \"" + text.substring(0, Math.min(text.length(), 40)) + "\")", e);
        }
    }

    /** Written whole or not at all: a temporary file, fsync, atomic rename. */
    private static void write(Path file, UUID id) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(FILE_NAME + ".tmp-" + ProcessHandle.current().pid());
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap((id + "\n").getBytes(StandardCharsets.US_ASCII)));
            ch.force(true);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
