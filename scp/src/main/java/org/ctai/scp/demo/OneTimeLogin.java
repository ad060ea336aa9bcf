package org.ctai.scp.demo;

import java.security.SecureRandom;
import org.ctai.viewer.PasswordHasher;
import org.ctai.viewer.WebConfig;

/** A web user with a fresh random password for one run (the demo's login, the benchmarks' nodes). */
public final class OneTimeLogin {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    private OneTimeLogin() {
    }

    static String password() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 16; i++) sb.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        return sb.toString();
    }

    static WebConfig.User user(String name, String password) {
        return new WebConfig.User(name, WebConfig.Role.ADMIN, PasswordHasher.hash(password.toCharArray()));
    }

    /** Command-line options for a node whose page nobody will use: a free port and a user nobody knows. */
    public static java.util.List<String> unusedPage() {
        return java.util.List.of("--web.port=0", "--web.users=bench:viewer:" + PasswordHasher.hash(password().toCharArray()));
    }
}
