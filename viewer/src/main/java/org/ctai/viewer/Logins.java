package org.ctai.viewer;

import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks a name and password against {@code web.users}, throttled per user name and per address
 * ({@link LoginThrottle}), and opens a session on success. An unknown name costs the same hash work as a known
 * one, so timing does not tell which names exist. Log lines name the user and address, never the password.
 * Thread-safe.
 */
final class Logins {
    private static final Logger log = LoggerFactory.getLogger(Logins.class);

    /** The outcome of one attempt: a session, a refusal, or a wait imposed by the throttle. */
    record Attempt(Optional<Sessions.Session> session, Duration retryAfter) {
        boolean throttled() {
            return !retryAfter.isZero();
        }
    }

    private final Map<String, WebConfig.User> users;
    private final Sessions sessions;
    private final LoginThrottle throttle;
    private final String dummyHash;
    private final InstantSource clock;
    /**
     * Credentials that passed {@link #check} recently, by user: a keyed SHA-256 of the password (the key random per
     * process) and until when. STOW-RS clients often post one instance per request, and PBKDF2 at 600 000
     * iterations costs a few hundred ms each time.
     */
    private final java.util.concurrent.ConcurrentHashMap<String, Recent> recent = new java.util.concurrent.ConcurrentHashMap<>();
    private final byte[] recentKey = Sessions.randomToken().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    /** How long a checked password is remembered for {@link #checkRepeated}. */
    static final Duration RECENT = Duration.ofMinutes(5);

    private record Recent(byte[] digest, java.time.Instant until, String user) { }

    Logins(WebConfig config, Sessions sessions, InstantSource clock) {
        this.users = config.users().stream().collect(Collectors.toUnmodifiableMap(WebConfig.User::name, Function.identity()));
        this.sessions = sessions;
        this.clock = clock;
        this.throttle = new LoginThrottle(clock);
        // same cost as the configured hashes (their largest iteration count) for unknown names
        int iterations = config.users().stream().mapToInt(u -> iterationsOf(u.passwordHash())).max().orElse(PasswordHasher.MIN_ITERATIONS);
        this.dummyHash = PasswordHasher.hash("not a password".toCharArray(), iterations);
    }

    Attempt login(String name, String password, String address) {
        Checked checked = verify(name, password, address);
        if (checked.user().isEmpty()) return new Attempt(Optional.empty(), checked.waitFor());
        WebConfig.User u = checked.user().get();
        if (u.role() == WebConfig.Role.SENDER) {
            log.warn("user '{}' from {} may only post instances (role sender), not open the page", printable(u.name()), address);
            return new Attempt(Optional.empty(), Duration.ZERO);
        }
        log.info("user '{}' ({}) logged in from {}", u.name(), u.role(), address);
        return new Attempt(Optional.of(sessions.create(u.name(), u.role())), Duration.ZERO);
    }

    /**
     * Checks a name and password (throttled per name and address, the same cost for unknown names) without creating a
     * session: the page's login and STOW-RS's HTTP Basic both use it.
     */
    Optional<WebConfig.User> check(String name, String password, String address) {
        return verify(name, password, address).user();
    }

    /**
     * {@link #check} for clients that send the same credentials with every request (STOW-RS): a name and password that
     * passed within {@link #RECENT} pass again without the PBKDF2 work; anything else takes the full, throttled check.
     */
    Optional<WebConfig.User> checkRepeated(String name, String password, String address) {
        String user = name == null ? "" : name.trim();
        WebConfig.User u = users.get(user);
        byte[] digest = digest(user, password == null ? "" : password);
        Recent r = recent.get(user);
        if (u != null && r != null && clock.instant().isBefore(r.until()) && java.security.MessageDigest.isEqual(r.digest(), digest)) {
            return Optional.of(u);
        }
        Optional<WebConfig.User> checked = check(name, password, address);
        checked.ifPresent(c -> recent.put(c.name(), new Recent(digest, clock.instant().plus(RECENT), c.name())));
        return checked;
    }

    /** The throttle's name for bearer-token attempts, which carry no user name. */
    private static final String BEARER = "(bearer token)";

    /**
     * A bearer token for clients that can send nothing else (STOW-RS): the password of a user of role sender, tried
     * against each sender (few, so few PBKDF2 checks, and only until it is remembered for {@link #RECENT}). Failures
     * are throttled per address. Give each sender a long random password ({@code openssl rand -base64 32}).
     */
    Optional<WebConfig.User> checkBearer(String token, String address) {
        byte[] digest = digest(BEARER, token == null ? "" : token);
        String key = BEARER + java.util.Base64.getEncoder().encodeToString(digest);
        Recent r = recent.get(key);
        if (r != null && clock.instant().isBefore(r.until()) && users.containsKey(r.user())) return Optional.of(users.get(r.user()));
        Duration wait = throttle.waitFor(BEARER, address);
        if (!wait.isZero() || token == null || token.isEmpty()) {
            if (!wait.isZero()) log.warn("bearer token from {} refused: too many failed attempts, {} s to wait", address, wait.toSeconds());
            return Optional.empty();
        }
        for (WebConfig.User u : users.values()) {
            if (u.role() == WebConfig.Role.SENDER && PasswordHasher.verify(token.toCharArray(), u.passwordHash())) {
                throttle.succeeded(BEARER, address);
                recent.put(key, new Recent(digest, clock.instant().plus(RECENT), u.name()));
                return Optional.of(u);
            }
        }
        throttle.failed(BEARER, address);
        log.warn("unknown bearer token from {}", address);
        return Optional.empty();
    }

    private byte[] digest(String user, String password) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(recentKey, "HmacSHA256"));
            return mac.doFinal((user + "\0" + password).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JVM", e);
        }
    }

    /** The user, or empty with how long this name and address must wait (zero after a plain failure). */
    private record Checked(Optional<WebConfig.User> user, Duration waitFor) { }

    private Checked verify(String name, String password, String address) {
        String user = name == null ? "" : name.trim();
        Duration wait = throttle.waitFor(user, address);
        if (!wait.isZero()) {
            log.warn("login for user '{}' from {} refused: too many failed logins, {} s to wait", printable(user), address, wait.toSeconds());
            return new Checked(Optional.empty(), wait);
        }
        WebConfig.User u = users.get(user);
        char[] pw = password == null ? new char[0] : password.toCharArray();
        boolean ok = PasswordHasher.verify(pw, u == null ? dummyHash : u.passwordHash()) && u != null && pw.length > 0;
        if (!ok) {
            throttle.failed(user, address);
            log.warn("failed login for user '{}' from {}", printable(user), address);
            return new Checked(Optional.empty(), Duration.ZERO);
        }
        throttle.succeeded(user, address);
        return new Checked(Optional.of(u), Duration.ZERO);
    }

    private static int iterationsOf(String hash) {
        String[] p = hash.split("\\.");
        return Integer.parseInt(p[1]);
    }

    /** A user name as typed, cut and stripped of control characters, so it cannot forge log lines. */
    private static String printable(String s) {
        String cut = s.length() > 64 ? s.substring(0, 64) + "..." : s;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }
}
