package org.ctai.scp.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    private final ConfigLoader loader = ConfigLoader.withShippedDefaults();

    @TempDir
    Path tmp;

    private NodeConfig load(Map<String, String> env, String... cli) {
        return loader.load(Optional.empty(), env, List.of(cli));
    }

    @Test
    void shippedDefaultsMatchThePublicContract() {
        NodeConfig c = load(Map.of());
        assertThat(c.dicom().aeTitle()).isEqualTo("CTAI");
        assertThat(c.dicom().port()).isEqualTo(11112);
        assertThat(c.web().server().port()).isEqualTo(8080);
        assertThat(c.series().quiet()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.series().releaseGrace()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.db().url()).isEmpty();
        assertThat(loader.defaults()).containsKeys("dicom.ae-title", "dicom.bind", "dicom.port", "dicom.allowed-callers", "data.dir",
                "db.url", "db.user", "db.password", "series.quiet-seconds", "series.release-grace-seconds", "send.destinations",
                "web.bind", "web.port");
    }

    @Test
    void compressedTransferSyntaxesTheLoaderDecodesAreAcceptedByDefaultLosslessBeforeLossy() {
        assertThat(load(Map.of()).dicom().transferSyntaxes()).containsExactly(
                "1.2.840.10008.1.2.1", "1.2.840.10008.1.2", "1.2.840.10008.1.2.2",
                "1.2.840.10008.1.2.4.70", "1.2.840.10008.1.2.4.57", "1.2.840.10008.1.2.4.90", "1.2.840.10008.1.2.5",
                "1.2.840.10008.1.2.4.80", "1.2.840.10008.1.2.4.91", "1.2.840.10008.1.2.4.81");
    }

    @Test
    void transferSyntaxTheLoaderCannotDecodeIsRejectedWithKeyAndValue() {
        assertThatThrownBy(() -> load(Map.of(), "--dicom.transfer-syntaxes=1.2.840.10008.1.2.1,1.2.840.10008.1.2.4.50,1.2.840.10008.1.2.1.99"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("dicom.transfer-syntaxes must be a transfer syntax the series loader decodes")
                .hasMessageContaining("was 1.2.840.10008.1.2.4.50")
                .hasMessageContaining("was 1.2.840.10008.1.2.1.99");
    }

    @Test
    void everyStorageSopClassIsAcceptedByDefaultWithAnEmptyDenyList() {
        NodeConfig c = load(Map.of());
        assertThat(c.dicom().sopClasses()).containsExactly(NodeConfig.Dicom.ANY_STORAGE_SOP_CLASS);
        assertThat(c.dicom().deniedSopClasses()).isEmpty();
        assertThat(load(Map.of(), "--dicom.sop-classes-denied=1.2.840.10008.5.1.4.1.1.104.1").dicom().deniedSopClasses())
                .containsExactly("1.2.840.10008.5.1.4.1.1.104.1");
    }

    @Test
    void badSopClassListsAreRejectedWithKeyAndValue() {
        assertThatThrownBy(() -> load(Map.of(), "--dicom.sop-classes=*,1.2.840.10008.5.1.4.1.1.2", "--dicom.sop-classes-denied=pdf"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("dicom.sop-classes must be * alone or a list of UIDs, was *,1.2.840.10008.5.1.4.1.1.2")
                .hasMessageContaining("dicom.sop-classes-denied must be a UID, was pdf");
        assertThatThrownBy(() -> load(Map.of(), "--dicom.sop-classes="))
                .isInstanceOf(ConfigException.class).hasMessageContaining("dicom.sop-classes must name at least one SOP class");
    }

    @Test
    void commandLineBeatsEnvironmentBeatsFileBeatsDefaults() throws Exception {
        Path file = tmp.resolve("node.conf");
        Files.writeString(file, "dicom.port = 2000\ndicom.ae-title = FROMFILE\nweb.port = 9000\n");
        NodeConfig c = loader.load(Optional.of(file), Map.of("CTAI_DICOM_PORT", "3000", "CTAI_WEB_PORT", "9100"), List.of("--dicom.port=4000"));
        assertThat(c.dicom().port()).isEqualTo(4000);
        assertThat(c.web().server().port()).isEqualTo(9100);
        assertThat(c.dicom().aeTitle()).isEqualTo("FROMFILE");
    }

    @Test
    void unknownKeyStopsStartUpAndIsNamed() {
        assertThatThrownBy(() -> load(Map.of(), "--dicom.prot=11113"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("unknown key dicom.prot on the command line");
    }

    @Test
    void badValuesAreAllReportedWithKeyAndValue() {
        assertThatThrownBy(() -> load(Map.of(), "--dicom.port=70000", "--series.quiet-seconds=soon", "--send.destinations=PACS@host"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("dicom.port must be a whole number from 0 to 65535, was 70000")
                .hasMessageContaining("series.quiet-seconds must be a number of seconds >= 0, was soon")
                .hasMessageContaining("send.destinations entry must be AE@host:port, was PACS@host");
    }

    @Test
    void maxConnectionsPerAddressDefaultsToTheAssociationLimitAndABadOneIsNamedWithItsValue() {
        assertThat(load(Map.of()).dicom().maxConnectionsPerAddress()).isEqualTo(16);
        assertThatThrownBy(() -> load(Map.of(), "--dicom.max-connections-per-address=0"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("dicom.max-connections-per-address must be a whole number from 1 to 10000, was 0");
    }

    @Test
    void maxPendingRequestsDefaultsTo256AndABadOneIsNamedWithItsValue() {
        assertThat(load(Map.of()).dicom().maxPendingRequests()).isEqualTo(256);
        assertThatThrownBy(() -> load(Map.of(), "--dicom.max-pending-requests=many"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("dicom.max-pending-requests must be a whole number from 1 to 100000, was many");
    }

    @Test
    void glgcmBinWidthsComeFromTheConfigurationAndABadOneIsNamed() {
        NodeConfig c = load(Map.of(), "--measure.glgcm-bin-width-hu=10", "--measure.glgcm-gradient-bin-width-hu-per-mm=2.5");
        assertThat(c.inference().measurement().glgcmBinWidthHu()).isEqualTo(10);
        assertThat(c.inference().measurement().glgcmGradientBinWidthHuPerMm()).isEqualTo(2.5);
        assertThat(load(Map.of()).inference().measurement().glgcmBinWidthHu()).isEqualTo(25);
        assertThatThrownBy(() -> load(Map.of(), "--measure.glgcm-bin-width-hu=0"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("measure.glgcm-bin-width-hu must be a number of HU > 0, was 0");
    }

    @Test
    void allowedCallersAndDestinationsAreParsed() {
        NodeConfig c = load(Map.of(), "--dicom.allowed-callers=ORTHANC, MODALITY1", "--send.destinations=PACS@10.0.0.5:104,ARCH@pacs:11112");
        assertThat(c.dicom().admitsCaller("ORTHANC")).isTrue();
        assertThat(c.dicom().admitsCaller("OTHER")).isFalse();
        assertThat(c.send().destinations()).extracting(Object::toString).containsExactly("PACS@10.0.0.5:104", "ARCH@pacs:11112");
        assertThat(load(Map.of(), "--dicom.allowed-callers=*").dicom().admitsCaller("ANYONE")).isTrue();
    }

    @Test
    void passwordNeverAppearsInTheConfigurationsDescription() {
        NodeConfig c = load(Map.of("CTAI_DB_PASSWORD", "s3cret"));
        assertThat(c.toString()).doesNotContain("s3cret").contains("password=****");
    }

    @Test
    void webUsersAreParsedAndABadOneIsNamed() {
        NodeConfig c = load(Map.of(), "--web.users=ann:viewer:" + org.ctai.viewer.PasswordHasher.hash("pw".toCharArray(), 1000));
        assertThat(c.web().server().users()).extracting(u -> u.name()).containsExactly("ann");
        assertThatThrownBy(() -> load(Map.of(), "--web.users=ann", "--web.auth=maybe"))
                .hasMessageContaining("web.users").hasMessageContaining("web.auth must be on or off, was maybe");
    }

    @Test
    void poolTooSmallForTheWorkersIsRejected() {
        assertThatThrownBy(() -> load(Map.of(), "--worker.count=8", "--db.pool-size=4"))
                .hasMessageContaining("db.pool-size must be at least worker.count + send.count + 3 (12), was 4");
    }
}
