package org.ctai.viewer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/** One server per test class over a fresh {@link Clinic}, with the admin and the viewer each logged in on their own client. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class LoggedInServerTest {
    Clinic clinic;
    WebServer server;
    Http admin;
    Http viewer;

    @BeforeAll
    void start() throws Exception {
        clinic = new Clinic();
        server = TestServers.start(clinic);
        admin = new Http(server.port());
        assertThat(admin.login(TestServers.ADMIN, TestServers.ADMIN_PASSWORD).statusCode()).isEqualTo(200);
        viewer = new Http(server.port());
        assertThat(viewer.login(TestServers.VIEWER, TestServers.VIEWER_PASSWORD).statusCode()).isEqualTo(200);
    }

    @AfterAll
    void stop() throws Exception {
        server.close();
        clinic.close();
    }
}
