package org.ctai.scp.config;

import org.ctai.scp.tls.PemFiles;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Reads one DICOMweb entry of a destination list ({@code send.destinations}, {@code pipeline.NAME.destinations}):
 * {@code dicomweb:https://host[:port]/path}, optionally followed by {@code ;auth=basic:VAR} (the environment variable VAR
 * holds {@code user:password}), {@code ;auth=bearer:VAR} (VAR holds the token) and {@code ;trusted=FILE} (a PEM bundle
 * the server's certificate must chain to; without it the JVM's trust store). Plain {@code http:} only to a loopback
 * address: patient data and credentials must not cross a network in clear. Problems name the key and the entry,
 * never a secret: credentials written into the URL are refused without echoing them.
 */
final class DicomWebDestinations {
    private DicomWebDestinations() {
    }

    static Optional<NodeConfig.WebDestination> read(String key, String written, Map<String, String> env, Consumer<String> problems) {
        String[] parts = written.split(";");
        String url = parts[0].trim().substring(NodeConfig.WebDestination.PREFIX.length());
        URI base;
        try {
            base = new URI(url);
        } catch (URISyntaxException e) {
            problems.accept(key + " entry must be dicomweb:https://host/path, was " + written);
            return Optional.empty();
        }
        if (base.getRawUserInfo() != null) {
            // the value is not echoed: it holds a password
            problems.accept(key + " entry dicomweb:" + base.getScheme() + "://" + base.getHost() + "... carries credentials in its URL; "
                    + "put them in an environment variable and write ;auth=basic:VARIABLE");
            return Optional.empty();
        }
        String scheme = base.getScheme() == null ? "" : base.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http") || base.getHost() == null || base.getRawQuery() != null || base.getRawFragment() != null) {
            problems.accept(key + " entry must be dicomweb:https://host/path (no query, no fragment), was " + written);
            return Optional.empty();
        }
        if (scheme.equals("http") && !loopback(base.getHost())) {
            problems.accept(key + " entry " + written + " must use https: plain http is allowed only to a loopback address (127.0.0.1, ::1, localhost)");
            return Optional.empty();
        }
        String path = base.getRawPath() == null ? "" : base.getRawPath().replaceAll("/+$", "");
        base = URI.create(scheme + "://" + base.getRawAuthority() + path);
        String where = key + " entry " + NodeConfig.WebDestination.PREFIX + base;
        Optional<NodeConfig.WebAuth> auth = Optional.empty();
        Optional<Path> trusted = Optional.empty();
        boolean ok = true;
        for (int i = 1; i < parts.length; i++) {
            String option = parts[i].trim();
            if (option.isEmpty()) continue;
            if (option.startsWith("auth=")) {
                auth = auth(where, option.substring(5).trim(), env, problems);
                ok &= auth.isPresent();
            } else if (option.startsWith("trusted=")) {
                trusted = trusted(where, option.substring(8).trim(), problems);
                ok &= trusted.isPresent();
                if (scheme.equals("http")) {
                    problems.accept(where + " sets trusted= but is plain http");
                    ok = false;
                }
            } else {
                problems.accept(where + " has an unknown option " + option + " (known: auth=basic:VARIABLE, auth=bearer:VARIABLE, trusted=FILE)");
                ok = false;
            }
        }
        return ok ? Optional.of(new NodeConfig.WebDestination(base, auth, trusted)) : Optional.empty();
    }

    private static Optional<NodeConfig.WebAuth> auth(String where, String value, Map<String, String> env, Consumer<String> problems) {
        int colon = value.indexOf(':');
        String kind = colon < 0 ? value : value.substring(0, colon).trim().toLowerCase(Locale.ROOT);
        String variable = colon < 0 ? "" : value.substring(colon + 1).trim();
        NodeConfig.WebAuth.Scheme scheme = switch (kind) {
            case "basic" -> NodeConfig.WebAuth.Scheme.BASIC;
            case "bearer" -> NodeConfig.WebAuth.Scheme.BEARER;
            default -> null;
        };
        if (scheme == null || !variable.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            problems.accept(where + " auth must be basic:VARIABLE or bearer:VARIABLE (the name of an environment variable that holds the secret), was "
                    + kind + ":" + variable);
            return Optional.empty();
        }
        String secret = env.getOrDefault(variable, "");
        if (secret.isEmpty()) {
            problems.accept(where + " auth=" + kind + ":" + variable + ": the environment variable " + variable + " is not set or empty");
            return Optional.empty();
        }
        if (scheme == NodeConfig.WebAuth.Scheme.BASIC && secret.indexOf(':') < 1) {
            problems.accept(where + " auth=basic:" + variable + ": the environment variable " + variable + " must hold user:password (its value is not shown)");
            return Optional.empty();
        }
        return Optional.of(new NodeConfig.WebAuth(scheme, variable, secret));
    }

    private static Optional<Path> trusted(String where, String value, Consumer<String> problems) {
        Path p = Path.of(value).toAbsolutePath().normalize();
        if (value.isEmpty() || !Files.isRegularFile(p) || !Files.isReadable(p)) {
            problems.accept(where + " trusted must name a readable PEM file, was " + value);
            return Optional.empty();
        }
        try {
            if (PemFiles.certificates(p).isEmpty()) throw new GeneralSecurityException("no certificate in it");
        } catch (IOException | GeneralSecurityException e) {
            problems.accept(where + " trusted must hold PEM certificates, was " + p + ": " + e.getMessage());
            return Optional.empty();
        }
        return Optional.of(p);
    }

    /** Loopback by name or address; a name is not resolved (localhost aside), so configuration does not depend on DNS. */
    private static boolean loopback(String host) {
        String h = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        if (h.equalsIgnoreCase("localhost")) return true;
        if (!h.matches("[0-9.]+") && !h.contains(":")) return false;
        try {
            return InetAddress.getByName(h).isLoopbackAddress();
        } catch (IOException e) {
            return false;
        }
    }
}
