package org.ctai.bench;

import org.ctai.viewer.TestDatabase;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The benchmark runs end to end on a fresh database (a short run here; figures are not asserted, timing
 * belongs to {@code ./ctai bench viewer}). {@code -Dbench.clients=4 -Dbench.seconds=10} runs it longer.
 */
class HistoryBenchmarkTest {

    @Test
    void measuresThePatientHistoryApiForFiftyStudies() throws Exception {
        int clients = Integer.getInteger("bench.clients", 2);
        int seconds = Integer.getInteger("bench.seconds", 1);
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        Path dir = Files.createTempDirectory("ctai-bench-test");
        try (HikariDataSource db = TestDatabase.fresh(); PrintStream out = new PrintStream(text, true, StandardCharsets.UTF_8)) {
            HistoryBenchmark bench = new HistoryBenchmark(db, dir, HistoryBenchmark.DEFAULT_STUDIES, clients, Duration.ofSeconds(seconds), out);
            HistoryBenchmark.Result r = bench.run();
            System.out.print(text.toString(StandardCharsets.UTF_8));
            assertThat(r.requests()).isPositive();
            assertThat(r.responseBytes()).isGreaterThan(10_000);
            assertThat(text.toString(StandardCharsets.UTF_8)).contains("requests/s", "median ms", "p95 ms");
            // a second run on the same database is refused: it needs a fresh one
            assertThatThrownBy(bench::run).hasMessageContaining("needs a fresh database");
        }
    }
}
