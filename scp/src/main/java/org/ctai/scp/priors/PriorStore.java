package org.ctai.scp.priors;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The rows of {@code scp.prior_query} and {@code scp.prior_fetch} (migration V12). Work is claimed by moving its
 * {@code next_attempt_at} a lease into the future under FOR UPDATE SKIP LOCKED, so several processes and threads
 * share the tables and a row whose process died is taken again when the lease passes. Thread-safe.
 */
final class PriorStore {
    /** A study that asks for its patient's priors. */
    record Query(String studyUid, String patientId, String issuer, String studyDate, int attempt) { }

    /** An earlier study chosen for retrieval, with the series to move. */
    record Fetch(String studyUid, String forStudyUid, List<String> seriesUids, int attempt) { }

    private final DataSource db;

    PriorStore(DataSource db) {
        this.db = db;
    }

    /** Records that {@code studyUid} asks for priors, unless it already did or is itself a prior; true if recorded. */
    boolean addQuery(String studyUid, String patientId, String issuer, String studyDate) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement("""
                INSERT INTO scp.prior_query (study_uid, patient_id, issuer_of_patient_id, study_date)
                SELECT ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM scp.prior_fetch WHERE study_uid = ?)
                ON CONFLICT (study_uid) DO NOTHING""")) {
            ps.setString(1, studyUid);
            ps.setString(2, patientId);
            ps.setString(3, issuer);
            ps.setString(4, studyDate);
            ps.setString(5, studyUid);
            return ps.executeUpdate() == 1;
        }
    }

    Optional<Query> claimQuery(Duration lease) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement("""
                UPDATE scp.prior_query SET attempts = attempts + 1, next_attempt_at = now() + ? * interval '1 millisecond',
                       updated_at = now()
                WHERE study_uid = (SELECT study_uid FROM scp.prior_query WHERE state = 'pending' AND next_attempt_at <= now()
                                   ORDER BY next_attempt_at LIMIT 1 FOR UPDATE SKIP LOCKED)
                RETURNING study_uid, patient_id, issuer_of_patient_id, study_date, attempts""")) {
            ps.setLong(1, lease.toMillis());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) return Optional.empty();
                return Optional.of(new Query(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getInt(5)));
            }
        }
    }

    Optional<Fetch> claimFetch(Duration lease) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement("""
                UPDATE scp.prior_fetch SET attempts = attempts + 1, next_attempt_at = now() + ? * interval '1 millisecond',
                       updated_at = now()
                WHERE study_uid = (SELECT study_uid FROM scp.prior_fetch WHERE state = 'queued' AND next_attempt_at <= now()
                                   ORDER BY next_attempt_at LIMIT 1 FOR UPDATE SKIP LOCKED)
                RETURNING study_uid, for_study_uid, series_uids, attempts""")) {
            ps.setLong(1, lease.toMillis());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) return Optional.empty();
                return Optional.of(new Fetch(rs.getString(1), rs.getString(2), List.of((String[]) rs.getArray(3).getArray()), rs.getInt(4)));
            }
        }
    }

    /** Whether the node has (or had) instances of the study, or fetched it or chose to fetch it already. */
    boolean known(String studyUid) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement("""
                SELECT EXISTS (SELECT 1 FROM scp.series WHERE study_uid = ?) OR EXISTS (SELECT 1 FROM scp.prior_fetch WHERE study_uid = ?)""")) {
            ps.setString(1, studyUid);
            ps.setString(2, studyUid);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /** Records a prior to fetch, or with no series one that has nothing worth fetching; a second call does nothing. */
    void addFetch(String studyUid, String forStudyUid, String studyDate, List<String> seriesUids) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement("""
                INSERT INTO scp.prior_fetch (study_uid, for_study_uid, study_date, series_uids, state) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (study_uid) DO NOTHING""")) {
            Array uids = c.createArrayOf("text", seriesUids.toArray());
            ps.setString(1, studyUid);
            ps.setString(2, forStudyUid);
            ps.setString(3, studyDate);
            ps.setArray(4, uids);
            ps.setString(5, seriesUids.isEmpty() ? "nothing" : "queued");
            ps.executeUpdate();
        }
    }

    void queryDone(String studyUid) throws SQLException {
        done("prior_query", studyUid);
    }

    void fetchDone(String studyUid) throws SQLException {
        done("prior_fetch", studyUid);
    }

    private void done(String table, String studyUid) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "UPDATE scp." + table + " SET state = 'done', last_error = NULL, updated_at = now() WHERE study_uid = ?")) {
            ps.setString(1, studyUid);
            ps.executeUpdate();
        }
    }

    /** A failed attempt: tried again after {@code retryAfter}, or given up ({@code failed}) when {@code giveUp}. */
    void queryFailed(String studyUid, String error, Duration retryAfter, boolean giveUp) throws SQLException {
        failed("prior_query", "pending", studyUid, error, retryAfter, giveUp);
    }

    void fetchFailed(String studyUid, String error, Duration retryAfter, boolean giveUp) throws SQLException {
        failed("prior_fetch", "queued", studyUid, error, retryAfter, giveUp);
    }

    private void failed(String table, String waiting, String studyUid, String error, Duration retryAfter, boolean giveUp) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement("UPDATE scp." + table
                + " SET state = ?, last_error = ?, next_attempt_at = now() + ? * interval '1 millisecond', updated_at = now()"
                + " WHERE study_uid = ?")) {
            ps.setString(1, giveUp ? "failed" : waiting);
            ps.setString(2, error);
            ps.setLong(3, retryAfter.toMillis());
            ps.setString(4, studyUid);
            ps.executeUpdate();
        }
    }

    /** Whether the series belongs to a study the node fetched as a prior. */
    boolean seriesOfPrior(long seriesId) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement("""
                SELECT EXISTS (SELECT 1 FROM scp.series s JOIN scp.prior_fetch p ON p.study_uid = s.study_uid WHERE s.id = ?)""")) {
            ps.setLong(1, seriesId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /** The study of a series as the receiver recorded it. */
    record Study(String patientId, String issuer, String studyUid, String studyDate) { }

    /** The study of a series, or empty if there is no such series. */
    Optional<Study> studyOfSeries(long seriesId) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT patient_id, issuer_of_patient_id, study_uid, study_date FROM scp.series WHERE id = ?")) {
            ps.setLong(1, seriesId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) return Optional.empty();
                return Optional.of(new Study(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)));
            }
        }
    }
}
