package org.ctai.viewer;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Password hashes for {@code web.users}: PBKDF2 with HMAC-SHA256 (in every JDK), a random 16-byte salt and the
 * iteration count kept in the hash, so the count can be raised later without breaking existing hashes.
 *
 * <p>Format: {@code pbkdf2-sha256.ITERATIONS.SALT.HASH}, salt and hash in unpadded base64url. The format holds
 * no {@code :} or {@code ,} (the separators of {@code web.users}) and no {@code $} (a shell would expand it).
 *
 * <p>{@code ./ctai hash-password} runs {@link #main}: it reads the password twice from the console without echo
 * (or one line from standard input when there is no console) and prints the hash. Thread-safe.
 */
public final class PasswordHasher {
    /** The scheme name at the start of every hash. */
    public static final String SCHEME = "pbkdf2-sha256";
    /** Iterations of a new hash: OWASP's 2023 figure for PBKDF2-HMAC-SHA256. */
    public static final int DEFAULT_ITERATIONS = 600_000;
    /** Fewer iterations than this are refused: such a hash is too cheap to guess. */
    public static final int MIN_ITERATIONS = 1_000;
    private static final int MAX_ITERATIONS = 10_000_000;
    private static final int SALT_BYTES = 16;
    private static final int HASH_BITS = 256;
    private static final SecureRandom RANDOM = new SecureRandom();

    private PasswordHasher() {
    }

    /** A new hash of the password with {@link #DEFAULT_ITERATIONS}. */
    public static String hash(char[] password) {
        return hash(password, DEFAULT_ITERATIONS);
    }

    /** A new hash of the password; iterations from {@link #MIN_ITERATIONS} to 10 000 000. */
    public static String hash(char[] password, int iterations) {
        if (iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
            throw new IllegalArgumentException("iterations must be " + MIN_ITERATIONS + ".." + MAX_ITERATIONS + ", was " + iterations);
        }
        if (password.length == 0) throw new IllegalArgumentException("the password is empty");
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        return SCHEME + "." + iterations + "." + b64.encodeToString(salt) + "." + b64.encodeToString(derive(password, salt, iterations));
    }

    /** Whether the password matches the hash; false for a malformed hash. Takes the hash's full cost either way. */
    public static boolean verify(char[] password, String encoded) {
        Parsed p = parse(encoded);
        if (p == null) return false;
        return MessageDigest.isEqual(derive(password, p.salt, p.iterations), p.hash);
    }

    /** Whether the text is a hash this class can verify (right scheme, iteration count, salt and hash sizes). */
    public static boolean isWellFormed(String encoded) {
        return parse(encoded) != null;
    }

    private record Parsed(int iterations, byte[] salt, byte[] hash) { }

    private static Parsed parse(String encoded) {
        if (encoded == null) return null;
        String[] parts = encoded.split("\\.", -1);
        if (parts.length != 4 || !parts[0].equals(SCHEME)) return null;
        try {
            int iterations = Integer.parseInt(parts[1]);
            byte[] salt = Base64.getUrlDecoder().decode(parts[2]);
            byte[] hash = Base64.getUrlDecoder().decode(parts[3]);
            if (iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS || salt.length < 8 || hash.length != HASH_BITS / 8) return null;
            return new Parsed(iterations, salt, hash);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static byte[] derive(char[] password, byte[] salt, int iterations) {
        PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, HASH_BITS);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is part of every Java 17 runtime", e);
        } finally {
            spec.clearPassword();
        }
    }

    /**
     * Prints the hash of a password read from the console (asked twice, no echo) or, without a console, the
     * first line of standard input. Option {@code --iterations N}. Exit status 2 on a mismatch or empty input.
     */
    public static void main(String[] args) throws IOException {
        int iterations = DEFAULT_ITERATIONS;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--iterations") && i + 1 < args.length) iterations = Integer.parseInt(args[++i]);
            else {
                System.err.println("usage: hash-password [--iterations N]   (reads the password from the console or stdin)");
                System.exit(2);
            }
        }
        char[] password;
        Console console = System.console();
        if (console != null) {
            password = console.readPassword("password: ");
            char[] again = console.readPassword("again: ");
            if (password == null || again == null || !Arrays.equals(password, again)) {
                System.err.println("the two passwords differ");
                System.exit(2);
            }
            Arrays.fill(again, '\0');
        } else {
            String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            password = line == null ? new char[0] : line.toCharArray();
        }
        if (password.length == 0) {
            System.err.println("the password is empty");
            System.exit(2);
        }
        System.out.println(hash(password, iterations));
        Arrays.fill(password, '\0');
    }
}
