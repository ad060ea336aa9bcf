package org.ctai.scp.receive;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a received instance durable: its file fsync'd in the spool and its row committed, in that order,
 * before the C-STORE is answered. A resend of identical bytes is a no-op; different bytes under the same
 * SOP Instance UID replace the instance and, if its series was already queued, start a new series version.
 * Thread-safe.
 */
final class InstanceStore {
    private static final Logger log = LoggerFactory.getLogger(InstanceStore.class);
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS").withZone(ZoneOffset.UTC);

    /** What became of one received object. */
    sealed interface Outcome {
        record Stored(long seriesId, String seriesUid, boolean replacedOther) implements Outcome { }

        record Duplicate(long seriesId, String seriesUid) implements Outcome { }

        record Quarantined(String reason, Path file) implements Outcome { }
    }

    private final DataSource db;
    private final Spool spool;
    private final BooleanSupplier databaseUp;

    /** @param databaseUp false while the database is known away: an instance is then refused at once (no I/O) */
    InstanceStore(DataSource db, Spool spool, BooleanSupplier databaseUp) {
        this.db = db;
        this.spool = spool;
        this.databaseUp = databaseUp;
    }

    /**
     * An instance received and parsed, its file in the incoming folder, on its way into the spool.
     *
     * @param acknowledged whether the sender was answered already: then the file stays in the incoming folder
     *                     until the row is written, so that a process dying in between loses nothing
     */
    record Arrival(ReceivedInstance instance, Path file, long length, String digest, boolean acknowledged) { }

    /**
     * Parses {@code received} and stores it: {@link #index} it, or quarantine it when it cannot be used.
     *
     * @param received     the instance as a Part 10 file in an incoming folder; placed in the spool or moved to
     *                     quarantine, or deleted when it repeats an instance already stored
     * @param acknowledged as in {@link Arrival}
     * @throws StoreFailedException when the instance could not be made durable; the sender must be told
     */
    Outcome store(IncomingFile.Received received, AssociationContext assoc, boolean acknowledged) {
        ReceivedInstance instance;
        try {
            instance = ReceivedInstance.parse(received);
        } catch (ReceivedInstance.UnusableObjectException e) {
            return quarantine(received.file(), assoc, e.getMessage());
        }
        return index(new Arrival(instance, received.file(), received.length(), received.digest(), acknowledged), assoc);
    }

    /**
     * Places the instance's file in the spool and writes its row, in that order.
     *
     * @throws StoreFailedException when the instance could not be made durable; its file is where it was, or,
     *                              when the row failed after the file was placed, in the spool without a row
     *                              (replaced by the sender's retry, or deleted at the next start: {@link #removeOrphans})
     */
    Outcome index(Arrival arrival, AssociationContext assoc) {
        ReceivedInstance instance = arrival.instance();
        String relative = spool.instancePath(instance.studyUid(), instance.seriesUid(), instance.sopInstanceUid(), arrival.digest());
        if (!databaseUp.getAsBoolean()) {
            // answered now, not after the pool's 30 s wait for a connection that cannot come: the sender retries sooner
            throw new StoreFailedException("cannot store SOP Instance " + instance.sopInstanceUid() + " of series " + instance.seriesUid()
                    + " from " + assoc + ": the database does not answer", null);
        }
        try (Connection c = db.getConnection()) {
            // ack C-STORE only after file and row are durable: the modality may delete its copy on success
            Spool.Placement how = arrival.acknowledged() ? Spool.Placement.LINK : Spool.Placement.MOVE;
            if (!spool.commitNew(arrival.file(), relative, how)) {
                // a file with this instance's UID and checksum is there already: most likely the same bytes again
                Optional<Known> known = known(c, instance.sopInstanceUid());
                if (known.isPresent() && known.get().digest().equals(arrival.digest()) && sameDataset(known.get().path(), arrival.file())) {
                    log.debug("{} identical resend of {}, nothing to do", assoc, instance.sopInstanceUid());
                    deleteOrWarn(arrival.file(), "the incoming copy of a resend", instance);
                    return new Outcome.Duplicate(known.get().seriesId(), instance.seriesUid());
                }
                spool.commit(arrival.file(), relative, how);
            }
            Upserted row = upsert(c, instance, relative, arrival.length(), arrival.digest());
            if (how == Spool.Placement.LINK) deleteOrWarn(arrival.file(), "the acknowledged copy in the incoming folder", instance);
            row.previousPath().filter(p -> !p.equals(relative)).ifPresent(p -> deleteOrWarn(spool.resolve(p), "the replaced file", instance));
            if (row.previousPath().isPresent()) {
                log.info("{} SOP Instance {} arrived again with different content; replaced, series {} marked for reprocessing",
                        assoc, instance.sopInstanceUid(), instance.seriesUid());
            }
            return new Outcome.Stored(row.seriesId(), instance.seriesUid(), row.previousPath().isPresent());
        } catch (SQLException | IOException e) {
            throw new StoreFailedException("cannot store SOP Instance " + instance.sopInstanceUid() + " of series "
                    + instance.seriesUid() + " from " + assoc + ": " + e.getMessage(), e);
        }
    }

    /** Keeps an object that can never be used out of the spool, and says who sent it and why. */
    Outcome quarantine(Path received, AssociationContext assoc, String reason) {
        String name = STAMP.format(Instant.now()) + "-" + assoc.id() + "-" + received.getFileName();
        try {
            Path q = spool.quarantine(received, name);
            try (Connection c = db.getConnection();
                 PreparedStatement ps = c.prepareStatement(
                         "INSERT INTO scp.rejected_object (calling_ae, peer, reason, quarantine_path) VALUES (?, ?, ?, ?)")) {
                ps.setString(1, assoc.callingAeTitle());
                ps.setString(2, assoc.peer());
                ps.setString(3, reason);
                ps.setString(4, spool.root().relativize(q).toString());
                ps.executeUpdate();
            }
            log.warn("{} sent an object that cannot be used ({}); kept in quarantine as {}", assoc, reason, q);
            return new Outcome.Quarantined(reason, q);
        } catch (IOException | SQLException e) {
            throw new StoreFailedException("cannot quarantine an unusable object from " + assoc + ": " + e.getMessage(), e);
        }
    }

    /**
     * Deletes spool files that no instance row names: left where a file was placed but its row never
     * committed (the upsert failed, or the process died in between), or where retention deleted the rows and
     * died before the files. None of them was acknowledged (success follows the commit; with fsync off, the
     * acknowledged copy waits in the incoming folder, indexed before this runs), so the sender resends or
     * already gave up. Files placed after {@code before} are left alone: another process may be about to
     * commit their rows.
     *
     * @return how many files were deleted
     */
    int removeOrphans(Instant before) throws IOException, SQLException {
        List<String> files = spool.instanceFiles(before);
        if (files.isEmpty()) return 0;
        Set<String> named = new HashSet<>();
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement("SELECT path FROM scp.instance WHERE path = ANY (?)")) {
            ps.setArray(1, c.createArrayOf("text", files.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) named.add(rs.getString(1));
            }
        }
        int deleted = 0;
        for (String f : files) {
            if (named.contains(f)) continue;
            try {
                Files.deleteIfExists(spool.resolve(f));
                deleted++;
            } catch (IOException e) {
                log.warn("cannot delete the orphaned spool file {}: {}", f, e.toString());
            }
        }
        return deleted;
    }

    /** An instance already stored under the same SOP Instance UID. */
    private record Known(String digest, String path, long seriesId) { }

    private static Optional<Known> known(Connection c, String sop) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT digest, path, series_id FROM scp.instance WHERE sop_instance_uid = ?")) {
            ps.setString(1, sop);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new Known(rs.getString(1), rs.getString(2), rs.getLong(3))) : Optional.empty();
            }
        }
    }

    /** Byte comparison of the datasets, so that a checksum collision can never discard a changed instance. */
    private boolean sameDataset(String storedPath, Path incoming) throws IOException {
        Path stored = spool.resolve(storedPath);
        if (!Files.exists(stored)) return false;
        byte[] old = Files.readAllBytes(stored);
        byte[] now = Files.readAllBytes(incoming);
        return Arrays.equals(old, datasetOffset(old), old.length, now, datasetOffset(now), now.length);
    }

    /** The stored instance's series, and the file of the instance it replaced, if there was one. */
    private record Upserted(long seriesId, Optional<String> previousPath) { }

    /**
     * Series and instance rows in one statement (one round trip, one implicit transaction), which also tells
     * whether the instance replaced an earlier one. A new instance of a series already queued starts the next
     * version of that series.
     */
    private static Upserted upsert(Connection c, ReceivedInstance i, String path, long size, String digest) throws SQLException {
        // the caller as the file's meta information names it (the node wrote it there from the association),
        // so that an instance indexed after a restart keeps its sender
        String callingAe = i.sourceAeTitle();
        try (PreparedStatement ps = c.prepareStatement("""
                WITH old AS (SELECT path FROM scp.instance WHERE sop_instance_uid = ?),
                s AS (
                    INSERT INTO scp.series (series_uid, study_uid, patient_id, issuer_of_patient_id, patient_name, study_date,
                                            study_description, series_description, modality, calling_ae)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (series_uid) DO UPDATE SET
                        last_received_at = now(),
                        version = CASE WHEN scp.series.state = 'queued' THEN scp.series.version + 1 ELSE scp.series.version END,
                        state = 'receiving'
                    -- a series row rewritten per instance is a dead tuple per instance; 100 ms is precise enough
                    -- for the quiet period and the release grace, which are seconds
                    WHERE scp.series.state = 'queued' OR scp.series.last_received_at < now() - interval '100 milliseconds'
                    RETURNING id, version),
                -- the instance belongs to the version it was stored in: the version just started, or the current one
                cur AS (SELECT id, version FROM s UNION ALL
                        SELECT id, version FROM scp.series WHERE series_uid = ? AND NOT EXISTS (SELECT 1 FROM s)),
                i AS (
                    INSERT INTO scp.instance (sop_instance_uid, series_id, series_version, sop_class_uid, transfer_syntax_uid, path,
                                              size_bytes, digest, calling_ae)
                    SELECT ?, cur.id, cur.version, ?, ?, ?, ?, ?, ? FROM cur
                    ON CONFLICT (sop_instance_uid) DO UPDATE SET
                        series_id = excluded.series_id, series_version = excluded.series_version, sop_class_uid = excluded.sop_class_uid,
                        transfer_syntax_uid = excluded.transfer_syntax_uid, path = excluded.path, size_bytes = excluded.size_bytes,
                        digest = excluded.digest, calling_ae = excluded.calling_ae, received_at = now(),
                        replaced = scp.instance.replaced + 1
                    RETURNING series_id)
                SELECT i.series_id, (SELECT path FROM old) FROM i""")) {
            int k = 1;
            ps.setString(k++, i.sopInstanceUid());
            ps.setString(k++, i.seriesUid());
            ps.setString(k++, i.studyUid());
            ps.setString(k++, i.patientId());
            ps.setString(k++, i.issuerOfPatientId());
            ps.setString(k++, i.patientName());
            ps.setString(k++, i.studyDate());
            ps.setString(k++, i.studyDescription());
            ps.setString(k++, i.seriesDescription());
            ps.setString(k++, i.modality());
            ps.setString(k++, callingAe);
            ps.setString(k++, i.seriesUid());
            ps.setString(k++, i.sopInstanceUid());
            ps.setString(k++, i.sopClassUid());
            ps.setString(k++, i.transferSyntaxUid());
            ps.setString(k++, path);
            ps.setLong(k++, size);
            ps.setString(k++, digest);
            ps.setString(k, callingAe);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new Upserted(rs.getLong(1), Optional.ofNullable(rs.getString(2)));
            }
        }
    }

    private static void deleteOrWarn(Path file, String what, ReceivedInstance i) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            log.warn("could not delete {} of SOP Instance {}: {}", what, i.sopInstanceUid(), e.toString());
        }
    }

    /**
     * Where the dataset starts after PixelMed's file meta information. Comparisons leave the meta header out:
     * it names the sending AE, and the same instance from another sender is still the same instance.
     */
    static int datasetOffset(byte[] part10) {
        // preamble (128) + "DICM" + (0002,0000) UL in explicit VR little endian: tag 4, VR 2, length 2, value 4
        if (part10.length < 144 || part10[128] != 'D' || part10[129] != 'I' || part10[130] != 'C' || part10[131] != 'M'
                || part10[132] != 2 || part10[133] != 0 || part10[134] != 0 || part10[135] != 0) {
            return 0;
        }
        long groupLength = (part10[140] & 0xffL) | (part10[141] & 0xffL) << 8 | (part10[142] & 0xffL) << 16 | (part10[143] & 0xffL) << 24;
        long start = 144 + groupLength;
        return start <= part10.length ? (int) start : 0;
    }
}
