package org.ctai.srwriter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.ContentItem;
import com.pixelmed.dicom.ContentItemFactory;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.StructuredReport;
import com.pixelmed.dicom.TagFromName;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.ctai.inference.SeriesAnalyzer.Analysis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A series without lesion still gets a report, and it says so: TID 1500 with Qualitative Evaluations
 * "Neoplasm: No", no measurements, and no SEG in its evidence. The analysis is real (a phantom without tumours
 * through the default model); its lesion list is then emptied, so a stray false positive cannot make the test flaky.
 */
class NoLesionReportTest {

    @TempDir
    static Path dir;
    static AnalysedPhantom phantom;
    static Analysis none;
    static AttributeList sr;
    static Path srFile;

    @BeforeAll
    static void writeReportWithoutLesion() throws Exception {
        phantom = AnalysedPhantom.create(9612, 0, dir.resolve("phantom"));
        Analysis a = phantom.analysis();
        none = new Analysis(a.volume(), List.of(), Map.of(), Duration.ZERO, Duration.ZERO);
        sr = SrWriterTest.writer().write(none, Optional.empty(), Map.of(), SrWriterTest.series(), SrWriterTest.CREATED);
        srFile = AnalysedPhantom.save(sr, dir.resolve("sr.dcm"));
    }

    @AfterAll
    static void closeModel() {
        if (phantom != null) phantom.segmenter().close();
    }

    @Test
    void saysNoNeoplasmWasFoundAndHasNoMeasurements() throws Exception {
        ContentItem root = (ContentItem) new StructuredReport(SrWriterTest.read(srFile)).getRoot();
        assertThat(root.getNamedChild("DCM", "126010")).as("Imaging Measurements").isNull();
        ContentItem evaluations = root.getNamedChild("UMLS", "C0034375");
        assertThat(evaluations).as("Qualitative Evaluations").isNotNull();
        ContentItemFactory.CodeContentItem neoplasm =
                (ContentItemFactory.CodeContentItem) evaluations.getNamedChild("SCT", "108369006");
        assertThat(neoplasm.getConceptCode().getCodeValue()).isEqualTo("373067005");
        assertThat(neoplasm.getConceptCode().getCodeMeaning()).isEqualTo("No");
        assertThat(evaluations.getSingleStringValueOrNullOfNamedChild("DCM", "121106"))
                .isEqualTo("No lesion detected by " + SrWriterTest.MODEL.name() + " " + SrWriterTest.MODEL.version());
    }

    @Test
    void evidenceHoldsOnlyTheCtSeries() throws Exception {
        SequenceAttribute evidence = (SequenceAttribute) SrWriterTest.read(srFile).get(TagFromName.CurrentRequestedProcedureEvidenceSequence);
        SequenceAttribute series = (SequenceAttribute) evidence.getItem(0).getAttributeList().get(TagFromName.ReferencedSeriesSequence);
        assertThat(series.getNumberOfItems()).isEqualTo(1);
    }

    @Test
    void passesDciodvfyAndPixelmedValidator() throws Exception {
        String validation = SrTools.pixelmedValidate(sr);
        assertThat(validation).contains("Found Root Template TID_1500 (MeasurementReport)");
        assertThat(SrTools.errors(validation)).as(validation).isEmpty();
        assertThat(Dciodvfy.available()).as("dicom3tools' dciodvfy is not installed" + " (./ctai test installs the real tools the tests need)").isTrue();
        Dciodvfy.Report report = Dciodvfy.check(srFile);
        assertThat(report.errors()).as(report.output()).isEmpty();
    }
}
