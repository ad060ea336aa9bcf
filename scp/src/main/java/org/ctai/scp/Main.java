package org.ctai.scp;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Unmatched;

/** The node's command line, reached through {@code ./ctai}. */
@Command(name = "ctai", mixinStandardHelpOptions = true, version = "CTAI Node 0.1.0",
        description = "AI tumour segmentation on CT beside a PACS. `./ctai build` and `./ctai test` are handled by the launcher script.",
        subcommands = {Main.Run.class})
public final class Main {

    public static void main(String[] args) {
        int code = new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
        if (code != 0 || args.length == 0 || !args[0].equals("run")) System.exit(code);
    }

    @Command(name = "run", description = "Start the node: DICOM SCP, series completion, workers. Any key of conf/ctai.conf can be given as --key=value.")
    static final class Run implements Callable<Integer> {
        @Option(names = "--config", paramLabel = "FILE", description = "a configuration file (keys as in conf/ctai.conf)")
        Path file;

        @Unmatched
        List<String> overrides = new ArrayList<>();

        @Override
        public Integer call() throws InterruptedException {
            NodeConfig config;
            try {
                config = ConfigLoader.withShippedDefaults().load(Optional.ofNullable(file), System.getenv(), overrides);
            } catch (ConfigException e) {
                System.err.println(e.getMessage());
                return 2;
            }
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
}
