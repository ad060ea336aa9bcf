package org.ctai.scp;

import org.ctai.scp.config.ConfigLoader;
import org.ctai.scp.config.NodeConfig;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/** Starts real nodes for tests: port 0, a temporary data folder, a fresh database on the test server. */
public final class TestNodes {
    public static final String CALLER = "STORESCU";
    public static final String WEB_USER = "tester";
    public static final String WEB_PASSWORD = "correct horse battery staple";
    /** The web page on a free port with one admin; a real hash, cheap iterations so every node starts fast. */
    static final List<String> WEB_OPTIONS = List.of("--web.port=0",
            "--web.users=" + WEB_USER + ":admin:" + org.ctai.viewer.PasswordHasher.hash(WEB_PASSWORD.toCharArray(), 1000));

    /**
     * The shipped liver pipeline with only its modality, SOP class and slice-count rules: the synthetic series of
     * {@link CtSeriesWriter} carry no Image Type, thickness or spacing the other rules ask for.
     */
    static final List<String> ANY_CT_SERIES = List.of("--pipeline.liver.rule.3=", "--pipeline.liver.rule.4=", "--pipeline.liver.rule.5=",
            "--pipeline.liver.rule.6=", "--pipeline.liver.rule.7=", "--pipeline.liver.rule.8=", "--pipeline.liver.rule.10=");

    private TestNodes() {
    }

    /** Configuration for a test node; later overrides win. */
    public static NodeConfig config(Path dataDir, String dbUrl, String... overrides) {
        return config(dataDir, dbUrl, Map.of(), overrides);
    }

    /** Configuration for a test node whose process environment is {@code env} (secrets named by the configuration). */
    public static NodeConfig config(Path dataDir, String dbUrl, Map<String, String> env, String... overrides) {
        List<String> all = new ArrayList<>(List.of(
                "--dicom.port=0",
                "--dicom.allowed-callers=" + CALLER + ",ECHOSCU,PIXELMED",
                "--data.dir=" + dataDir,
                "--data.min-free-mb=1",
                "--db.url=" + dbUrl,
                "--db.user=postgres",
                "--series.quiet-seconds=30",
                "--series.release-grace-seconds=1",
                "--worker.poll-seconds=0.1"));
        all.addAll(WEB_OPTIONS);
        all.addAll(List.of(overrides));
        return ConfigLoader.withShippedDefaults().load(Optional.empty(), env, all);
    }

    public static Node start(Path dataDir, String... overrides) {
        return startOn(TestDatabase.freshDatabase(), dataDir, overrides);
    }

    /** A node on a given database, to restart on the same rows. */
    public static Node startOn(String dbUrl, Path dataDir, String... overrides) {
        return Node.start(config(dataDir, dbUrl, overrides), new SeriesInventory());
    }

    /** A node process's database, by its JDBC URL (user and password in the URL). */
    static DataSource database(String jdbcUrl) {
        org.postgresql.ds.PGSimpleDataSource ds = new org.postgresql.ds.PGSimpleDataSource();
        ds.setURL(jdbcUrl);
        return ds;
    }

    public static long count(DataSource ds, String sql, Object... args) {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) ps.setObject(i + 1, args[i]);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    public static List<String> strings(DataSource ds, String sql, Object... args) {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) ps.setObject(i + 1, args[i]);
            List<String> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(rs.getString(1));
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }
}
