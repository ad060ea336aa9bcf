package org.ctai.viewer;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * The web page's slice of the node configuration. Immutable; every problem is collected and reported at once,
 * naming the key as the operator writes it ({@code web.port must be 0..65535, was 70000}).
 *
 * @param bind           address to listen on ({@code web.bind})
 * @param port           TCP port, 0 for any free port ({@code web.port})
 * @param users          who may log in ({@code web.users}, see {@link #parseUsers})
 * @param auth           false serves everything without a login, as an admin ({@code web.auth=off}); a warning is logged
 * @param secureCookie   mark the session cookie Secure and send HSTS: set it when a TLS proxy is in front ({@code web.secure-cookie});
 *                       a {@link WebServer} serving HTTPS itself always does
 * @param dataDir        {@code data.dir}: overlay PNGs and SEG/SR files are served only from under it, by database id
 * @param publicPaths    which of {@code /healthz} and {@code /metrics} need no login ({@code web.public-paths})
 * @param sessionTimeout a session ends after this long without a request ({@code web.session-minutes})
 */
public record WebConfig(String bind, int port, List<User> users, boolean auth, boolean secureCookie, Path dataDir,
                        Set<String> publicPaths, Duration sessionTimeout) {
    public static final String DEFAULT_BIND = "127.0.0.1";
    public static final int DEFAULT_PORT = 8080;
    /** UNIT: minutes of inactivity. Long enough for a reading session, short enough for a shared workstation. */
    public static final Duration DEFAULT_SESSION_TIMEOUT = Duration.ofMinutes(60);
    /** Paths that may be made public; the login page is always public. */
    public static final Set<String> PUBLIC_PATH_CHOICES = Set.of("/healthz", "/metrics");
    public static final Set<String> DEFAULT_PUBLIC_PATHS = PUBLIC_PATH_CHOICES;

    /**
     * The roles: an admin may also retry jobs and deliveries; a sender may only post instances by STOW-RS (HTTP
     * Basic), never open the page.
     */
    public enum Role { ADMIN, VIEWER, SENDER }

    /** One login; {@link #toString()} masks the hash. */
    public record User(String name, Role role, String passwordHash) {
        public User {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(role, "role");
            Objects.requireNonNull(passwordHash, "passwordHash");
        }

        @Override
        public String toString() {
            return name + ":" + role.name().toLowerCase(Locale.ROOT) + ":***";
        }
    }

    public WebConfig {
        users = List.copyOf(users);
        publicPaths = Set.copyOf(publicPaths);
        List<String> problems = new ArrayList<>();
        if (bind == null || bind.isBlank()) problems.add("web.bind must be an address, was '" + bind + "'");
        if (port < 0 || port > 65535) problems.add("web.port must be 0..65535, was " + port);
        if (dataDir == null) problems.add("data.dir must be set");
        if (sessionTimeout == null || sessionTimeout.compareTo(Duration.ofMinutes(1)) < 0 || sessionTimeout.compareTo(Duration.ofDays(7)) > 0) {
            problems.add("web.session-minutes must be 1..10080, was " + (sessionTimeout == null ? null : sessionTimeout.toMinutes()));
        }
        for (String p : publicPaths) {
            if (!PUBLIC_PATH_CHOICES.contains(p)) problems.add("web.public-paths may name only /healthz and /metrics, was " + p);
        }
        Set<String> names = new LinkedHashSet<>();
        for (User u : users) {
            if (!names.add(u.name())) problems.add("web.users names " + u.name() + " twice");
        }
        if (!problems.isEmpty()) throw new IllegalArgumentException(String.join("; ", problems));
    }

    /** Defaults for everything but the users and the data folder. */
    public static WebConfig of(Path dataDir, List<User> users) {
        return new WebConfig(DEFAULT_BIND, DEFAULT_PORT, users, true, false, dataDir, DEFAULT_PUBLIC_PATHS, DEFAULT_SESSION_TIMEOUT);
    }

    /** A copy listening on another address and port. */
    public WebConfig withListener(String newBind, int newPort) {
        return new WebConfig(newBind, newPort, users, auth, secureCookie, dataDir, publicPaths, sessionTimeout);
    }

    /** A copy whose session cookie is Secure (and HSTS sent), or not. */
    public WebConfig withSecureCookie(boolean secure) {
        return new WebConfig(bind, port, users, auth, secure, dataDir, publicPaths, sessionTimeout);
    }

    /**
     * Parses {@code web.users}: comma-separated {@code name:role:hash}, role {@code admin} or {@code viewer}, hash
     * from {@link PasswordHasher}. Blank text means no users.
     *
     * @throws IllegalArgumentException naming the key and the bad entry (never the hash)
     */
    public static List<User> parseUsers(String text) {
        List<User> users = new ArrayList<>();
        if (text == null || text.isBlank()) return users;
        List<String> problems = new ArrayList<>();
        int n = 0;
        for (String entry : text.split(",")) {
            n++;
            String e = entry.trim();
            if (e.isEmpty()) continue;
            String[] parts = e.split(":", -1);
            if (parts.length != 3) {
                problems.add("web.users entry " + n + " must be name:role:hash, has " + parts.length + " parts");
                continue;
            }
            String name = parts[0].trim();
            String role = parts[1].trim().toLowerCase(Locale.ROOT);
            if (!name.matches("[A-Za-z0-9._@-]{1,64}")) problems.add("web.users entry " + n + ": user name must be 1-64 of A-Z a-z 0-9 . _ @ -, was '" + name + "'");
            if (!role.equals("admin") && !role.equals("viewer") && !role.equals("sender")) {
                problems.add("web.users user " + name + ": role must be admin, viewer or sender, was '" + role + "'");
            }
            if (!PasswordHasher.isWellFormed(parts[2].trim())) problems.add("web.users user " + name + ": the hash is not a " + PasswordHasher.SCHEME + " hash from ./ctai hash-password");
            if (problems.isEmpty()) users.add(new User(name, Role.valueOf(role.toUpperCase(Locale.ROOT)), parts[2].trim()));
        }
        if (!problems.isEmpty()) throw new IllegalArgumentException(String.join("; ", problems));
        return users;
    }

    /** Parses {@code web.public-paths}: comma-separated, from {@code /healthz} and {@code /metrics}; blank for none. */
    public static Set<String> parsePublicPaths(String text) {
        Set<String> paths = new LinkedHashSet<>();
        if (text == null) return paths;
        for (String p : text.split(",")) {
            if (!p.isBlank()) paths.add(p.trim());
        }
        return paths;
    }

    @Override
    public String toString() {
        return "WebConfig[bind=" + bind + ", port=" + port + ", users=" + users + ", auth=" + (auth ? "on" : "off")
                + ", secureCookie=" + secureCookie + ", dataDir=" + dataDir + ", publicPaths=" + publicPaths
                + ", sessionTimeout=" + sessionTimeout.toMinutes() + " min]";
    }
}
