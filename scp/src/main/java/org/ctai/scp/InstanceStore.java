package org.ctai.scp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Optional;
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

    InstanceStore(DataSource db, Spool spool) {
        this.db = db;
        this.spool = spool;
    }

    /**
     * @param received the file PixelMed wrote into the incoming folder; moved or deleted by this call
     * @throws StoreFailedException when the instance could not be made durable; the caller aborts the association
     */
    Outcome store(Path received, String transferSyntaxUid, AssociationContext assoc) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(received);
        } catch (IOException e) {
            throw new StoreFailedException("cannot read received file " + received, e);
        }
        ReceivedInstance instance;
        try {
            instance = ReceivedInstance.parse(bytes);
        } catch (ReceivedInstance.UnusableObjectException e) {
            return quarantine(received, assoc, e.getMessage());
        }
        String sha = sha256(bytes, datasetOffset(bytes));
        try (Connection c = db.getConnection()) {
            Optional<String> known = knownDigest(c, instance.sopInstanceUid());
            if (known.isPresent() && known.get().equals(sha)) {
                Files.deleteIfExists(received);
                long seriesId = seriesIdOfInstance(c, instance.sopInstanceUid());
                log.debug("{} identical resend of {}, nothing to do", assoc, instance.sopInstanceUid());
                return new Outcome.Duplicate(seriesId, instance.seriesUid());
            }
            String relative = spool.instancePath(instance.studyUid(), instance.seriesUid(), instance.sopInstanceUid(), sha);
            // ack C-STORE only after file and row are durable: the modality may delete its copy on success
            spool.commit(received, relative);
            c.setAutoCommit(false);
            long seriesId = upsertSeries(c, instance, assoc.callingAeTitle());
            Optional<String> oldPath = upsertInstance(c, instance, seriesId, transferSyntaxUid, relative, bytes.length, sha, assoc.callingAeTitle());
            c.commit();
            oldPath.filter(p -> !p.equals(relative)).ifPresent(p -> deleteReplaced(p, instance));
            if (known.isPresent()) {
                log.info("{} SOP Instance {} arrived again with different content; replaced, series {} marked for reprocessing",
                        assoc, instance.sopInstanceUid(), instance.seriesUid());
            }
            return new Outcome.Stored(seriesId, instance.seriesUid(), known.isPresent());
        } catch (SQLException | IOException e) {
            throw new StoreFailedException("cannot store SOP Instance " + instance.sopInstanceUid() + " of series "
                    + instance.seriesUid() + " from " + assoc + ": " + e.getMessage(), e);
        }
    }

    private Outcome quarantine(Path received, AssociationContext assoc, String reason) {
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

    private static Optional<String> knownDigest(Connection c, String sop) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT sha256 FROM scp.instance WHERE sop_instance_uid = ?")) {
            ps.setString(1, sop);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        }
    }

    private static long seriesIdOfInstance(Connection c, String sop) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT series_id FROM scp.instance WHERE sop_instance_uid = ?")) {
            ps.setString(1, sop);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** A new instance of a series already queued starts the next version of that series. */
    private static long upsertSeries(Connection c, ReceivedInstance i, String callingAe) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO scp.series (series_uid, study_uid, patient_id, issuer_of_patient_id, patient_name, study_date,
                                        study_description, series_description, modality, calling_ae)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (series_uid) DO UPDATE SET
                    last_received_at = now(),
                    version = CASE WHEN scp.series.state = 'queued' THEN scp.series.version + 1 ELSE scp.series.version END,
                    state = 'receiving'
                RETURNING id""")) {
            ps.setString(1, i.seriesUid());
            ps.setString(2, i.studyUid());
            ps.setString(3, i.patientId());
            ps.setString(4, i.issuerOfPatientId());
            ps.setString(5, i.patientName());
            ps.setString(6, i.studyDate());
            ps.setString(7, i.studyDescription());
            ps.setString(8, i.seriesDescription());
            ps.setString(9, i.modality());
            ps.setString(10, callingAe);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** @return the path of the instance this one replaced, if any */
    private static Optional<String> upsertInstance(Connection c, ReceivedInstance i, long seriesId, String ts, String path,
                                                   long size, String sha, String callingAe) throws SQLException {
        Optional<String> old;
        try (PreparedStatement ps = c.prepareStatement("SELECT path FROM scp.instance WHERE sop_instance_uid = ? FOR UPDATE")) {
            ps.setString(1, i.sopInstanceUid());
            try (ResultSet rs = ps.executeQuery()) {
                old = rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        }
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO scp.instance (sop_instance_uid, series_id, sop_class_uid, transfer_syntax_uid, path, size_bytes, sha256, calling_ae)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (sop_instance_uid) DO UPDATE SET
                    series_id = excluded.series_id, sop_class_uid = excluded.sop_class_uid,
                    transfer_syntax_uid = excluded.transfer_syntax_uid, path = excluded.path, size_bytes = excluded.size_bytes,
                    sha256 = excluded.sha256, calling_ae = excluded.calling_ae, received_at = now(),
                    replaced = scp.instance.replaced + 1""")) {
            ps.setString(1, i.sopInstanceUid());
            ps.setLong(2, seriesId);
            ps.setString(3, i.sopClassUid());
            ps.setString(4, ts);
            ps.setString(5, path);
            ps.setLong(6, size);
            ps.setString(7, sha);
            ps.setString(8, callingAe);
            ps.executeUpdate();
        }
        return old;
    }

    private void deleteReplaced(String relative, ReceivedInstance i) {
        try {
            Files.deleteIfExists(spool.resolve(relative));
        } catch (IOException e) {
            log.warn("could not delete the replaced file of SOP Instance {}: {}", i.sopInstanceUid(), e.toString());
        }
    }

    /**
     * Where the dataset starts after PixelMed's file meta information. The digest leaves the meta header out:
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

    private static String sha256(byte[] bytes, int offset) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(bytes, offset, bytes.length - offset);
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
