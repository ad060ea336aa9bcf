package org.ctai.scp;

import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

/** The node's web API as a logged-in test user sees it. */
final class Web {
    private Web() {
    }

    /** Logs in as {@link TestNodes#WEB_USER} and returns the body of {@code GET path}, failing on any status but 200. */
    static String get(Node node, String path) throws Exception {
        String base = "http://127.0.0.1:" + node.webPort();
        HttpClient http = HttpClient.newBuilder().cookieHandler(new CookieManager()).build();
        String form = "user=" + TestNodes.WEB_USER + "&password=" + URLEncoder.encode(TestNodes.WEB_PASSWORD, StandardCharsets.UTF_8);
        HttpResponse<String> login = http.send(HttpRequest.newBuilder(URI.create(base + "/api/login"))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (login.statusCode() != 200) throw new AssertionError("login: " + login.statusCode() + " " + login.body());
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) throw new AssertionError("GET " + path + ": " + r.statusCode() + " " + r.body());
        return r.body();
    }
}
