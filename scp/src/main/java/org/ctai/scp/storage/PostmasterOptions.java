package org.ctai.scp.storage;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The command line PostgreSQL records in {@code postmaster.opts} at every start (the program, then each
 * argument in double quotes), read back to start the same server again. Stateless.
 */
final class PostmasterOptions {
    private static final Pattern QUOTED = Pattern.compile("\"([^\"]*)\"");

    private PostmasterOptions() {
    }

    /** The program followed by its arguments. */
    static List<String> read(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8).trim();
        int firstQuote = text.indexOf(" \"");
        if (text.isEmpty()) throw new IOException(file + " is empty");
        List<String> out = new ArrayList<>();
        out.add(firstQuote < 0 ? text : text.substring(0, firstQuote));
        if (firstQuote >= 0) {
            Matcher m = QUOTED.matcher(text.substring(firstQuote));
            while (m.find()) out.add(m.group(1));
        }
        return out;
    }

    /** The arguments less {@code -D dir} (pg_ctl gives the data directory itself). */
    static List<String> withoutDataDirectory(List<String> args) {
        return withoutOption(args, "-D");
    }

    /** The arguments with {@code -p port} set to {@code port}. */
    static List<String> withPort(List<String> args, int port) {
        List<String> out = new ArrayList<>(withoutOption(args, "-p"));
        out.add("-p");
        out.add(Integer.toString(port));
        return out;
    }

    private static List<String> withoutOption(List<String> args, String option) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).equals(option) && i + 1 < args.size()) {
                i++;
            } else {
                out.add(args.get(i));
            }
        }
        return out;
    }

    /** One string for pg_ctl's {@code -o}, which a shell splits again: each argument in single quotes. */
    static String quoted(List<String> args) {
        List<String> q = new ArrayList<>();
        for (String a : args) q.add("'" + a.replace("'", "'\\''") + "'");
        return String.join(" ", q);
    }
}
