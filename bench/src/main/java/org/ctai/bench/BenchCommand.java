package org.ctai.bench;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.ctai.scp.cli.Main;
import org.ctai.scp.config.ConfigLoader;
import org.ctai.scp.config.NodeConfig;
import org.ctai.scp.storage.Database;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./ctai bench ...}: benchmarks that print figures side by side with a reference. */
@Command(name = "ctai bench", mixinStandardHelpOptions = true, description = "Benchmarks that print figures side by side with a reference.",
        subcommands = {BenchCommand.Ingest.class, BenchCommand.Inference.class, BenchCommand.EndToEnd.class, BenchCommand.Viewer.class,
                BenchCommand.Cluster.class})
public final class BenchCommand {

    public static void main(String[] args) {
        System.exit(new CommandLine(new BenchCommand()).setCaseInsensitiveEnumValuesAllowed(true).execute(args));
    }

    /** Options every benchmark shares. */
    static final class BenchOptions {
        @Option(names = "--size", defaultValue = "512", description = "rows and columns (default ${DEFAULT-VALUE})")
        int size;

        @Option(names = "--rounds", defaultValue = "2", description = "rounds; the best is reported (default ${DEFAULT-VALUE})")
        int rounds;
    }

    @Command(name = "ingest", description = "DICOM ingest: storescu to DCMTK storescp and to the node (fsync on and off), and STOW-RS to the node; images/s and ratio.")
    static final class Ingest implements Callable<Integer> {
        @Option(names = "--count", defaultValue = "500", description = "instances per run (default ${DEFAULT-VALUE})")
        int count;

        @Option(names = "--size", defaultValue = "512", description = "rows and columns (default ${DEFAULT-VALUE})")
        int size;

        @Option(names = "--rounds", defaultValue = "5", description = "rounds; the median ratio is reported (default ${DEFAULT-VALUE})")
        int rounds;

        @Override
        public Integer call() throws Exception {
            new IngestBenchmark(count, size, rounds, System.out).run();
            return 0;
        }
    }

    @Command(name = "e2e", description = "Latency from the last C-STORE response to SEG and SR stored at a destination, broken down.")
    static final class EndToEnd implements Callable<Integer> {
        @Option(names = "--slices", defaultValue = "100", description = "slices of the series (default ${DEFAULT-VALUE})")
        int slices;

        @Mixin
        BenchOptions options;

        @Override
        public Integer call() throws Exception {
            new EndToEndBenchmark(slices, options.size, System.out).run();
            return 0;
        }
    }

    @Command(name = "cluster", description = "One node and two nodes on one PostgreSQL and one data folder, side by side: series/min, "
            + "images/s and the queue's claim latency under the same load.")
    static final class Cluster implements Callable<Integer> {
        @Option(names = "--series", defaultValue = "8", description = "series sent at once (default ${DEFAULT-VALUE})")
        int series;

        @Option(names = "--slices", defaultValue = "16", description = "slices per series (default ${DEFAULT-VALUE})")
        int slices;

        @Option(names = "--size", defaultValue = "256", description = "rows and columns (default ${DEFAULT-VALUE})")
        int size;

        @Override
        public Integer call() throws Exception {
            new ClusterBenchmark(series, slices, size, System.out).run();
            return 0;
        }
    }

    @Command(name = "viewer", description = "Requests/s and latency of the patient-history API for a patient with many studies, "
            + "over loopback, on a fresh embedded database.")
    static final class Viewer implements Callable<Integer> {
        @Option(names = "--studies", defaultValue = "50", description = "studies of the patient (default ${DEFAULT-VALUE})")
        int studies;

        @Option(names = "--clients", defaultValue = "4", description = "concurrent clients (default ${DEFAULT-VALUE})")
        int clients;

        @Option(names = "--seconds", defaultValue = "10", description = "measuring time (default ${DEFAULT-VALUE})")
        int seconds;

        @Override
        public Integer call() throws Exception {
            try (ScratchFolder work = new ScratchFolder("ctai-bench-viewer")) {
                NodeConfig config = ConfigLoader.withShippedDefaults().load(Optional.empty(), java.util.Map.of(),
                        List.of("--data.dir=" + work.path()));
                try (Database db = Database.open(config.db(), config.data(), "ctai-bench-viewer")) {
                    new HistoryBenchmark(db.dataSource(), work.path(), studies, clients, java.time.Duration.ofSeconds(seconds), System.out).run();
                }
            }
            return 0;
        }
    }

    @Command(name = "inference", description = "The node's inference path beside bare OrtSession.run on the same tensors; "
            + "slices/s, ratio, peak heap. model.* keys apply as --key=value.")
    static final class Inference extends Main.Configured {
        @Option(names = "--slices", defaultValue = "32", description = "slices of the timed series (default ${DEFAULT-VALUE})")
        int slices;

        @Option(names = "--peak-slices", defaultValue = "500", description = "slices of the peak-heap run, 0 to skip (default ${DEFAULT-VALUE})")
        int peakSlices;

        @Option(names = "--model-3d", paramLabel = "FILE", defaultValue = "bundled:ctai-phantom-unet3d",
                description = "a patch-3d model (its manifest beside it) for the 3-D path (default ${DEFAULT-VALUE})")
        Path model3d;

        @Mixin
        BenchOptions options;

        @Override
        protected int run(NodeConfig config) throws Exception {
            new InferenceBenchmark(config.inference().model(), slices, options.size, options.rounds, peakSlices, System.out).run();
            new WritingShareBenchmark(config.inference(), slices, options.size, options.rounds, System.out).run();
            NodeConfig threeD = ConfigLoader.withShippedDefaults().load(Optional.empty(), java.util.Map.of(), List.of("--model.file=" + model3d));
            try (ScratchFolder work = new ScratchFolder("ctai-bench-3d")) {
                new Patch3dBenchmark(threeD.inference().model(), slices, options.size, options.rounds, System.out).run(work.path());
            }
            return 0;
        }
    }
}
