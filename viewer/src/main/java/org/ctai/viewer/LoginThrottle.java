package org.ctai.viewer;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows down password guessing: after {@link #FREE_FAILURES} failed logins for one user name, or from one
 * address, within {@link #WINDOW}, further attempts for that name or from that address are refused (without
 * checking the password) for a lock time that starts at {@link #FIRST_LOCK} and doubles with each further
 * failure up to {@link #MAX_LOCK}. A successful login clears the name's and the address's count. Keys are
 * bounded to {@link #MAX_KEYS}; when full, stale ones are dropped first. Thread-safe.
 */
final class LoginThrottle {
    static final int FREE_FAILURES = 5;
    /** UNIT: failures older than this are forgotten. */
    static final Duration WINDOW = Duration.ofMinutes(15);
    static final Duration FIRST_LOCK = Duration.ofSeconds(30);
    static final Duration MAX_LOCK = Duration.ofMinutes(15);
    static final int MAX_KEYS = 50_000;

    private record Failures(int count, Instant last) { }

    private final ConcurrentHashMap<String, Failures> failures = new ConcurrentHashMap<>();
    private final InstantSource clock;

    LoginThrottle(InstantSource clock) {
        this.clock = clock;
    }

    /** How long attempts for this user from this address must still wait; zero when they may try. */
    Duration waitFor(String user, String address) {
        Instant now = clock.instant();
        Duration a = remaining(failures.get(userKey(user)), now);
        Duration b = remaining(failures.get(addressKey(address)), now);
        return a.compareTo(b) >= 0 ? a : b;
    }

    void failed(String user, String address) {
        if (failures.size() >= MAX_KEYS) sweep();
        Instant now = clock.instant();
        for (String key : new String[] {userKey(user), addressKey(address)}) {
            failures.merge(key, new Failures(1, now), (old, one) ->
                    Duration.between(old.last, now).compareTo(WINDOW) > 0 ? one : new Failures(old.count + 1, now));
        }
    }

    void succeeded(String user, String address) {
        failures.remove(userKey(user));
        failures.remove(addressKey(address));
    }

    private static Duration remaining(Failures f, Instant now) {
        if (f == null || f.count < FREE_FAILURES) return Duration.ZERO;
        Duration lock = FIRST_LOCK.multipliedBy(1L << Math.min(f.count - FREE_FAILURES, 10));
        if (lock.compareTo(MAX_LOCK) > 0) lock = MAX_LOCK;
        Duration left = Duration.between(now, f.last.plus(lock));
        return left.isNegative() ? Duration.ZERO : left;
    }

    private void sweep() {
        Instant cutoff = clock.instant().minus(WINDOW);
        failures.values().removeIf(f -> f.last.isBefore(cutoff));
        if (failures.size() >= MAX_KEYS) failures.clear(); // a flood of distinct keys: forget rather than grow
    }

    private static String userKey(String user) {
        return "u:" + user;
    }

    private static String addressKey(String address) {
        return "a:" + address;
    }
}
