package org.ctai.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The ingest benchmark runs end to end, STOW-RS beside C-STORE for the same files (a short run; figures are not
 * asserted, timing belongs to {@code ./ctai bench ingest}). {@code -Dbench.count=200 -Dbench.size=512 -Dbench.rounds=3}
 * runs it longer.
 */
class IngestBenchmarkTest {
    @Test
    void reportsStorescpTheNodeAndStowRsForTheSameFiles() throws Exception {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(text, true, StandardCharsets.UTF_8)) {
            new IngestBenchmark(Integer.getInteger("bench.count", 20), Integer.getInteger("bench.size", 128),
                    Integer.getInteger("bench.rounds", 1), out).run();
        }
        String report = text.toString(StandardCharsets.UTF_8);
        System.out.print(report);
        assertThat(report).contains("DCMTK storescp", "CTAI node, data.fsync=false", "CTAI node STOW-RS, fsync=false", "median ratio");
    }
}
