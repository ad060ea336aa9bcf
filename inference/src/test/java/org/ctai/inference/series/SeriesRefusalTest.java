package org.ctai.inference.series;

import org.ctai.inference.SyntheticCt;
import com.pixelmed.dicom.SOPClass;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Each way a series is refused gives its own reason and a message naming the series and instance, never the patient. */
class SeriesRefusalTest {

    @TempDir
    Path dir;

    private final SyntheticCt.Series series = new SyntheticCt.Series();

    private SeriesLoadResult.Refused refused(Refusal reason) {
        SeriesLoadResult result = new SeriesLoader().load(List.of(dir), series.seriesUid);
        assertThat(result).isInstanceOf(SeriesLoadResult.Refused.class);
        SeriesLoadResult.Refused refused = (SeriesLoadResult.Refused) result;
        assertThat(refused.reason()).isEqualTo(reason);
        assertThat(refused.seriesInstanceUid()).isEqualTo(series.seriesUid);
        assertThat(refused.message()).contains(series.seriesUid)
                .doesNotContain(SyntheticCt.PATIENT_NAME).doesNotContain(SyntheticCt.PATIENT_ID);
        return refused;
    }

    @Test
    void refusesMixedRowsAndColumns() throws IOException {
        series.slice(0).writeTo(dir);
        SyntheticCt.Slice odd = series.slice(1);
        odd.columns = 9;
        odd.writeTo(dir);

        assertThat(refused(Refusal.MIXED_DIMENSIONS).message()).contains(odd.sopInstanceUid).contains("6x9").contains("6x5");
    }

    @Test
    void refusesMixedPixelSpacing() throws IOException {
        series.slice(0).writeTo(dir);
        SyntheticCt.Slice odd = series.slice(1);
        odd.pixelSpacing = new double[] {0.9, 0.9};
        odd.writeTo(dir);

        assertThat(refused(Refusal.MIXED_PIXEL_SPACING).message()).contains(odd.sopInstanceUid).contains("0.9\\0.9");
    }

    @Test
    void refusesMixedOrientations() throws IOException {
        series.slice(0).writeTo(dir);
        SyntheticCt.Slice tilted = series.slice(1);
        tilted.orientation = new double[] {1, 0, 0, 0, 0.927184, -0.374607};
        tilted.writeTo(dir);

        assertThat(refused(Refusal.MIXED_ORIENTATION).message())
                .contains(tilted.sopInstanceUid).contains("Image Orientation (Patient)").contains("0.9272");
    }

    @Test
    void refusesDuplicatePositions() throws IOException {
        SyntheticCt.Slice a = series.slice(0);
        a.writeTo(dir);
        SyntheticCt.Slice b = series.slice(1);
        b.position = a.position.clone();
        b.writeTo(dir);
        series.slice(2).writeTo(dir);

        assertThat(refused(Refusal.DUPLICATE_POSITION).message())
                .contains(a.sopInstanceUid).contains(b.sopInstanceUid).contains("same position");
    }

    @Test
    void refusesANonCtModality() throws IOException {
        for (int i = 0; i < 2; i++) {
            SyntheticCt.Slice s = series.slice(i);
            s.modality = "MR";
            s.writeTo(dir);
        }

        assertThat(refused(Refusal.NOT_CT).message()).contains("Modality is MR, not CT");
    }

    @Test
    void refusesAnImageThatIsNotCtImageStorage() throws IOException {
        SyntheticCt.Slice s = series.slice(0);
        s.sopClassUid = SOPClass.SecondaryCaptureImageStorage;
        s.writeTo(dir);

        assertThat(refused(Refusal.NOT_CT).message()).contains(SOPClass.SecondaryCaptureImageStorage).contains("not CT Image Storage");
    }

    @Test
    void refusesASliceWithoutPixelData() throws IOException {
        series.slice(0).writeTo(dir);
        SyntheticCt.Slice empty = series.slice(1);
        empty.withPixelData = false;
        empty.writeTo(dir);

        assertThat(refused(Refusal.MISSING_PIXEL_DATA).message()).contains(empty.sopInstanceUid).contains("no Pixel Data");
    }

    @Test
    void refusesASliceWithoutOrientation() throws IOException {
        SyntheticCt.Slice s = series.slice(0);
        s.orientation = new double[0];
        s.writeTo(dir);

        assertThat(refused(Refusal.MISSING_ATTRIBUTE).message()).contains(s.sopInstanceUid).contains("Image Orientation (Patient) missing");
    }

    @Test
    void refusesATruncatedFile() throws IOException {
        series.slice(0).writeTo(dir);
        SyntheticCt.Slice cut = series.slice(1);
        Path file = cut.writeTo(dir);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(Files.size(file) - 20);
        }

        assertThat(refused(Refusal.UNREADABLE_FILE).message()).contains(cut.sopInstanceUid).contains("truncated: 40 of 60");
    }

    @Test
    void refusesTheSeriesWhenOneOfItsFilesIsNotDicom() throws IOException {
        series.slice(0).writeTo(dir);
        Files.write(dir.resolve("garbage.dcm"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});

        assertThat(refused(Refusal.UNREADABLE_FILE).message()).contains("garbage.dcm is not DICOM");
    }

    @Test
    void reportsNoImagesWhenTheSeriesIsAbsent() throws IOException {
        new SyntheticCt.Series().slice(0).writeTo(dir);

        assertThat(refused(Refusal.NO_IMAGES).message()).contains("no file of this series");
    }

    @Test
    void noLogLineOrMessageCarriesPatientAttributes() throws IOException {
        ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logged = new ch.qos.logback.core.read.ListAppender<>();
        logged.start();
        root.addAppender(logged);
        try {
            SyntheticCt.Series good = new SyntheticCt.Series();
            good.slice(0).writeTo(dir);
            good.slice(1).writeTo(dir);
            SyntheticCt.Slice mr = series.slice(0);
            mr.modality = "MR";
            mr.writeTo(dir);
            SyntheticCt.Series padded = new SyntheticCt.Series();
            SyntheticCt.Slice p = padded.slice(0);
            p.paddingValue = -2000;
            p.writeTo(dir);

            List<SeriesLoadResult> results = new SeriesLoader().loadAll(List.of(dir));

            assertThat(results).hasSize(3);
            assertThat(logged.list).isNotEmpty().allSatisfy(event -> assertThat(event.getFormattedMessage())
                    .doesNotContain(SyntheticCt.PATIENT_NAME).doesNotContain(SyntheticCt.PATIENT_ID));
            assertThat(results).allSatisfy(r -> assertThat(r.toString())
                    .doesNotContain(SyntheticCt.PATIENT_NAME).doesNotContain(SyntheticCt.PATIENT_ID));
        } finally {
            root.detachAppender(logged);
        }
    }

    @Test
    void aRefusedResultThrowsWithItsReasonWhenAVolumeIsDemanded() throws IOException {
        SyntheticCt.Slice s = series.slice(0);
        s.modality = "PT";
        s.writeTo(dir);

        SeriesLoadResult result = new SeriesLoader().load(List.of(dir), series.seriesUid);

        assertThatThrownBy(result::volumeOrThrow).isInstanceOf(SeriesLoadException.class)
                .hasMessageContaining("Modality is PT")
                .satisfies(e -> assertThat(((SeriesLoadException) e).refusal()).isEqualTo(Refusal.NOT_CT));
    }
}
