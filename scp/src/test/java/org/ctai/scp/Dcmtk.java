package org.ctai.scp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs DCMTK's real clients (installed by ./ctai test) and returns what they said. */
public final class Dcmtk {
    private Dcmtk() {
    }

    public record Result(int exitCode, String output) { }

    public static Result echoscu(String callingAe, String calledAe, int port) {
        return run(List.of("echoscu", "-aet", callingAe, "-aec", calledAe, "127.0.0.1", Integer.toString(port)));
    }

    /** echoscu with extra options, for example {@code +tls KEY CERT +cf CA}. */
    public static Result echoscu(String callingAe, String calledAe, int port, String... options) {
        List<String> cmd = new ArrayList<>(List.of("echoscu", "-aet", callingAe, "-aec", calledAe));
        cmd.addAll(List.of(options));
        cmd.add("127.0.0.1");
        cmd.add(Integer.toString(port));
        return run(cmd);
    }

    public static Result storescu(String callingAe, int port, List<Path> files, String... options) {
        List<String> cmd = new ArrayList<>(List.of("storescu", "-aet", callingAe, "-aec", "CTAI"));
        cmd.addAll(List.of(options));
        cmd.add("127.0.0.1");
        cmd.add(Integer.toString(port));
        files.forEach(f -> cmd.add(f.toString()));
        return run(cmd);
    }

    public static Process startStorescu(String callingAe, int port, List<Path> files, String... options) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("storescu", "-aet", callingAe, "-aec", "CTAI"));
        cmd.addAll(List.of(options));
        cmd.add("127.0.0.1");
        cmd.add(Integer.toString(port));
        files.forEach(f -> cmd.add(f.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("TCP_NODELAY", "1");
        return pb.start();
    }

    static Result run(List<String> cmd) {
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().put("TCP_NODELAY", "1");
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(cmd.get(0) + " did not finish in 120 s");
            }
            return new Result(p.exitValue(), out);
        } catch (IOException e) {
            throw new IllegalStateException(cmd.get(0) + " could not run; ./ctai test installs DCMTK (apt package dcmtk)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
