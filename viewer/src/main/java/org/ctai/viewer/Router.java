package org.ctai.viewer;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every request passes here (on a worker thread, blocking mode): security headers, then public routes (login,
 * static files, and {@code /healthz} / {@code /metrics} when public), then the session check (pages redirect
 * to the login page, the API answers 401), then CSRF and role checks for POSTs, then the page or API handler.
 * GET never changes state; every state change is a POST. Thread-safe.
 */
final class Router implements HttpHandler {
    private static final Logger log = LoggerFactory.getLogger(Router.class);
    /**
     * Scripts only from this server, no inline script or eval. Inline styles are allowed because ECharts
     * positions its tooltip and data view with style attributes; no data is ever written as markup.
     */
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
            + "connect-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    private final WebConfig config;
    private final Sessions sessions;
    private final Logins logins;
    private final StaticFiles files;
    private final ApiHandlers api;
    private final Sessions.Session anonymous;
    private final String cookieName;
    /** STOW-RS, or null when the node gives no receiver (then /dicomweb is 404). */
    private final StowHandler stow;

    Router(WebConfig config, Sessions sessions, Logins logins, StaticFiles files, ApiHandlers api) {
        this(config, sessions, logins, files, api, null);
    }

    Router(WebConfig config, Sessions sessions, Logins logins, StaticFiles files, ApiHandlers api, StowHandler stow) {
        this.stow = stow;
        this.config = config;
        this.sessions = sessions;
        this.logins = logins;
        this.files = files;
        this.api = api;
        // with web.auth=off everybody is this admin; its CSRF token still guards POSTs against other sites
        this.anonymous = new Sessions.Session("", "anonymous", WebConfig.Role.ADMIN, Sessions.randomToken(), java.time.Instant.MAX);
        // __Host- binds the cookie to this host and path / (browsers accept it only with Secure)
        this.cookieName = config.secureCookie() ? "__Host-ctai_session" : "ctai_session";
    }

    @Override
    public void handleRequest(HttpServerExchange ex) throws Exception {
        securityHeaders(ex);
        if (!ex.getRequestPath().startsWith(STOW_PATH)) {
            if (ex.getRequestContentLength() > WebServer.MAX_REQUEST_BYTES) {
                Exchanges.error(ex, 413, "request body larger than " + WebServer.MAX_REQUEST_BYTES + " bytes");
                return;
            }
            ex.setMaxEntitySize(WebServer.MAX_REQUEST_BYTES);
        }
        try {
            route(ex);
        } catch (IllegalArgumentException e) {
            Exchanges.error(ex, 400, e.getMessage());
        } catch (java.sql.SQLException e) {
            log.error("request {} {} failed on the database: {} (SQLState {})", ex.getRequestMethod(), ex.getRequestPath(), e.getMessage(), e.getSQLState());
            if (!ex.isResponseStarted()) Exchanges.error(ex, 503, "database unavailable");
        }
    }

    private void route(HttpServerExchange ex) throws Exception {
        String path = ex.getRequestPath();
        HttpString method = ex.getRequestMethod();
        boolean get = method.equals(Methods.GET) || method.equals(Methods.HEAD);
        boolean post = method.equals(Methods.POST);
        if (!get && !post) {
            ex.getResponseHeaders().put(Headers.ALLOW, "GET, HEAD, POST");
            Exchanges.error(ex, 405, "method not allowed");
            return;
        }
        if (post && !sameOrigin(ex)) {
            Exchanges.error(ex, 403, "cross-site request refused");
            return;
        }
        if (path.equals(STOW_PATH) || path.startsWith(STOW_PATH + "/")) {
            stow(ex, path, post);
            return;
        }
        // public routes
        if (path.startsWith("/static/")) {
            if (!get || !files.serve(ex, path.substring("/static/".length()))) notFound(ex);
            return;
        }
        switch (path) {
            case "/login" -> {
                if (get) files.page(ex, "login");
                else formLogin(ex);
                return;
            }
            case "/api/login" -> {
                if (post) jsonLogin(ex);
                else methodNotAllowed(ex, "POST");
                return;
            }
            case "/healthz", "/metrics" -> {
                if (config.publicPaths().contains(path)) {
                    if (get) api.operations(ex, path);
                    else methodNotAllowed(ex, "GET");
                    return;
                }
            }
            default -> { }
        }

        Optional<Sessions.Session> session = config.auth() ? sessions.find(Exchanges.cookie(ex, cookieName)) : Optional.of(anonymous);
        boolean apiPath = path.startsWith("/api/") || path.equals("/healthz") || path.equals("/metrics");
        if (session.isEmpty()) {
            if (apiPath || post) Exchanges.error(ex, 401, "login required");
            else {
                String query = ex.getQueryString();
                String next = path + (query == null || query.isEmpty() ? "" : "?" + query);
                Exchanges.redirect(ex, 302, "/login?next=" + URLEncoder.encode(next, StandardCharsets.UTF_8));
            }
            return;
        }
        Sessions.Session s = session.get();
        if (post) {
            Map<String, String> form = path.equals("/logout") ? Exchanges.form(ex) : Map.of();
            String token = ex.getRequestHeaders().getFirst(Exchanges.CSRF_HEADER);
            if (token == null) token = form.get("csrf");
            if (token == null || !MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8), s.csrfToken.getBytes(StandardCharsets.UTF_8))) {
                Exchanges.error(ex, 403, "missing or wrong CSRF token");
                return;
            }
            switch (path) {
                case "/logout" -> {
                    sessions.remove(s.id);
                    clearCookie(ex);
                    Exchanges.redirect(ex, 303, "/login");
                }
                case "/api/logout" -> {
                    sessions.remove(s.id);
                    clearCookie(ex);
                    ex.setStatusCode(204);
                    ex.endExchange();
                }
                default -> {
                    if (!api.post(ex, path, s)) notFound(ex);
                }
            }
            return;
        }
        switch (path) {
            case "/", "/worklist" -> files.page(ex, "worklist");
            case "/patient" -> files.page(ex, "patient");
            case "/study" -> files.page(ex, "study");
            case "/api/me" -> me(ex, s);
            case "/api/job-states" -> jobStates(ex);
            case "/healthz", "/metrics" -> api.operations(ex, path);
            default -> {
                if (!api.get(ex, path)) notFound(ex);
            }
        }
    }

    /** The job states as JobState owns them: the worklist builds its filter, labels, reasons and retry button from this. */
    private static void jobStates(HttpServerExchange ex) throws IOException {
        com.fasterxml.jackson.databind.node.ArrayNode states = HistoryStore.JSON.createArrayNode();
        for (JobState state : JobState.values()) {
            ObjectNode o = states.addObject();
            o.put("state", state.word());
            o.put("en", state.english());
            o.put("zh", state.chinese());
            o.put("terminal", state.terminal());
            o.put("retryable", state.retryable());
            o.put("hasReason", state.hasReason());
            o.put("withoutResult", state.withoutResult());
        }
        Exchanges.json(ex, 200, states);
    }

    private void me(HttpServerExchange ex, Sessions.Session s) throws IOException {
        ObjectNode me = HistoryStore.JSON.createObjectNode();
        me.put("user", s.user);
        me.put("role", s.role.name().toLowerCase(java.util.Locale.ROOT));
        me.put("csrfToken", s.csrfToken);
        me.put("auth", config.auth());
        me.put("language", StaticFiles.language(ex));
        Exchanges.json(ex, 200, me);
    }

    private void formLogin(HttpServerExchange ex) throws IOException {
        Map<String, String> form = Exchanges.form(ex);
        String next = safeNext(form.get("next"));
        if (!config.auth()) {
            Exchanges.redirect(ex, 303, next);
            return;
        }
        Logins.Attempt a = logins.login(form.get("user"), form.get("password"), Exchanges.clientAddress(ex));
        if (a.session().isPresent()) {
            setCookie(ex, a.session().get());
            Exchanges.redirect(ex, 303, next);
        } else {
            String error = a.throttled() ? "throttled" : "invalid";
            Exchanges.redirect(ex, 303, "/login?error=" + error + "&next=" + URLEncoder.encode(next, StandardCharsets.UTF_8));
        }
    }

    private void jsonLogin(HttpServerExchange ex) throws IOException {
        Map<String, String> form = Exchanges.form(ex);
        if (!config.auth()) {
            Exchanges.error(ex, 400, "login is off (web.auth=off)");
            return;
        }
        Logins.Attempt a = logins.login(form.get("user"), form.get("password"), Exchanges.clientAddress(ex));
        if (a.session().isPresent()) {
            Sessions.Session s = a.session().get();
            setCookie(ex, s);
            ObjectNode body = HistoryStore.JSON.createObjectNode();
            body.put("user", s.user);
            body.put("role", s.role.name().toLowerCase(java.util.Locale.ROOT));
            body.put("csrfToken", s.csrfToken);
            Exchanges.json(ex, 200, body);
        } else if (a.throttled()) {
            ex.getResponseHeaders().put(Headers.RETRY_AFTER, Long.toString(Math.max(1, a.retryAfter().toSeconds())));
            Exchanges.error(ex, 429, "too many failed logins; try again later");
        } else {
            Exchanges.error(ex, 401, "wrong user name or password");
        }
    }

    private void setCookie(HttpServerExchange ex, Sessions.Session s) {
        ex.getResponseHeaders().add(Headers.SET_COOKIE, cookieName + "=" + s.id + "; Path=/; HttpOnly; SameSite=Strict"
                + (config.secureCookie() ? "; Secure" : ""));
    }

    private void clearCookie(HttpServerExchange ex) {
        ex.getResponseHeaders().add(Headers.SET_COOKIE, cookieName + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict"
                + (config.secureCookie() ? "; Secure" : ""));
    }

    private void securityHeaders(HttpServerExchange ex) {
        var h = ex.getResponseHeaders();
        h.put(new HttpString("Content-Security-Policy"), CSP);
        h.put(new HttpString("X-Content-Type-Options"), "nosniff");
        h.put(new HttpString("X-Frame-Options"), "DENY");
        // same-origin, not no-referrer: with no-referrer browsers send "Origin: null" on our own form posts
        h.put(new HttpString("Referrer-Policy"), "same-origin");
        h.put(new HttpString("Cross-Origin-Opener-Policy"), "same-origin");
        if (config.secureCookie()) h.put(Headers.STRICT_TRANSPORT_SECURITY, "max-age=31536000");
    }

    /**
     * A POST must come from our own pages. Browsers say where a request comes from: Sec-Fetch-Site must be
     * same-origin (or none: typed by the user); without it, an Origin header must name this host. Clients that
     * send neither (curl, scripts) pass on to the CSRF token check.
     */
    static final String STOW_PATH = "/dicomweb/studies";

    /**
     * STOW-RS: HTTP Basic for a user of role sender, never the page's cookie (a script on another site cannot post
     * instances with a user's session); with web.auth=off nobody is asked.
     */
    private void stow(HttpServerExchange ex, String path, boolean post) throws IOException {
        String rest = path.substring(STOW_PATH.length());
        if (stow == null || rest.indexOf('/', 1) >= 0 || rest.equals("/")) {
            notFound(ex);
            return;
        }
        if (!post) {
            methodNotAllowed(ex, "POST");
            return;
        }
        String user = "anonymous";
        if (config.auth()) {
            Optional<WebConfig.User> u = basicUser(ex);
            if (u.isEmpty()) {
                ex.getResponseHeaders().put(Headers.WWW_AUTHENTICATE, "Basic realm=\"CTAI STOW-RS\", charset=\"UTF-8\"");
                ex.getResponseHeaders().add(Headers.WWW_AUTHENTICATE, "Bearer realm=\"CTAI STOW-RS\"");
                Exchanges.error(ex, 401, "authentication required: HTTP Basic (or a bearer token) of a web user with role sender");
                return;
            }
            if (u.get().role() != WebConfig.Role.SENDER) {
                Exchanges.error(ex, 403, "user " + u.get().name() + " may not post instances (role sender needed)");
                return;
            }
            user = u.get().name();
        }
        stow.handle(ex, rest.isEmpty() ? Optional.empty() : Optional.of(rest.substring(1)), user);
    }

    /** HTTP Basic, or a bearer token (a sender's password, {@link Logins#checkBearer}). */
    private Optional<WebConfig.User> basicUser(HttpServerExchange ex) {
        String auth = ex.getRequestHeaders().getFirst(Headers.AUTHORIZATION);
        if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return logins.checkBearer(auth.substring(7).trim(), Exchanges.clientAddress(ex));
        }
        if (auth == null || !auth.regionMatches(true, 0, "Basic ", 0, 6)) return Optional.empty();
        String decoded;
        try {
            decoded = new String(java.util.Base64.getDecoder().decode(auth.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) return Optional.empty();
        return logins.checkRepeated(decoded.substring(0, colon), decoded.substring(colon + 1), Exchanges.clientAddress(ex));
    }

    private static boolean sameOrigin(HttpServerExchange ex) {
        String site = ex.getRequestHeaders().getFirst(new HttpString("Sec-Fetch-Site"));
        if (site != null) return site.equalsIgnoreCase("same-origin") || site.equalsIgnoreCase("none");
        String origin = ex.getRequestHeaders().getFirst(Headers.ORIGIN);
        if (origin == null) return true;
        String host = ex.getRequestHeaders().getFirst(Headers.HOST);
        try {
            String authority = URI.create(origin).getRawAuthority();
            return authority != null && authority.equalsIgnoreCase(host);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Where to go after login: a local path only (no scheme, no //host), else the worklist. */
    static String safeNext(String next) {
        if (next == null || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")
                || !next.matches("/[A-Za-z0-9/_?=&%.+~-]*") || next.startsWith("/login") || next.startsWith("/api/")) return "/";
        return next;
    }

    private static void notFound(HttpServerExchange ex) throws IOException {
        Exchanges.error(ex, 404, "not found");
    }

    private static void methodNotAllowed(HttpServerExchange ex, String allow) throws IOException {
        ex.getResponseHeaders().put(Headers.ALLOW, allow);
        Exchanges.error(ex, 405, "method not allowed");
    }
}
