package org.ctai.viewer;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The page's files, read from the classpath once at start into memory. A request names a file from this fixed
 * list or gets 404: no request path reaches the classpath or the file system. HTML pages carry one placeholder,
 * {@code {{lang}}}, replaced by one of {@link #LANGUAGES} (never by request text). Thread-safe (immutable).
 */
final class StaticFiles {
    static final List<String> LANGUAGES = List.of("en", "zh-CN");
    static final String LANG_COOKIE = "ctai_lang";
    private static final String ROOT = "org/ctai/viewer/web/";
    private static final String ECHARTS = "META-INF/resources/webjars/echarts/5.3.1/dist/echarts.min.js";
    private static final List<String> FILES = List.of("app.css", "i18n.js", "common.js", "login.js", "worklist.js",
            "patient.js", "study.js");
    private static final List<String> PAGES = List.of("login", "worklist", "patient", "study");

    private record Asset(byte[] bytes, String type, String etag) { }

    private final Map<String, Asset> files = new TreeMap<>();
    private final Map<String, String> pages = new TreeMap<>();

    StaticFiles() {
        for (String f : FILES) files.put(f, asset(read(ROOT + f), type(f)));
        files.put("echarts.min.js", asset(read(ECHARTS), "text/javascript; charset=utf-8"));
        for (String p : PAGES) pages.put(p, new String(read(ROOT + p + ".html"), StandardCharsets.UTF_8));
    }

    /** Serves {@code /static/NAME}; false when there is no such file. */
    boolean serve(HttpServerExchange ex, String name) throws IOException {
        Asset a = files.get(name);
        if (a == null) return false;
        ex.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-cache");
        ex.getResponseHeaders().put(Headers.ETAG, a.etag);
        if (a.etag.equals(ex.getRequestHeaders().getFirst(Headers.IF_NONE_MATCH))) {
            ex.setStatusCode(304);
            ex.endExchange();
            return true;
        }
        ex.getResponseHeaders().put(Headers.CONTENT_TYPE, a.type);
        ex.setResponseContentLength(a.bytes.length);
        ex.getOutputStream().write(a.bytes);
        return true;
    }

    /** Serves one of the HTML pages in the request's language. */
    void page(HttpServerExchange ex, String page) throws IOException {
        byte[] html = pages.get(page).replace("{{lang}}", language(ex)).getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/html; charset=utf-8");
        ex.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
        ex.setResponseContentLength(html.length);
        ex.getOutputStream().write(html);
    }

    /** The language chosen with the page's switch (cookie), else the first supported one of Accept-Language, else English. */
    static String language(HttpServerExchange ex) {
        String chosen = Exchanges.cookie(ex, LANG_COOKIE);
        if (chosen != null && LANGUAGES.contains(chosen)) return chosen;
        return fromAcceptLanguage(ex.getRequestHeaders().getFirst(Headers.ACCEPT_LANGUAGE));
    }

    static String fromAcceptLanguage(String header) {
        if (header == null) return "en";
        String best = "en";
        double bestQ = -1;
        for (String part : header.split(",")) {
            String[] f = part.trim().split(";");
            String tag = f[0].trim().toLowerCase(Locale.ROOT);
            double q = 1.0;
            for (int i = 1; i < f.length; i++) {
                String p = f[i].trim();
                if (p.startsWith("q=")) {
                    try {
                        q = Double.parseDouble(p.substring(2));
                    } catch (NumberFormatException e) {
                        q = 0;
                    }
                }
            }
            String lang = tag.startsWith("zh") ? "zh-CN" : tag.startsWith("en") ? "en" : null;
            if (lang != null && q > bestQ) {
                best = lang;
                bestQ = q;
            }
        }
        return best;
    }

    private static Asset asset(byte[] bytes, String type) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(bytes);
            return new Asset(bytes, type, "\"" + HexFormat.of().formatHex(d, 0, 12) + "\"");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    private static String type(String name) {
        if (name.endsWith(".js")) return "text/javascript; charset=utf-8";
        if (name.endsWith(".css")) return "text/css; charset=utf-8";
        return "application/octet-stream";
    }

    private static byte[] read(String resource) {
        try (InputStream in = StaticFiles.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException("the viewer jar lacks " + resource);
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource + " from the classpath", e);
        }
    }
}
