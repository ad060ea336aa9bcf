package org.ctai.scp.demo;

import org.ctai.scp.config.ConfigLoader;
import org.ctai.scp.config.NodeConfig;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./ctai demo --exit-when-done} on embedded defaults: three studies in, their results out. */
class DemoCommandTest {
    @TempDir
    Path tmp;

    @Test
    void demoProcessesThreeStudiesAndTheirResultsReachTheStandInPacs() throws Exception {
        NodeConfig config = ConfigLoader.withShippedDefaults().load(Optional.empty(), Map.of(),
                List.of("--data.dir=" + tmp.resolve("data"), "--dicom.port=0", "--data.min-free-mb=1", "--web.port=0"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        int code = new DemoCommand(config, new PrintStream(out, true, StandardCharsets.UTF_8)).run(true, 3, 8);

        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(code).as(printed).isZero();
        assertThat(printed).contains("jobs: sent, sent, sent").contains("20240115").contains("20240415").contains("20240715");
        try (var files = Files.list(tmp.resolve("data").resolve("demo-pacs"))) {
            List<String> names = files.map(p -> p.getFileName().toString()).toList();
            // per study: SEG + SR + one overlay per lesion
            assertThat(names).hasSizeGreaterThanOrEqualTo(9);
        }
    }

    @Test
    void demoRunsTheBundledThreeDimensionalModelWhenAskedAndItsSegmentsCarryTheManifestsLabel() throws Exception {
        NodeConfig config = ConfigLoader.withShippedDefaults().load(Optional.empty(), Map.of(),
                List.of("--data.dir=" + tmp.resolve("data"), "--dicom.port=0", "--data.min-free-mb=1", "--web.port=0",
                        "--model.file=bundled:ctai-phantom-unet3d"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        int code = new DemoCommand(config, new PrintStream(out, true, StandardCharsets.UTF_8)).run(true, 1, 24);

        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(code).as(printed).isZero();
        assertThat(printed).contains("jobs: sent");
        com.pixelmed.dicom.AttributeList seg = null;
        try (var files = Files.list(tmp.resolve("data").resolve("demo-pacs"))) {
            for (java.nio.file.Path f : files.filter(Files::isRegularFile).toList()) {
                com.pixelmed.dicom.AttributeList list = new com.pixelmed.dicom.AttributeList();
                list.read(f.toFile());
                if ("SEG".equals(com.pixelmed.dicom.Attribute.getSingleStringValueOrEmptyString(list, com.pixelmed.dicom.TagFromName.Modality))) {
                    seg = list;
                }
            }
        }
        assertThat(seg).as("a SEG at the stand-in PACS").isNotNull();
        var segments = (com.pixelmed.dicom.SequenceAttribute) seg.get(com.pixelmed.dicom.TagFromName.SegmentSequence);
        assertThat(segments.getNumberOfItems()).isPositive();
        assertThat(com.pixelmed.dicom.Attribute.getSingleStringValueOrEmptyString(segments.getItem(0).getAttributeList(),
                new com.pixelmed.dicom.AttributeTag(0x0062, 0x0009))).as("Segment Algorithm Name").contains("unet3d");
    }
}
