package org.ctai.viewer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ConfigAndHashTest {

    @Test
    void hashesVerifyOnlyTheirOwnPasswordAndFitInWebUsers() {
        String hash = PasswordHasher.hash("s3cret pass".toCharArray());
        assertThat(hash).startsWith("pbkdf2-sha256.600000.").doesNotContain(":", ",", "$", " ");
        assertThat(PasswordHasher.verify("s3cret pass".toCharArray(), hash)).isTrue();
        assertThat(PasswordHasher.verify("s3cret pasS".toCharArray(), hash)).isFalse();
        assertThat(PasswordHasher.hash("s3cret pass".toCharArray(), 1000)).isNotEqualTo(PasswordHasher.hash("s3cret pass".toCharArray(), 1000)); // salted
        assertThat(PasswordHasher.verify("x".toCharArray(), "pbkdf2-sha256.10.AAAA.BBBB")).isFalse();
        assertThat(PasswordHasher.isWellFormed("plain")).isFalse();
        assertThatThrownBy(() -> PasswordHasher.hash("x".toCharArray(), 10)).hasMessageContaining("iterations must be");
    }

    @Test
    void parsesWebUsers() {
        String a = PasswordHasher.hash("a-password".toCharArray(), 1000);
        String v = PasswordHasher.hash("v-password".toCharArray(), 1000);
        List<WebConfig.User> users = WebConfig.parseUsers(" alice:admin:" + a + " , victor:viewer:" + v);
        assertThat(users).extracting(WebConfig.User::name).containsExactly("alice", "victor");
        assertThat(users.get(1).role()).isEqualTo(WebConfig.Role.VIEWER);
        assertThat(users.get(0).toString()).isEqualTo("alice:admin:***");
        assertThat(WebConfig.parseUsers("  ")).isEmpty();
    }

    @Test
    void rejectsBadUsersNamingTheKeyButNotTheHash() {
        assertThatThrownBy(() -> WebConfig.parseUsers("alice:root:pbkdf2-sha256.1000.secretsalt.secrethash"))
                .hasMessageContaining("web.users user alice: role must be admin, viewer or sender, was 'root'")
                .hasMessageContaining("not a pbkdf2-sha256 hash")
                .hasMessageNotContaining("secretsalt");
        assertThatThrownBy(() -> WebConfig.parseUsers("alice")).hasMessageContaining("web.users entry 1 must be name:role:hash");
    }

    @Test
    void collectsEveryConfigProblemAtOnce() {
        assertThatThrownBy(() -> new WebConfig(" ", 70000, List.of(), true, false, Path.of("data"), Set.of("/api/worklist"), Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("web.bind must be an address")
                .hasMessageContaining("web.port must be 0..65535, was 70000")
                .hasMessageContaining("web.public-paths may name only /healthz and /metrics, was /api/worklist")
                .hasMessageContaining("web.session-minutes must be 1..10080, was 0");
        assertThat(WebConfig.parsePublicPaths("/healthz, /metrics")).containsExactly("/healthz", "/metrics");
    }

    @Test
    void acceptLanguagePicksTheBestSupportedLanguage() {
        assertThat(StaticFiles.fromAcceptLanguage("zh-CN,zh;q=0.9,en;q=0.8")).isEqualTo("zh-CN");
        assertThat(StaticFiles.fromAcceptLanguage("zh-TW")).isEqualTo("zh-CN");
        assertThat(StaticFiles.fromAcceptLanguage("en;q=0.9,zh;q=0.5")).isEqualTo("en");
        assertThat(StaticFiles.fromAcceptLanguage("fr-FR")).isEqualTo("en");
        assertThat(StaticFiles.fromAcceptLanguage(null)).isEqualTo("en");
    }
}
