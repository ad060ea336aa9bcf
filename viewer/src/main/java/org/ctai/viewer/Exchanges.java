package org.ctai.viewer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.Cookie;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** Small response and request helpers shared by the handlers. Stateless. */
final class Exchanges {
    static final int MAX_FORM_BYTES = 16 * 1024;
    static final HttpString CSRF_HEADER = new HttpString("X-CSRF-Token");

    private Exchanges() {
    }

    static void json(HttpServerExchange ex, int status, JsonNode body) throws IOException {
        ex.setStatusCode(status);
        ex.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json; charset=utf-8");
        ex.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
        byte[] bytes = HistoryStore.JSON.writeValueAsBytes(body);
        ex.setResponseContentLength(bytes.length);
        ex.getOutputStream().write(bytes);
    }

    static void error(HttpServerExchange ex, int status, String message) throws IOException {
        ObjectNode body = HistoryStore.JSON.createObjectNode();
        body.put("error", message);
        json(ex, status, body);
    }

    static void redirect(HttpServerExchange ex, int status, String location) {
        ex.setStatusCode(status);
        ex.getResponseHeaders().put(Headers.LOCATION, location);
        ex.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
        ex.endExchange();
    }

    static String query(HttpServerExchange ex, String name) {
        var values = ex.getQueryParameters().get(name);
        if (values == null || values.isEmpty()) return null;
        return values.getFirst();
    }

    static String cookie(HttpServerExchange ex, String name) {
        Cookie c = ex.getRequestCookie(name);
        return c == null ? null : c.getValue();
    }

    /** The request's address, for login throttling (the direct peer: a proxy in front counts as one address). */
    static String clientAddress(HttpServerExchange ex) {
        var a = ex.getSourceAddress();
        return a == null || a.getAddress() == null ? "unknown" : a.getAddress().getHostAddress();
    }

    /** An application/x-www-form-urlencoded body (at most {@link #MAX_FORM_BYTES}), or the fields of a JSON object body. */
    static Map<String, String> form(HttpServerExchange ex) throws IOException {
        byte[] body;
        try (InputStream in = ex.getInputStream()) {
            body = in.readNBytes(MAX_FORM_BYTES + 1);
        }
        if (body.length > MAX_FORM_BYTES) throw new IllegalArgumentException("request body larger than " + MAX_FORM_BYTES + " bytes");
        Map<String, String> out = new HashMap<>();
        String type = ex.getRequestHeaders().getFirst(Headers.CONTENT_TYPE);
        if (type != null && type.startsWith("application/json")) {
            JsonNode node = HistoryStore.JSON.readTree(body);
            if (node != null && node.isObject()) node.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
            return out;
        }
        String text = new String(body, StandardCharsets.UTF_8);
        for (String pair : text.split("&")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.putIfAbsent(k, v);
        }
        return out;
    }

    /** A positive id made only of digits (at most 18), or -1. */
    static long id(String text) {
        if (text == null || !text.matches("\\d{1,18}")) return -1;
        return Long.parseLong(text);
    }
}
