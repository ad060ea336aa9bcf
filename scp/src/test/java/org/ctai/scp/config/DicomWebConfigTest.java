package org.ctai.scp.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** DICOMweb destinations ({@code dicomweb:URL;auth=...;trusted=...}): secrets only from the environment, never shown. */
class DicomWebConfigTest {
    private static final String SECRET = "s3cret-password";

    private static NodeConfig load(Map<String, String> env, String... overrides) {
        List<String> all = new java.util.ArrayList<>(List.of("--web.auth=off"));
        all.addAll(List.of(overrides));
        return ConfigLoader.withShippedDefaults().load(Optional.empty(), env, all);
    }

    @Test
    void dicomWebDestinationsSitBesideAeDestinationsAndKeepTheirSecretOutOfTheirText() {
        NodeConfig c = load(Map.of("PACS_WEB", "node:" + SECRET, "CLOUD_TOKEN", "eyJ.token"),
                "--send.destinations=PACS@10.0.0.5:104, dicomweb:https://pacs.example.org/dicom-web/;auth=basic:PACS_WEB,"
                        + " dicomweb:https://cloud.example.com/v1/dicomWeb;auth=bearer:CLOUD_TOKEN, dicomweb:http://127.0.0.1:8042/dicom-web");
        List<NodeConfig.Destination> d = c.send().destinations();
        assertThat(d).extracting(Object::toString).containsExactly("PACS@10.0.0.5:104", "dicomweb:https://pacs.example.org/dicom-web",
                "dicomweb:https://cloud.example.com/v1/dicomWeb", "dicomweb:http://127.0.0.1:8042/dicom-web");
        var basic = (NodeConfig.WebDestination) d.get(1);
        assertThat(basic.base()).isEqualTo(URI.create("https://pacs.example.org/dicom-web"));
        assertThat(basic.auth().orElseThrow().header()).isEqualTo("Basic bm9kZTpzM2NyZXQtcGFzc3dvcmQ=");
        assertThat(((NodeConfig.WebDestination) d.get(2)).auth().orElseThrow().header()).isEqualTo("Bearer eyJ.token");
        assertThat(((NodeConfig.WebDestination) d.get(3)).auth()).isEmpty();
        assertThat(c.toString()).doesNotContain(SECRET).doesNotContain("eyJ.token").doesNotContain("bm9kZTpzM2NyZXQtcGFzc3dvcmQ=");
        assertThat(basic.auth().orElseThrow().toString()).isEqualTo("basic:PACS_WEB (secret not shown)");
    }

    @Test
    void aMissingSecretOrAnInsecureUrlStopsTheStartNamingTheKeyAndTheVariableButNoSecret() {
        assertThatThrownBy(() -> load(Map.of("HALF", SECRET),
                "--send.destinations=dicomweb:https://pacs/dicom-web;auth=basic:ABSENT, dicomweb:https://pacs2/dicom-web;auth=basic:HALF,"
                        + " dicomweb:http://pacs3.example.org/dicom-web, dicomweb:https://node:" + SECRET + "@pacs4/dicom-web,"
                        + " dicomweb:https://pacs5/dicom-web;auth=digest:X, dicomweb:https://pacs6/dicom-web;trusted=/no/such.pem"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("send.destinations entry dicomweb:https://pacs/dicom-web auth=basic:ABSENT: the environment variable ABSENT is not set")
                .hasMessageContaining("auth=basic:HALF: the environment variable HALF must hold user:password (its value is not shown)")
                .hasMessageContaining("dicomweb:http://pacs3.example.org/dicom-web must use https")
                .hasMessageContaining("send.destinations entry dicomweb:https://pacs4... carries credentials in its URL")
                .hasMessageContaining("auth must be basic:VARIABLE or bearer:VARIABLE")
                .hasMessageContaining("dicomweb:https://pacs6/dicom-web trusted must name a readable PEM file, was /no/such.pem")
                .message().doesNotContain(SECRET);
    }

    @Test
    void aPipelinesOwnDestinationsMayBeDicomWeb() {
        NodeConfig c = load(Map.of("LIVER_WEB", "t0ken"), "--pipeline.liver.destinations=dicomweb:https://liver.example.org/wado;auth=bearer:LIVER_WEB");
        assertThat(c.pipelines().get(0).destinations()).extracting(Object::toString).containsExactly("dicomweb:https://liver.example.org/wado");
    }
}
