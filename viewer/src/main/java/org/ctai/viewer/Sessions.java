package org.ctai.viewer;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Logged-in sessions, in memory: a node restart logs everybody out, which is acceptable for a page a few people
 * use. A session id and its CSRF token are 32 random bytes each; a session ends after the idle timeout and is
 * renewed by every request. At most {@link #MAX_SESSIONS}; a login beyond that first drops expired sessions and
 * then the one idle longest. Thread-safe.
 */
final class Sessions {
    static final int MAX_SESSIONS = 10_000;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** One login. {@code expires} moves with every request. */
    static final class Session {
        final String id;
        final String user;
        final WebConfig.Role role;
        final String csrfToken;
        volatile Instant expires;

        Session(String id, String user, WebConfig.Role role, String csrfToken, Instant expires) {
            this.id = id;
            this.user = user;
            this.role = role;
            this.csrfToken = csrfToken;
            this.expires = expires;
        }

        boolean isAdmin() {
            return role == WebConfig.Role.ADMIN;
        }
    }

    private final ConcurrentHashMap<String, Session> byId = new ConcurrentHashMap<>();
    private final Duration idleTimeout;
    private final InstantSource clock;

    Sessions(Duration idleTimeout, InstantSource clock) {
        this.idleTimeout = idleTimeout;
        this.clock = clock;
    }

    /** A new session (always a new id, so a session id planted before login is worthless). */
    Session create(String user, WebConfig.Role role) {
        if (byId.size() >= MAX_SESSIONS) evict();
        Session s = new Session(randomToken(), user, role, randomToken(), clock.instant().plus(idleTimeout));
        byId.put(s.id, s);
        return s;
    }

    /** The live session with this id, its idle time renewed; empty for an unknown or expired one. */
    Optional<Session> find(String id) {
        if (id == null) return Optional.empty();
        Session s = byId.get(id);
        if (s == null) return Optional.empty();
        Instant now = clock.instant();
        if (!now.isBefore(s.expires)) {
            byId.remove(id, s);
            return Optional.empty();
        }
        s.expires = now.plus(idleTimeout);
        return Optional.of(s);
    }

    void remove(String id) {
        if (id != null) byId.remove(id);
    }

    int size() {
        return byId.size();
    }

    private void evict() {
        Instant now = clock.instant();
        byId.values().removeIf(s -> !now.isBefore(s.expires));
        if (byId.size() >= MAX_SESSIONS) {
            byId.values().stream().min((a, b) -> a.expires.compareTo(b.expires)).ifPresent(s -> byId.remove(s.id, s));
        }
    }

    static String randomToken() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
