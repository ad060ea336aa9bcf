package org.ctai.scp.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The priors.* keys: off by default, every bad value named with its key at start. */
class PriorsConfigTest {
    private static NodeConfig load(String... overrides) {
        List<String> all = new java.util.ArrayList<>(List.of("--web.auth=off", "--dicom.allowed-callers=PACS"));
        all.addAll(List.of(overrides));
        return ConfigLoader.withShippedDefaults().load(Optional.empty(), Map.of(), all);
    }

    @Test
    void offByDefaultAndResultsOfPriorsStayHome() {
        NodeConfig.Priors p = load().priors();
        assertThat(p.enabled()).isFalse();
        assertThat(p.sendResults()).isFalse();
        assertThat(p.maxRetrievals()).isEqualTo(1);
    }

    @Test
    void readsTheSourceAndRetriesWithDoublingBackoffUpToTheCap() {
        NodeConfig.Priors p = load("--priors.source=PACS@10.0.0.5:104", "--priors.retry-seconds=10", "--priors.retry-max-seconds=30").priors();
        assertThat(p.source()).contains(new NodeConfig.AeDestination("PACS", "10.0.0.5", 104));
        assertThat(List.of(p.retryAfter(1), p.retryAfter(2), p.retryAfter(3), p.retryAfter(60)))
                .containsExactly(Duration.ofSeconds(10), Duration.ofSeconds(20), Duration.ofSeconds(30), Duration.ofSeconds(30));
    }

    @Test
    void namesEveryBadKeyWithItsValue() {
        assertThatThrownBy(() -> load("--priors.source=PACS@host", "--priors.max-studies=0", "--priors.max-years=x",
                "--priors.send-results=maybe", "--priors.max-retrievals=99", "--priors.retry-seconds=-1"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("priors.source entry must be AE@host:port").hasMessageContaining("was PACS@host")
                .hasMessageContaining("priors.max-studies must be a whole number from 1 to 100, was 0")
                .hasMessageContaining("priors.max-years must be a whole number from 1 to 100, was x")
                .hasMessageContaining("priors.send-results must be true or false, was maybe")
                .hasMessageContaining("priors.max-retrievals must be a whole number from 1 to 16, was 99")
                .hasMessageContaining("priors.retry-seconds must be a number of seconds >= 0, was -1");
    }

    @Test
    void refusesASourceWhoseAeTitleMayNotStoreIntoTheNode() {
        assertThatThrownBy(() -> load("--priors.source=ORTHANC@127.0.0.1:4242"))
                .hasMessageContaining("priors.source ORTHANC@127.0.0.1:4242: its AE title must be in dicom.allowed-callers");
    }

    @Test
    void retrievesByMoveByDefaultOrByGetAndNamesAnyOtherValue() {
        assertThat(load().priors().retrieve()).isEqualTo(NodeConfig.Priors.Retrieve.MOVE);
        assertThat(load("--priors.retrieve=get").priors().retrieve()).isEqualTo(NodeConfig.Priors.Retrieve.GET);
        assertThatThrownBy(() -> load("--priors.retrieve=c-get"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("priors.retrieve must be move or get, was c-get");
    }

    @Test
    void aPacsAskedWithCGetNeedNotBeAnAllowedCaller() {
        // with C-GET the instances come back on the node's own association: the PACS never calls the node
        NodeConfig.Priors p = load("--priors.source=ORTHANC@127.0.0.1:4242", "--priors.retrieve=get").priors();
        assertThat(p.source()).contains(new NodeConfig.AeDestination("ORTHANC", "127.0.0.1", 4242));
    }

    @Test
    void aDicomWebSourceNeedsNoAllowedCallerButItsSecretFromTheEnvironment() {
        NodeConfig c = ConfigLoader.withShippedDefaults().load(Optional.empty(), Map.of("PACS_WEB", "node:pw"),
                List.of("--web.auth=off", "--priors.source=dicomweb:https://pacs.example.org/dicom-web;auth=basic:PACS_WEB"));
        assertThat(c.priors().source()).get().hasToString("dicomweb:https://pacs.example.org/dicom-web");
        assertThatThrownBy(() -> load("--priors.source=dicomweb:https://pacs.example.org/dicom-web;auth=bearer:PACS_TOKEN"))
                .hasMessageContaining("priors.source entry dicomweb:https://pacs.example.org/dicom-web auth=bearer:PACS_TOKEN: "
                        + "the environment variable PACS_TOKEN is not set");
    }

    @Test
    void aDicomWebSourceIsNotAskedWithCGet() {
        assertThatThrownBy(() -> ConfigLoader.withShippedDefaults().load(Optional.empty(), Map.of("PACS_WEB", "node:pw"),
                List.of("--web.auth=off", "--priors.source=dicomweb:https://pacs.example.org/dicom-web;auth=basic:PACS_WEB", "--priors.retrieve=get")))
                .hasMessageContaining("priors.retrieve=get is for a DICOM priors.source; a dicomweb: source retrieves by WADO-RS");
    }

    @Test
    void refusesARetryLongerThanItsCap() {
        assertThatThrownBy(() -> load("--priors.retry-seconds=100", "--priors.retry-max-seconds=10"))
                .hasMessageContaining("priors.retry-seconds must be at most priors.retry-max-seconds (10.0), was 100.0");
    }
}
