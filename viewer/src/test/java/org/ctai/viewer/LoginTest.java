package org.ctai.viewer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Logging in and out, the session cookie, throttling and web.auth=off; each case on its own server. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LoginTest {
    private Clinic clinic;

    @BeforeAll
    void start() throws Exception {
        clinic = new Clinic();
    }

    @AfterAll
    void stop() throws Exception {
        clinic.close();
    }

    @Test
    void sessionCookieIsHttpOnlyAndSameSiteStrict() throws Exception {
        try (WebServer server = TestServers.start(clinic)) {
            Http http = new Http(server.port());
            HttpResponse<String> r = http.login(TestServers.ADMIN, TestServers.ADMIN_PASSWORD);
            assertThat(r.statusCode()).isEqualTo(200);
            String cookie = r.headers().firstValue("Set-Cookie").orElseThrow();
            assertThat(cookie).startsWith("ctai_session=").contains("; HttpOnly", "; SameSite=Strict", "; Path=/").doesNotContain("Secure");
            assertThat(Http.json(http.get("/api/me")).get("role").asText()).isEqualTo("admin");
        }
    }

    @Test
    void behindTlsTheCookieIsSecureAndHostBound() throws Exception {
        WebConfig base = TestServers.config(clinic.dataDir);
        WebConfig tls = new WebConfig(base.bind(), 0, base.users(), true, true, base.dataDir(), base.publicPaths(), base.sessionTimeout());
        try (WebServer server = TestServers.start(clinic, tls, NodeStatus.of(true, "CPU"))) {
            HttpResponse<String> r = new Http(server.port()).login(TestServers.VIEWER, TestServers.VIEWER_PASSWORD);
            assertThat(r.headers().firstValue("Set-Cookie").orElseThrow()).startsWith("__Host-ctai_session=").contains("; Secure", "; HttpOnly");
            assertThat(r.headers().firstValue("Strict-Transport-Security")).isPresent();
        }
    }

    @Test
    void wrongPasswordsAreRefusedAndThenThrottled() throws Exception {
        try (WebServer server = TestServers.start(clinic)) {
            Http http = new Http(server.port());
            assertThat(http.login(TestServers.ADMIN, "guess").statusCode()).isEqualTo(401);
            assertThat(http.login("mallory", "guess").statusCode()).isEqualTo(401);
            for (int i = 0; i < LoginThrottle.FREE_FAILURES - 2; i++) assertThat(http.login(TestServers.ADMIN, "guess " + i).statusCode()).isEqualTo(401);
            HttpResponse<String> locked = http.login(TestServers.ADMIN, TestServers.ADMIN_PASSWORD);
            assertThat(locked.statusCode()).isEqualTo(429);
            assertThat(locked.headers().firstValue("Retry-After")).isPresent();
            assertThat(http.cookie).isNull();
            // the form login says so too, and from the same address another user is locked out as well
            HttpResponse<String> form = http.post("/login", "application/x-www-form-urlencoded",
                    "user=" + TestServers.VIEWER + "&password=" + TestServers.VIEWER_PASSWORD.replace(" ", "+") + "&next=%2F");
            assertThat(form.headers().firstValue("Location").orElseThrow()).startsWith("/login?error=throttled");
        }
    }

    @Test
    void throttleLocksForLongerAfterEachFurtherFailureAndForgetsAfterSuccess() {
        AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2024-01-01T00:00:00Z"));
        LoginThrottle t = new LoginThrottle(now::get);
        for (int i = 0; i < LoginThrottle.FREE_FAILURES; i++) t.failed("alice", "10.0.0.1");
        assertThat(t.waitFor("alice", "10.0.0.9")).isEqualTo(LoginThrottle.FIRST_LOCK);
        assertThat(t.waitFor("bob", "10.0.0.1")).isEqualTo(LoginThrottle.FIRST_LOCK);
        assertThat(t.waitFor("bob", "10.0.0.2")).isZero();
        now.set(now.get().plus(LoginThrottle.FIRST_LOCK));
        assertThat(t.waitFor("alice", "10.0.0.1")).isZero();
        t.failed("alice", "10.0.0.1");
        assertThat(t.waitFor("alice", "10.0.0.1")).isEqualTo(LoginThrottle.FIRST_LOCK.multipliedBy(2));
        t.succeeded("alice", "10.0.0.1");
        assertThat(t.waitFor("alice", "10.0.0.1")).isZero();
    }

    @Test
    void formLoginRedirectsOnlyToLocalPages() throws Exception {
        try (WebServer server = TestServers.start(clinic)) {
            Http http = new Http(server.port());
            String pw = TestServers.VIEWER_PASSWORD.replace(" ", "+");
            HttpResponse<String> ok = http.post("/login", "application/x-www-form-urlencoded",
                    "user=victor&password=" + pw + "&next=%2Fpatient%3Fid%3DP-1001%26issuer%3DHOSP");
            assertThat(ok.statusCode()).isEqualTo(303);
            assertThat(ok.headers().firstValue("Location")).hasValue("/patient?id=P-1001&issuer=HOSP");
            for (String evil : List.of("https%3A%2F%2Fevil.example%2F", "%2F%2Fevil.example", "%2F%5Cevil.example", "javascript%3Aalert(1)")) {
                HttpResponse<String> r = http.post("/login", "application/x-www-form-urlencoded", "user=victor&password=" + pw + "&next=" + evil);
                assertThat(r.headers().firstValue("Location")).as(evil).hasValue("/");
            }
            HttpResponse<String> bad = http.post("/login", "application/x-www-form-urlencoded", "user=victor&password=nope&next=%2F");
            assertThat(bad.headers().firstValue("Location").orElseThrow()).startsWith("/login?error=invalid");
        }
    }

    @Test
    void logoutEndsTheSession() throws Exception {
        try (WebServer server = TestServers.start(clinic)) {
            Http http = new Http(server.port());
            http.login(TestServers.VIEWER, TestServers.VIEWER_PASSWORD);
            assertThat(http.get("/api/me").statusCode()).isEqualTo(200);
            assertThat(http.post("/api/logout", null, "").statusCode()).isEqualTo(403); // no CSRF token
            HttpResponse<String> out = http.post("/logout", "application/x-www-form-urlencoded", "csrf=" + http.csrf);
            assertThat(out.statusCode()).isEqualTo(303);
            assertThat(out.headers().firstValue("Set-Cookie").orElseThrow()).contains("Max-Age=0");
            assertThat(http.get("/api/me").statusCode()).isEqualTo(401);
        }
    }

    @Test
    void sessionsEndAfterTheIdleTimeout() {
        AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2024-01-01T00:00:00Z"));
        Sessions sessions = new Sessions(Duration.ofMinutes(30), now::get);
        Sessions.Session s = sessions.create("alice", WebConfig.Role.ADMIN);
        now.set(now.get().plus(Duration.ofMinutes(29)));
        assertThat(sessions.find(s.id)).isPresent();
        now.set(now.get().plus(Duration.ofMinutes(29)));
        assertThat(sessions.find(s.id)).isPresent(); // renewed by the previous request
        now.set(now.get().plus(Duration.ofMinutes(31)));
        assertThat(sessions.find(s.id)).isEmpty();
        assertThat(sessions.find("made-up")).isEmpty();
    }

    @Test
    void withoutUsersTheServerRefusesToStartUnlessAuthIsOff() throws Exception {
        WebConfig nobody = WebConfig.of(clinic.dataDir, List.of());
        assertThatThrownBy(() -> TestServers.start(clinic, nobody, NodeStatus.of(false, "")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("web.users is empty").hasMessageContaining("web.auth=off");
        WebConfig open = new WebConfig("127.0.0.1", 0, List.of(), false, false, clinic.dataDir, Set.of(), WebConfig.DEFAULT_SESSION_TIMEOUT);
        try (WebServer server = TestServers.start(clinic, open, NodeStatus.of(false, ""))) {
            Http http = new Http(server.port());
            assertThat(Http.json(http.get("/api/me")).get("user").asText()).isEqualTo("anonymous");
            assertThat(http.get("/api/worklist").statusCode()).isEqualTo(200);
            HttpResponse<String> health = http.get("/healthz");
            assertThat(health.statusCode()).isEqualTo(503); // model not loaded
            assertThat(Http.json(health).get("status").asText()).isEqualTo("down");
        }
    }

    @Test
    void healthAndMetricsCanRequireALogin() throws Exception {
        WebConfig base = TestServers.config(clinic.dataDir);
        WebConfig closed = new WebConfig(base.bind(), 0, base.users(), true, false, base.dataDir(), Set.of(), base.sessionTimeout());
        try (WebServer server = TestServers.start(clinic, closed, NodeStatus.of(true, "CUDA"))) {
            Http http = new Http(server.port());
            assertThat(http.get("/healthz").statusCode()).isEqualTo(401);
            assertThat(http.get("/metrics").statusCode()).isEqualTo(401);
            http.login(TestServers.VIEWER, TestServers.VIEWER_PASSWORD);
            assertThat(Http.json(http.get("/healthz")).get("provider").asText()).isEqualTo("CUDA");
            assertThat(http.get("/metrics").body()).contains("ctai_queue_depth");
        }
    }

    @Test
    void aPortInUseFailsTheStartAndNamesTheKeys() throws Exception {
        try (WebServer first = TestServers.start(clinic)) {
            WebConfig same = TestServers.config(clinic.dataDir).withListener("127.0.0.1", first.port());
            WebServer second = new WebServer(same, clinic.db, NodeStatus.of(true, "CPU"));
            assertThatThrownBy(second::start).hasMessageContaining("web.bind / web.port");
        }
    }
}
