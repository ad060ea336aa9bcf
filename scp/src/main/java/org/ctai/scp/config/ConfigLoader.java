package org.ctai.scp.config;

import org.ctai.inference.series.SeriesLoader;
import org.ctai.scp.route.PipelineReader;
import org.ctai.scp.tls.DicomTls;
import org.ctai.scp.tls.PemFiles;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.ctai.inference.model.ModelConfig;
import org.ctai.inference.model.ModelSpecException;
import org.ctai.inference.measure.MeasurementSettings;
import org.ctai.inference.overlay.CtWindow;
import org.ctai.srwriter.ResultOptions;
import org.ctai.viewer.WebConfig;

/**
 * Builds a {@link NodeConfig} from, lowest precedence first: the shipped {@code ctai.conf} (on the
 * classpath, the single source of defaults and of the set of known keys), an operator file, environment
 * variables ({@code CTAI_DICOM_PORT} for {@code dicom.port}) and command-line overrides
 * ({@code --dicom.port=11113}). Every problem is collected and reported at once.
 */
public final class ConfigLoader {
    static final String DEFAULTS_RESOURCE = "/ctai.conf";
    /**
     * What {@code dicom.transfer-syntaxes} may name: what the series loader decodes, so nothing is stored that
     * inference would refuse, less Deflated Explicit VR Little Endian, whose received header the receiver does
     * not inflate to check the pixel data.
     */
    private static final List<String> RECEIVABLE_TRANSFER_SYNTAXES = SeriesLoader.DECODABLE_TRANSFER_SYNTAXES.stream()
            .filter(ts -> !ts.equals("1.2.840.10008.1.2.1.99")).sorted().toList();
    private static final Pattern AE_TITLE = Pattern.compile("[\\x20-\\x5B\\x5D-\\x7E]{1,16}");
    private static final Pattern UID = Pattern.compile("[0-9]+(\\.[0-9]+)*");
    private static final Pattern DESTINATION = Pattern.compile("([^@]{1,16})@([^:@]+):([0-9]{1,5})");

    private final Map<String, String> defaults;

    private ConfigLoader(Map<String, String> defaults) {
        this.defaults = defaults;
    }

    /** The loader with the shipped defaults. */
    public static ConfigLoader withShippedDefaults() {
        try (InputStream in = ConfigLoader.class.getResourceAsStream(DEFAULTS_RESOURCE)) {
            if (in == null) throw new IllegalStateException("ctai.conf is missing from the classpath; the build is broken");
            return new ConfigLoader(parse(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the shipped ctai.conf", e);
        }
    }

    /** Every known key with its shipped default, in file order. */
    public Map<String, String> defaults() {
        return java.util.Collections.unmodifiableMap(defaults);
    }

    /**
     * @param file      an operator configuration file, or empty
     * @param env       the process environment (only {@code CTAI_*} names of known keys are read)
     * @param overrides command-line options of the form {@code --key=value}
     * @throws ConfigException naming every unknown key and bad value
     */
    public NodeConfig load(Optional<Path> file, Map<String, String> env, List<String> overrides) {
        List<String> problems = new ArrayList<>();
        Map<String, String> values = new LinkedHashMap<>(defaults);
        file.ifPresent(f -> {
            try {
                merge(values, parse(Files.readString(f, StandardCharsets.UTF_8)), "in " + f, problems);
            } catch (IOException e) {
                problems.add("cannot read configuration file " + f + ": " + e.getMessage());
            }
        });
        for (String key : defaults.keySet()) {
            String envName = envName(key);
            if (env.containsKey(envName)) values.put(key, env.get(envName).trim());
        }
        Map<String, String> cli = new LinkedHashMap<>();
        for (String o : overrides) {
            int eq = o.indexOf('=');
            if (!o.startsWith("--") || eq < 0) {
                problems.add("command-line option " + o + " is not of the form --key=value");
                continue;
            }
            cli.put(o.substring(2, eq).trim(), o.substring(eq + 1).trim());
        }
        merge(values, cli, "on the command line", problems);
        NodeConfig config = build(new Reading(values, problems, Map.copyOf(env)), defaults.keySet());
        if (!problems.isEmpty()) throw new ConfigException(problems);
        return config;
    }

    /** CTAI_ + the key in capitals with dots and dashes as underscores. */
    public static String envName(String key) {
        return "CTAI_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    private void merge(Map<String, String> values, Map<String, String> more, String where, List<String> problems) {
        more.forEach((k, v) -> {
            // pipelines are named by the operator, so their keys cannot all be in the defaults; PipelineReader judges them
            if (defaults.containsKey(k) || PipelineReader.isPipelineKey(k)) values.put(k, v);
            else problems.add("unknown key " + k + " " + where + " (known keys are listed in conf/ctai.conf)");
        });
    }

    private static Map<String, String> parse(String text) throws IOException {
        // Properties handles comments, escapes and "key = value"; keep the file's order for readable dumps.
        Properties p = new Properties();
        p.load(new StringReader(text));
        Map<String, String> ordered = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            String t = line.trim();
            if (t.isEmpty() || t.startsWith("#") || t.startsWith("!")) continue;
            String key = t.split("[=:\\s]", 2)[0];
            if (p.containsKey(key)) ordered.put(key, p.getProperty(key).trim());
        }
        p.stringPropertyNames().stream().filter(k -> !ordered.containsKey(k)).forEach(k -> ordered.put(k, p.getProperty(k).trim()));
        return ordered;
    }

    private static NodeConfig build(Reading in, Set<String> shippedKeys) {
        Set<String> callers = in.list("dicom.allowed-callers", s -> in.check("dicom.allowed-callers", s, AE_TITLE.matcher(s).matches() || s.equals("*"), "an AE title of 1-16 characters, or *"));
        boolean any = callers.remove("*");
        var dicom = new NodeConfig.Dicom(
                in.string("dicom.ae-title", s -> AE_TITLE.matcher(s).matches(), "an AE title of 1-16 characters without backslash"),
                in.string("dicom.bind", s -> !s.isEmpty(), "an address"),
                in.integer("dicom.port", 0, 65535),
                callers, any,
                in.list("dicom.allowed-addresses", s -> s),
                in.integer("dicom.max-associations", 1, 10_000),
                in.duration("dicom.request-timeout-seconds"),
                in.duration("dicom.idle-timeout-seconds"),
                List.copyOf(in.list("dicom.sop-classes", s -> in.check("dicom.sop-classes", s,
                        UID.matcher(s).matches() || s.equals(NodeConfig.Dicom.ANY_STORAGE_SOP_CLASS), "a UID or *"))),
                List.copyOf(in.list("dicom.transfer-syntaxes", s -> in.check("dicom.transfer-syntaxes", s, RECEIVABLE_TRANSFER_SYNTAXES.contains(s),
                        "a transfer syntax the series loader decodes (" + String.join(", ", RECEIVABLE_TRANSFER_SYNTAXES) + ")"))),
                in.list("dicom.sop-classes-denied", s -> in.check("dicom.sop-classes-denied", s, UID.matcher(s).matches(), "a UID")),
                tlsListener(in),
                in.integer("dicom.max-connections-per-address", 1, 10_000),
                in.integer("dicom.max-pending-requests", 1, 100_000));
        if (dicom.transferSyntaxes().isEmpty()) in.problem("dicom.transfer-syntaxes must name at least one transfer syntax");
        if (dicom.sopClasses().isEmpty()) in.problem("dicom.sop-classes must name at least one SOP class, or * for every storage SOP class");
        if (dicom.sopClasses().contains(NodeConfig.Dicom.ANY_STORAGE_SOP_CLASS) && dicom.sopClasses().size() > 1) {
            in.problem("dicom.sop-classes must be * alone or a list of UIDs, was " + in.raw("dicom.sop-classes"));
        }
        var data = new NodeConfig.Data(Path.of(in.string("data.dir", s -> !s.isEmpty(), "a folder")).toAbsolutePath().normalize(),
                in.bool("data.fsync"), in.integer("data.min-free-mb", 0, Integer.MAX_VALUE) * 1024L * 1024L);
        String url = in.string("db.url", s -> s.isEmpty() || s.startsWith("jdbc:postgresql:"), "empty or a jdbc:postgresql: URL");
        var db = new NodeConfig.Db(url.isEmpty() ? Optional.empty() : Optional.of(url), in.raw("db.user"), in.raw("db.password"),
                in.integer("db.pool-size", 2, 1000));
        var series = new NodeConfig.Series(in.duration("series.quiet-seconds"), in.duration("series.release-grace-seconds"));
        var worker = new NodeConfig.Worker(in.integer("worker.count", 0, 256), in.duration("worker.lease-seconds"),
                in.integer("worker.max-attempts", 1, 1000), in.duration("worker.backoff-seconds"),
                in.duration("worker.backoff-max-seconds"), in.duration("worker.poll-seconds"));
        if (worker.lease().compareTo(Duration.ofSeconds(3)) < 0) in.problem("worker.lease-seconds must be at least 3, was " + in.raw("worker.lease-seconds"));

        double centre = in.number("overlay.window-center", -2000, 4000);
        double width = in.number("overlay.window-width", 1, 8000);
        CtWindow window = new CtWindow(centre, width);
        var inference = new NodeConfig.Inference(model(in), measurement(in), window, results(in, window));
        var send = new NodeConfig.Send(destinations(in, "send.destinations", in.raw("send.destinations")), in.bool("send.return-to-sender"),
                Optional.of(in.string("send.calling-ae-title", s -> s.isEmpty() || AE_TITLE.matcher(s).matches(), "empty or an AE title"))
                        .filter(s -> !s.isEmpty()),
                in.duration("send.connect-timeout-seconds"), in.duration("send.timeout-seconds"),
                in.integer("send.max-attempts", 1, 1000), in.duration("send.backoff-seconds"),
                in.number("send.backoff-factor", 1, 10), in.duration("send.backoff-max-seconds"),
                in.integer("send.count", 0, 64), in.duration("send.lease-seconds"));
        if (send.lease().compareTo(Duration.ofSeconds(3)) < 0) in.problem("send.lease-seconds must be at least 3, was " + in.raw("send.lease-seconds"));
        if (db.poolSize() < worker.count() + send.count() + 3) {
            in.problem("db.pool-size must be at least worker.count + send.count + 3 (" + (worker.count() + send.count() + 3) + "), was " + db.poolSize());
        }
        Optional<NodeConfig.WebTls> webTls = webTls(in);
        WebConfig webServer = web(in, data.dir());
        // HTTPS implies the Secure cookie and HSTS (the WebServer sees to it too); said here so the logged config is true
        if (webServer != null && webTls.isPresent()) webServer = webServer.withSecureCookie(true);
        var web = new NodeConfig.Web(webServer, in.integer("web.stow-max-mb", 1, 1_000_000) * 1024L * 1024L, webTls);
        double days = in.number("retention.days", 0, 36500);
        var retention = new NodeConfig.Retention(Duration.ofSeconds(Math.round(days * 86400)), in.duration("retention.check-seconds"),
                Duration.ofSeconds(Math.round(in.number("retention.unprocessed-minutes", 0, 525600) * 60)));
        var pipelines = PipelineReader.read(in.values(), (key, value) -> destinations(in, key, value), send.destinations(),
                shippedKeys, in::problem);
        return new NodeConfig(dicom, data, db, series, worker, inference, send, retention, web, pipelines, priors(in, dicom));
    }

    private static NodeConfig.Priors priors(Reading in, NodeConfig.Dicom dicom) {
        List<NodeConfig.Destination> source = destinations(in, "priors.source", in.raw("priors.source"));
        if (source.size() > 1) in.problem("priors.source must be one AE@host:port, one dicomweb:URL, or empty, was " + in.raw("priors.source"));
        if (source.stream().anyMatch(d -> d instanceof NodeConfig.AeDestination ae && ae.tls().isPresent())) {
            // the Q/R SCU (org.ctai.scp.priors) speaks plain DICOM only; a ;tls source would silently go out in the clear
            in.problem("priors.source must be a plain AE@host:port (query/retrieve over TLS is not supported yet; dicomweb:https://... is), was "
                    + in.raw("priors.source"));
        }
        Optional<NodeConfig.Priors.Retrieve> retrieve = NodeConfig.Priors.Retrieve.of(in.raw("priors.retrieve"));
        if (retrieve.isEmpty()) in.problem("priors.retrieve must be move or get, was " + in.raw("priors.retrieve"));
        try {
            NodeConfig.Priors priors = new NodeConfig.Priors(source.stream().findFirst(), in.integer("priors.max-studies", 1, 100),
                    in.integer("priors.max-years", 1, 100), in.bool("priors.send-results"), in.integer("priors.max-retrievals", 1, 16),
                    in.duration("priors.retry-seconds"), in.duration("priors.retry-max-seconds"), in.integer("priors.max-attempts", 1, 1000),
                    in.duration("priors.connect-timeout-seconds"), in.duration("priors.timeout-seconds"),
                    retrieve.orElse(NodeConfig.Priors.Retrieve.MOVE));
            if (priors.source().orElse(null) instanceof NodeConfig.WebDestination && priors.retrieve() == NodeConfig.Priors.Retrieve.GET) {
                in.problem("priors.retrieve=get is for a DICOM priors.source; a dicomweb: source retrieves by WADO-RS, was priors.source="
                        + priors.source().get());
            }
            if (priors.source().orElse(null) instanceof NodeConfig.AeDestination ae && priors.retrieve() == NodeConfig.Priors.Retrieve.MOVE
                    && !dicom.admitsCaller(ae.aeTitle())) {
                // the PACS stores the priors into the node as a C-STORE SCU, usually under the same AE title
                in.problem("priors.source " + priors.source().get() + ": its AE title must be in dicom.allowed-callers (the PACS sends "
                        + "the priors under it), was dicom.allowed-callers=" + in.raw("dicom.allowed-callers"));
            }
            return priors;
        } catch (IllegalArgumentException e) {
            in.problem(e.getMessage());
            return null;
        }
    }

    /** A comma-separated list of destinations as {@link #destination} reads each; a bad entry is a problem naming {@code key}. */
    private static List<NodeConfig.Destination> destinations(Reading in, String key, String value) {
        List<NodeConfig.Destination> out = new ArrayList<>();
        for (String s : value.split(",")) {
            s = s.trim();
            if (s.isEmpty()) continue;
            if (s.startsWith(NodeConfig.WebDestination.PREFIX)) {
                var d = DicomWebDestinations.read(key, s, in.env(), in::problem);
                d.filter(w -> !out.contains(w)).ifPresent(out::add);
                continue;
            }
            if (!DESTINATION.matcher(s.split(";")[0].trim()).matches()) {
                in.problem(key + " entry must be AE@host:port, was " + s + " (over TLS: AE@host:port;tls; DICOMweb: dicomweb:https://host/path)");
                continue;
            }
            var d = destination(in, s);
            if (d != null && !out.contains(d)) out.add(d);
        }
        return out;
    }

    /** {@code dicom.tls-*}: empty when {@code dicom.tls-port} is 0; files are read now, so a bad one stops start-up. */
    private static Optional<NodeConfig.TlsListener> tlsListener(Reading in) {
        int port = in.integer("dicom.tls-port", 0, 65535);
        DicomTls.ClientAuth auth = switch (in.raw("dicom.tls-client-auth")) {
            case "required" -> DicomTls.ClientAuth.REQUIRED;
            case "optional" -> DicomTls.ClientAuth.OPTIONAL;
            case "none" -> DicomTls.ClientAuth.NONE;
            default -> {
                in.problem("dicom.tls-client-auth must be required, optional or none, was " + in.raw("dicom.tls-client-auth"));
                yield DicomTls.ClientAuth.REQUIRED;
            }
        };
        if (port == 0) return Optional.empty();
        if (in.raw("dicom.port").equals(in.raw("dicom.tls-port"))) {
            in.problem("dicom.tls-port must differ from dicom.port, was " + port + " for both");
        }
        Optional<Path> cert = pemFile(in, "dicom.tls-cert", in.raw("dicom.tls-cert"), true);
        Optional<Path> key = pemFile(in, "dicom.tls-key", in.raw("dicom.tls-key"), true);
        Optional<Path> trusted = pemFile(in, "dicom.tls-trusted", in.raw("dicom.tls-trusted"), auth != DicomTls.ClientAuth.NONE);
        certificateAndKey(in, "dicom.tls-cert", cert, "dicom.tls-key", key);
        if (trusted.isPresent()) certificates(in, "dicom.tls-trusted", trusted.get());
        if (cert.isEmpty() || key.isEmpty() || (trusted.isEmpty() && auth != DicomTls.ClientAuth.NONE)) return Optional.empty();
        return Optional.of(new NodeConfig.TlsListener(port, cert.get(), key.get(), trusted, auth));
    }

    /**
     * One {@code send.destinations} entry: {@code AE@host:port}, optionally followed by {@code ;tls} and
     * {@code ;trusted=FILE}, {@code ;cert=FILE}, {@code ;key=FILE} (defaults {@code send.tls-trusted}, {@code send.tls-cert},
     * {@code send.tls-key}).
     */
    private static NodeConfig.Destination destination(Reading in, String written) {
        String[] parts = written.split(";");
        var m = DESTINATION.matcher(parts[0].trim());
        if (!m.matches() || Integer.parseInt(m.group(3)) < 1 || Integer.parseInt(m.group(3)) > 65535) {
            in.problem("send.destinations entry must be AE@host:port, was " + written + " (over TLS: AE@host:port;tls, optionally ;trusted=FILE;cert=FILE;key=FILE)");
            return null;
        }
        boolean tls = false;
        Map<String, String> options = new LinkedHashMap<>(Map.of("trusted", in.raw("send.tls-trusted"), "cert", in.raw("send.tls-cert"),
                "key", in.raw("send.tls-key")));
        for (int i = 1; i < parts.length; i++) {
            String option = parts[i].trim();
            int eq = option.indexOf('=');
            if (option.equals("tls")) {
                tls = true;
            } else if (eq > 0 && options.containsKey(option.substring(0, eq).trim())) {
                options.put(option.substring(0, eq).trim(), option.substring(eq + 1).trim());
            } else {
                in.problem("send.destinations entry " + parts[0].trim() + " has an unknown option " + option + " (known: tls, trusted=, cert=, key=)");
            }
        }
        var plain = new NodeConfig.AeDestination(m.group(1), m.group(2), Integer.parseInt(m.group(3)));
        if (!tls) {
            for (int i = 1; i < parts.length; i++) {
                if (!parts[i].isBlank()) in.problem("send.destinations entry " + plain + " sets " + parts[i].trim() + " but not ;tls");
            }
            return plain;
        }
        String where = "send.destinations " + plain;
        Optional<Path> trusted = pemFile(in, where + " trusted (or send.tls-trusted)", options.get("trusted"), true);
        Optional<Path> cert = pemFile(in, where + " cert (or send.tls-cert)", options.get("cert"), false);
        Optional<Path> key = pemFile(in, where + " key (or send.tls-key)", options.get("key"), false);
        if (cert.isPresent() != key.isPresent()) in.problem(where + " needs both cert= and key= for a client certificate, or neither");
        else certificateAndKey(in, where + " cert", cert, where + " key", key);
        trusted.ifPresent(t -> certificates(in, where + " trusted", t));
        return new NodeConfig.AeDestination(plain.aeTitle(), plain.host(), plain.port(),
                trusted.map(t -> new NodeConfig.TlsPeer(t, cert, key)));
    }

    /**
     * {@code web.tls-cert} and {@code web.tls-key}: both empty for plain HTTP, both set for HTTPS; the files are read now
     * (the key must be the certificate's), so a bad one stops start-up.
     */
    private static Optional<NodeConfig.WebTls> webTls(Reading in) {
        String certValue = in.raw("web.tls-cert");
        String keyValue = in.raw("web.tls-key");
        if (certValue.isEmpty() && keyValue.isEmpty()) return Optional.empty();
        if (certValue.isEmpty() || keyValue.isEmpty()) {
            String set = certValue.isEmpty() ? "web.tls-key" : "web.tls-cert";
            String missing = certValue.isEmpty() ? "web.tls-cert" : "web.tls-key";
            in.problem(missing + " must name a PEM file when " + set + " is set (HTTPS needs both, plain HTTP neither), was empty");
            return Optional.empty();
        }
        Optional<Path> cert = pemFile(in, "web.tls-cert", certValue, true);
        Optional<Path> key = pemFile(in, "web.tls-key", keyValue, true);
        int before = in.problems().size();
        certificateAndKey(in, "web.tls-cert", cert, "web.tls-key", key);
        if (cert.isEmpty() || key.isEmpty() || in.problems().size() > before) return Optional.empty();
        return Optional.of(new NodeConfig.WebTls(cert.get(), key.get()));
    }

    /** A readable file named by {@code key}, or empty (a problem if {@code required}). */
    private static Optional<Path> pemFile(Reading in, String key, String value, boolean required) {
        if (value.isEmpty()) {
            if (required) in.problem(key + " must name a PEM file, was empty");
            return Optional.empty();
        }
        Path p = Path.of(value).toAbsolutePath().normalize();
        if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
            in.problem(key + " must name a readable PEM file, was " + value);
            return Optional.empty();
        }
        return Optional.of(p);
    }

    private static void certificates(Reading in, String key, Path file) {
        try {
            PemFiles.certificates(file);
        } catch (IOException | GeneralSecurityException e) {
            in.problem(key + " must hold PEM certificates, was " + file + ": " + e.getMessage());
        }
    }

    /** Both parse, and the key is the certificate's (messages never show key material). */
    private static void certificateAndKey(Reading in, String certKey, Optional<Path> cert, String keyKey, Optional<Path> key) {
        X509Certificate leaf = null;
        PrivateKey privateKey = null;
        if (cert.isPresent()) {
            try {
                leaf = PemFiles.certificates(cert.get()).get(0);
            } catch (IOException | GeneralSecurityException e) {
                in.problem(certKey + " must hold a PEM certificate, was " + cert.get() + ": " + e.getMessage());
            }
        }
        if (key.isPresent()) {
            try {
                privateKey = PemFiles.privateKey(key.get());
            } catch (IOException | GeneralSecurityException e) {
                in.problem(keyKey + " must hold an unencrypted PEM private key (BEGIN PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY), was "
                        + key.get() + ": " + e.getMessage());
            }
        }
        if (leaf != null && privateKey != null && !PemFiles.matches(privateKey, leaf)) {
            in.problem(keyKey + " must be the private key of the certificate in " + certKey + ", was " + key.get() + " (it belongs to another certificate)");
        }
    }

    private static ModelConfig model(Reading in) {
        Map<String, String> keys = new LinkedHashMap<>();
        in.values().forEach((k, v) -> {
            if (k.startsWith("model.")) keys.put(k, v);
        });
        try {
            return ModelConfig.fromProperties(keys);
        } catch (ModelSpecException e) {
            e.problems().forEach(in::problem);
            return ModelConfig.defaults();
        }
    }

    private static WebConfig web(Reading in, Path dataDir) {
        String auth = in.raw("web.auth");
        if (!auth.equals("on") && !auth.equals("off")) in.problem("web.auth must be on or off, was " + auth);
        try {
            return new WebConfig(in.string("web.bind", s -> !s.isEmpty(), "an address"), in.integer("web.port", 0, 65535),
                    WebConfig.parseUsers(in.raw("web.users")), !auth.equals("off"), in.bool("web.secure-cookie"), dataDir,
                    WebConfig.parsePublicPaths(in.raw("web.public-paths")), Duration.ofMinutes(in.integer("web.session-minutes", 1, 100_000)));
        } catch (IllegalArgumentException e) {
            in.problem(e.getMessage());
            return null;
        }
    }

    private static ResultOptions results(Reading in, CtWindow window) {
        try {
            return new ResultOptions(in.integer("results.seg-series-number", 0, Integer.MAX_VALUE), in.raw("results.seg-series-description"),
                    in.integer("results.sr-series-number", 0, Integer.MAX_VALUE), in.raw("results.sr-series-description"),
                    in.integer("results.overlay-series-number", 0, Integer.MAX_VALUE), in.raw("results.overlay-series-description"),
                    in.bool("results.overlays"), window, in.raw("results.device-serial-number"));
        } catch (IllegalArgumentException e) {
            in.problem(e.getMessage());
            return ResultOptions.defaults();
        }
    }

    private static MeasurementSettings measurement(Reading in) {
        double minArea;
        try {
            minArea = Double.parseDouble(in.raw("measure.min-component-area-mm2"));
            if (!(minArea >= 0) || Double.isInfinite(minArea)) throw new NumberFormatException();
        } catch (NumberFormatException e) {
            in.problem("measure.min-component-area-mm2 must be a number of mm2 >= 0, was " + in.raw("measure.min-component-area-mm2"));
            minArea = MeasurementSettings.DEFAULT_MIN_COMPONENT_AREA_MM2;
        }
        MeasurementSettings.Connectivity connectivity = switch (in.raw("measure.connectivity")) {
            case "26" -> MeasurementSettings.Connectivity.FULL_26;
            case "6" -> MeasurementSettings.Connectivity.FACE_6;
            default -> {
                in.problem("measure.connectivity must be 26 or 6, was " + in.raw("measure.connectivity"));
                yield MeasurementSettings.DEFAULT_CONNECTIVITY;
            }
        };
        double grayBin = positive(in, "measure.glgcm-bin-width-hu", "HU", MeasurementSettings.DEFAULT_GLGCM_BIN_WIDTH_HU);
        double gradientBin = positive(in, "measure.glgcm-gradient-bin-width-hu-per-mm", "HU/mm",
                MeasurementSettings.DEFAULT_GLGCM_GRADIENT_BIN_WIDTH_HU_PER_MM);
        return MeasurementSettings.DEFAULTS.withMinComponentAreaMm2(minArea).withConnectivity(connectivity)
                .withGlgcmBinWidths(grayBin, gradientBin);
    }

    private static double positive(Reading in, String key, String unit, double fallback) {
        try {
            double v = Double.parseDouble(in.raw(key));
            if (!(v > 0) || Double.isInfinite(v)) throw new NumberFormatException();
            return v;
        } catch (NumberFormatException e) {
            in.problem(key + " must be a number of " + unit + " > 0, was " + in.raw(key));
            return fallback;
        }
    }

    /**
     * Typed reads that record a problem naming the key and the bad value instead of throwing.
     *
     * @param env the process environment, for the secrets DICOMweb destinations name ({@code ;auth=basic:VAR})
     */
    private record Reading(Map<String, String> values, List<String> problems, Map<String, String> env) {
        String raw(String key) { return values.getOrDefault(key, ""); }

        void problem(String p) { problems.add(p); }

        String check(String key, String value, boolean ok, String expected) {
            if (!ok) problem(key + " must be " + expected + ", was " + value);
            return value;
        }

        String string(String key, java.util.function.Predicate<String> ok, String expected) {
            return check(key, raw(key), ok.test(raw(key)), expected);
        }

        int integer(String key, int min, int max) {
            try {
                int v = Integer.parseInt(raw(key));
                if (v >= min && v <= max) return v;
            } catch (NumberFormatException ignored) {
                // reported below with the value
            }
            problem(key + " must be a whole number from " + min + " to " + max + ", was " + raw(key));
            return min;
        }

        double number(String key, double min, double max) {
            try {
                double v = Double.parseDouble(raw(key));
                if (v >= min && v <= max) return v;
            } catch (NumberFormatException ignored) {
                // reported below with the value
            }
            problem(key + " must be a number from " + min + " to " + max + ", was " + raw(key));
            return Math.max(min, 1);
        }

        boolean bool(String key) {
            String v = raw(key).toLowerCase(Locale.ROOT);
            if (v.equals("true") || v.equals("false")) return Boolean.parseBoolean(v);
            problem(key + " must be true or false, was " + raw(key));
            return false;
        }

        Duration duration(String key) {
            try {
                double seconds = Double.parseDouble(raw(key));
                if (seconds >= 0 && seconds < 1e9) return Duration.ofNanos(Math.round(seconds * 1e9));
            } catch (NumberFormatException ignored) {
                // reported below with the value
            }
            problem(key + " must be a number of seconds >= 0, was " + raw(key));
            return Duration.ZERO;
        }

        <T> Set<T> list(String key, Function<String, T> item) {
            Set<T> out = new LinkedHashSet<>();
            Arrays.stream(raw(key).split(",")).map(String::trim).filter(s -> !s.isEmpty()).map(item)
                    .filter(java.util.Objects::nonNull).forEach(out::add);
            return out;
        }
    }
}
