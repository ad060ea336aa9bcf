package org.ctai.srwriter;

import static org.assertj.core.api.Assertions.assertThat;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.TagFromName;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.ctai.inference.segment.Segmenter;
import org.ctai.inference.SeriesAnalyzer.Analysis;
import org.ctai.inference.series.SeriesLoader;
import org.ctai.inference.series.Volume;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SEG, SR and overlay written over pydicom's real CT test file (CT_small.dcm, one 128x128 slice, Debian
 * python3-pydicom) pass dciodvfy with no error. The model finds nothing on it, so a drawn lesion is measured.
 */
class PydicomCtResultsTest {
    private static final Path CT_SMALL = Path.of("/usr/lib/python3/dist-packages/pydicom/data/test_files/CT_small.dcm");

    @TempDir
    Path dir;

    @Test
    void resultsOverPydicomsCtSliceHaveNoDciodvfyError() throws Exception {
        assertThat(Files.isRegularFile(CT_SMALL)).as(CT_SMALL + " (python3-pydicom; ./ctai test installs it)").isTrue();
        assertThat(Dciodvfy.available()).as("dciodvfy (dicom3tools; ./ctai test installs it)").isTrue();
        AttributeList header = new AttributeList();
        header.read(CT_SMALL.toFile(), TagFromName.PixelData);
        Volume volume = new SeriesLoader().load(List.of(CT_SMALL), Attribute.getSingleStringValueOrEmptyString(header, TagFromName.SeriesInstanceUID))
                .volumeOrThrow();
        Analysis analysis = AnalysedSeries.withMasks(volume, List.of(AnalysedSeries.disk(128, 128, 64, 60, 12)));
        assertThat(analysis.lesions()).hasSize(1);

        Results results;
        try (Segmenter segmenter = AnalysedSeries.openDefaultModel()) {
            results = new ResultWriter(ResultOptions.defaults(), ModelInfo.of(segmenter, "0.1.0-test"), segmenter.spec().labels().get(0),
                    Clock.systemUTC()).build(analysis);
        }
        List<ResultWriter.Written> written = ResultWriter.write(results, dir);

        assertThat(written).extracting(ResultWriter.Written::kind)
                .containsExactly(ResultWriter.Written.Kind.SEG, ResultWriter.Written.Kind.SR, ResultWriter.Written.Kind.OVERLAY);
        for (ResultWriter.Written w : written) {
            Dciodvfy.Report report = Dciodvfy.check(w.file());
            assertThat(report.errors()).as("dciodvfy errors for %s:%n%s", w.file().getFileName(), report.output()).isEmpty();
        }
    }
}
