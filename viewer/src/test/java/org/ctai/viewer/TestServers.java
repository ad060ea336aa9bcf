package org.ctai.viewer;

import java.nio.file.Path;
import java.util.List;

/** Web servers over a {@link Clinic} with two users: alice (admin) and victor (viewer). */
final class TestServers {
    static final String ADMIN = "alice";
    static final String ADMIN_PASSWORD = "correct horse battery staple";
    static final String VIEWER = "victor";
    static final String VIEWER_PASSWORD = "viewer password 42";

    private TestServers() {
    }

    static List<WebConfig.User> users() {
        // few iterations keep tests fast; the default count is tested in PasswordHasherTest
        return List.of(
                new WebConfig.User(ADMIN, WebConfig.Role.ADMIN, PasswordHasher.hash(ADMIN_PASSWORD.toCharArray(), PasswordHasher.MIN_ITERATIONS)),
                new WebConfig.User(VIEWER, WebConfig.Role.VIEWER, PasswordHasher.hash(VIEWER_PASSWORD.toCharArray(), PasswordHasher.MIN_ITERATIONS)));
    }

    static WebConfig config(Path dataDir) {
        return WebConfig.of(dataDir, users()).withListener("127.0.0.1", 0);
    }

    static WebServer start(Clinic clinic, WebConfig config, NodeStatus status) {
        WebServer server = new WebServer(config, clinic.db, status);
        server.start();
        return server;
    }

    static WebServer start(Clinic clinic) {
        return start(clinic, config(clinic.dataDir), NodeStatus.of(true, "CPU"));
    }
}
