package org.ctai.scp.cli;

import org.ctai.scp.Node;
import org.ctai.scp.NodeException;
import org.ctai.scp.config.ConfigException;
import org.ctai.scp.config.ConfigLoader;
import org.ctai.scp.config.NodeConfig;
import org.ctai.scp.demo.DemoCommand;
import org.ctai.scp.send.Outbox;
import org.ctai.scp.storage.Cleaner;
import org.ctai.scp.storage.Database;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.ctai.inference.InferenceException;
import org.ctai.inference.model.ModelSpecException;
import org.ctai.inference.phantom.PhantomCli;
import org.ctai.viewer.PasswordHasher;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Unmatched;

/** The node's command line, reached through {@code ./ctai}. */
@Command(name = "ctai", mixinStandardHelpOptions = true, version = "CTAI Node 0.1.0",
        description = "AI tumour segmentation on CT beside a PACS. `./ctai build`, `./ctai test` and `./ctai bench` are handled by the launcher script.",
        subcommands = {Main.Run.class, Main.Demo.class, Main.Analyze.class, Main.Route.class, Main.Phantom.class, Main.Resend.class, Main.Purge.class, Main.HashPassword.class})
public final class Main {

    public static void main(String[] args) {
        org.ctai.scp.QuietImagePlugins.install();
        int code = new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
        // a running node ends through its shutdown hook; exiting from here would wait on that hook
        if (code != 0 || args.length == 0 || !args[0].equals("run")) System.exit(code);
    }

    /**
     * A command that reads the node's configuration: {@code --config FILE} and any key of conf/ctai.conf as
     * {@code --key=value}. A bad key or value ends the command with status 2 and the message naming it.
     */
    public abstract static class Configured implements Callable<Integer> {
        @Option(names = "--config", paramLabel = "FILE", description = "a configuration file (keys as in conf/ctai.conf)")
        Path file;

        @Unmatched
        List<String> overrides = new ArrayList<>();

        @Override
        public final Integer call() throws Exception {
            NodeConfig config;
            try {
                config = ConfigLoader.withShippedDefaults().load(Optional.ofNullable(file), System.getenv(), overrides);
            } catch (ConfigException e) {
                System.err.println(e.getMessage());
                return 2;
            }
            try {
                return run(config);
            } catch (ModelSpecException e) {
                System.err.println(e.getMessage());
                return 2;
            } catch (NodeException | InferenceException e) {
                System.err.println(e.getMessage());
                return 1;
            }
        }

        protected abstract int run(NodeConfig config) throws Exception;
    }

    @Command(name = "run", description = "Start the node: DICOM SCP, series completion, workers. Any key of conf/ctai.conf can be given as --key=value.")
    static final class Run extends Configured {
        @Override
        protected int run(NodeConfig config) throws InterruptedException {
            Node node = Node.start(config);
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                node.close();
                stopped.countDown();
            }, "shutdown"));
            stopped.await();
            return 0;
        }
    }

    @Command(name = "demo", description = "Start the node on embedded defaults with a stand-in PACS, send it a synthetic patient's three CT "
            + "studies (a shrinking tumour), show the results, and keep running until Ctrl-C.")
    static final class Demo extends Configured {
        @Option(names = "--exit-when-done", description = "stop once the three studies' results have arrived")
        boolean exitWhenDone;

        @Option(names = "--slices", defaultValue = "24", description = "slices per study (default ${DEFAULT-VALUE})")
        int slices;

        @Override
        protected int run(NodeConfig config) throws Exception {
            return new DemoCommand(config, System.out).run(exitWhenDone, 3, slices);
        }
    }

    @Command(name = "analyze", description = "Load, segment and measure CT series offline (files or folders); prints lesions in physical units. "
            + "model.*, measure.* and overlay.* keys apply as --key=value.")
    static final class Analyze extends Configured {
        @Parameters(paramLabel = "PATH", arity = "1..*", description = "DICOM files or folders")
        List<Path> paths;

        @Option(names = "--out", paramLabel = "DIR", description = "write analysis.json and one overlay PNG per lesion per series here")
        Path out;

        @Option(names = "--json", description = "print only JSON on standard output (logs and progress go to standard error)")
        boolean json;

        @Override
        protected int run(NodeConfig config) throws java.io.IOException {
            return new AnalyzeCommand(config.inference(), System.out, System.err).run(paths, out, json);
        }
    }

    @Command(name = "route", description = "Dry run of the routing rules (pipelines, pipeline.NAME.rule.N) on DICOM files or folders: "
            + "for each series, which pipelines would take it and, for the others, the first rule that failed. Reads headers only; "
            + "pipelines.* and pipeline.* keys apply as --key=value.")
    static final class Route extends Configured {
        @Parameters(paramLabel = "PATH", arity = "1..*", description = "DICOM files or folders")
        List<Path> paths;

        @Option(names = "--calling-ae", paramLabel = "AE", defaultValue = "", description = "assume the series came from this AE title")
        String callingAe;

        @Option(names = "--json", description = "print the decisions as JSON")
        boolean json;

        @Override
        protected int run(NodeConfig config) throws java.io.IOException {
            return new RouteCommand(config.pipelines(), System.out, System.err).run(paths, callingAe, json);
        }
    }

    @Command(name = "phantom", description = "Write a synthetic CT series with tumours and its ground truth: "
            + "--out DIR [--seed N] [--count N] [--slices N] [--size N] [--pixel-spacing MM] [--slice-spacing MM] "
            + "[--tumours N] [--tumour-scale F] [--noise HU] [--patient-id ID] [--patient-name NAME] [--study-date YYYY-MM-DD]; "
            + "or with --exam a whole exam as a scanner sends it (localizer, 1.25 and 5 mm axial, coronal reformat, dose page, "
            + "another patient's tilted head CT), for trying routing rules with ./ctai route")
    static final class Phantom implements Callable<Integer> {
        @Unmatched
        List<String> args = new ArrayList<>();

        @Override
        public Integer call() throws java.io.IOException {
            try {
                return PhantomCli.run(args.toArray(String[]::new), System.out);
            } catch (IllegalArgumentException e) {
                System.err.println("phantom: " + e.getMessage());
                return 2;
            }
        }
    }

    @Command(name = "resend", description = "Send a job's results again: its dead (or waiting) deliveries become pending with fresh attempts. "
            + "Works beside a running node on the same configuration.")
    static final class Resend extends Configured {
        @Parameters(paramLabel = "JOB", description = "the job id (the web page and the log show it)")
        long job;

        @Override
        protected int run(NodeConfig config) throws java.sql.SQLException {
            try (Database db = Database.open(config.db(), config.data(), "ctai-resend", true)) {
                int n = Outbox.resend(db.dataSource(), job, "ctai resend");
                System.out.println(n == 0 ? "job " + job + " has no dead or waiting delivery" : n + " deliveries of job " + job + " queued again");
                return n == 0 ? 1 : 0;
            }
        }
    }

    @Command(name = "purge", description = "Delete the files (spooled CT, written results) of a failed or dead job's series, which "
            + "retention keeps; its history stays. Works beside a running node on the same configuration.")
    static final class Purge extends Configured {
        @Parameters(paramLabel = "JOB", description = "the job id (the web page and the log show it)")
        long job;

        @Override
        protected int run(NodeConfig config) throws java.sql.SQLException {
            try (Database db = Database.open(config.db(), config.data(), "ctai-purge", true)) {
                boolean purged = new Cleaner(db.dataSource(), config.retention(), config.data().dir()).purgeFailedJob(job);
                System.out.println(purged ? "the files of job " + job + "'s series were deleted"
                        : "job " + job + " is not failed or dead, or its files are already gone");
                return purged ? 0 : 1;
            }
        }
    }

    @Command(name = "hash-password", description = "Read a password (twice, from the console; or one line from standard input) and print "
            + "its hash for web.users, as name:role:hash with role admin, viewer or sender (STOW-RS only).")
    static final class HashPassword implements Callable<Integer> {
        @Override
        public Integer call() throws java.io.IOException {
            PasswordHasher.main(new String[0]);
            return 0;
        }
    }
}
