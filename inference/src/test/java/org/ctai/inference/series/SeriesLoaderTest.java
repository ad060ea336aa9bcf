package org.ctai.inference.series;

import org.ctai.inference.SyntheticCt;
import org.ctai.inference.SeriesAnalyzer;
import com.pixelmed.dicom.TransferSyntax;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class SeriesLoaderTest {

    @TempDir
    Path dir;

    private final SeriesLoader loader = new SeriesLoader();

    private List<Path> writeSeries(SyntheticCt.Series series, int count) throws IOException {
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < count; i++) files.add(series.slice(i).writeTo(dir));
        return files;
    }

    private Volume loaded(SeriesLoadResult result) {
        assertThat(result).isInstanceOf(SeriesLoadResult.Loaded.class);
        return result.volumeOrThrow();
    }

    @Test
    void theLogStatesTheRealSliceSpacingRangeNotTheMean() throws IOException {
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(SeriesLoader.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logged = new ch.qos.logback.core.read.ListAppender<>();
        logged.start();
        logger.addAppender(logged);
        try {
            SyntheticCt.Series series = new SyntheticCt.Series();
            double[] z = {0, 1.25, 2.5, 5, 10}; // mean 2.5 mm
            for (int i = 0; i < z.length; i++) {
                SyntheticCt.Slice s = series.slice(i);
                s.position = new double[] {-100, -80, z[i]};
                s.writeTo(dir);
            }

            loaded(loader.load(List.of(dir), series.seriesUid));

            assertThat(logged.list).extracting(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
                    .anySatisfy(line -> assertThat(line).contains("slice spacing 1.250..5.000 mm"))
                    .noneSatisfy(line -> assertThat(line).contains("2.500 mm"));
        } finally {
            logger.detachAppender(logged);
        }
    }

    @Test
    void aMissingSliceIsWarnedAboutWithTheSlicesAndTheirDistance() throws IOException {
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(SeriesAnalyzer.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logged = new ch.qos.logback.core.read.ListAppender<>();
        logged.start();
        logger.addAppender(logged);
        try {
            SyntheticCt.Series series = new SyntheticCt.Series();
            for (int i : new int[] {0, 1, 2, 4, 5, 6}) series.slice(i).writeTo(dir); // 2.5 mm apart, slice 3 missing
            Volume volume = loaded(loader.load(List.of(dir), series.seriesUid));
            List<byte[]> masks = new ArrayList<>();
            for (int z = 0; z < volume.sliceCount(); z++) {
                byte[] all = new byte[volume.geometry().rows() * volume.geometry().columns()];
                java.util.Arrays.fill(all, (byte) 1);
                masks.add(all);
            }

            SeriesAnalyzer.Analysis analysis = SeriesAnalyzer.measure(
                    new org.ctai.inference.measure.LesionMeasurer(org.ctai.inference.measure.MeasurementSettings.DEFAULTS.withMinComponentAreaMm2(0)),
                    volume, masks);

            assertThat(analysis.lesions()).hasSize(2);
            assertThat(logged.list).extracting(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
                    .anySatisfy(line -> assertThat(line).contains(series.seriesUid, "1 gap(s) between slices 2-3 (5.000 mm)",
                            "slice spacing 2.500..5.000 mm"));
        } finally {
            logger.detachAppender(logged);
        }
    }

    @Test
    void sortsSlicesAlongTheNormalAndNeverByInstanceNumber() throws IOException {
        SyntheticCt.Series series = new SyntheticCt.Series();
        int[] instanceNumbers = {4, 1, 5, 2, 3};
        for (int i = 0; i < 5; i++) {
            SyntheticCt.Slice s = series.slice(i);
            s.instanceNumber = instanceNumbers[i];
            s.writeTo(dir);
        }

        Volume volume = loaded(loader.load(List.of(dir), series.seriesUid));

        assertThat(volume.sliceCount()).isEqualTo(5);
        assertThat(volume.geometry().slicePositions()).extracting(Vector3::z).containsExactly(0.0, 2.5, 5.0, 7.5, 10.0);
        assertThat(volume.geometry().sliceSpacingMm()).isCloseTo(2.5, within(1e-9));
        for (int i = 0; i < 5; i++) {
            float[] hu = volume.readSlice(i);
            assertThat(hu[0]).isEqualTo(SyntheticCt.storedValue(i, 0, 0) - 1024f);
        }
    }

    @Test
    void shuffledFileOrderGivesTheSameVolume() throws IOException {
        SyntheticCt.Series series = new SyntheticCt.Series();
        List<Path> files = writeSeries(series, 7);
        List<Path> shuffled = new ArrayList<>(files);
        Collections.shuffle(shuffled, new Random(42));
        Collections.reverse(files);

        Volume a = loaded(loader.load(files, series.seriesUid));
        Volume b = loaded(loader.load(shuffled, series.seriesUid));

        assertThat(b.slices()).isEqualTo(a.slices());
        assertThat(b.geometry()).isEqualTo(a.geometry());
        assertThat(b.readSlices(0, 7)).isDeepEqualTo(a.readSlices(0, 7));
    }

    @Test
    void reversedSliceDirectionGivesTheSameVolume() throws IOException {
        // the same five physical slices, once numbered head to feet and once feet to head
        SyntheticCt.Series headFirst = new SyntheticCt.Series();
        SyntheticCt.Series feetFirst = new SyntheticCt.Series();
        Path a = Files.createDirectory(dir.resolve("a"));
        Path b = Files.createDirectory(dir.resolve("b"));
        for (int i = 0; i < 5; i++) {
            headFirst.slice(i).writeTo(a, String.format("IM%03d", i));
            SyntheticCt.Slice s = feetFirst.slice(i);
            s.instanceNumber = 5 - i;
            s.writeTo(b, String.format("IM%03d", 4 - i));
        }

        Volume va = loaded(loader.load(List.of(a), headFirst.seriesUid));
        Volume vb = loaded(loader.load(List.of(b), feetFirst.seriesUid));

        assertThat(vb.geometry()).isEqualTo(va.geometry());
        assertThat(vb.readSlices(0, 5)).isDeepEqualTo(va.readSlices(0, 5));
    }

    @Test
    void followsTheNormalWhenItPointsFeetward() throws IOException {
        // column direction posterior-to-anterior makes the normal point to the feet (-z)
        SyntheticCt.Series series = new SyntheticCt.Series();
        for (int i = 0; i < 4; i++) {
            SyntheticCt.Slice s = series.slice(i);
            s.orientation = new double[] {1, 0, 0, 0, -1, 0};
            s.writeTo(dir);
        }

        Volume volume = loaded(loader.load(List.of(dir), series.seriesUid));

        assertThat(volume.geometry().normal().z()).isEqualTo(-1.0);
        assertThat(volume.geometry().slicePositions()).extracting(Vector3::z).containsExactly(7.5, 5.0, 2.5, 0.0);
        assertThat(volume.readSlice(0)[0]).isEqualTo(SyntheticCt.storedValue(3, 0, 0) - 1024f);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {TransferSyntax.ImplicitVRLittleEndian, TransferSyntax.ExplicitVRLittleEndian,
            TransferSyntax.ExplicitVRBigEndian, TransferSyntax.DeflatedExplicitVRLittleEndian})
    void readsEveryUncompressedTransferSyntaxAlike(String transferSyntax) throws IOException {
        SyntheticCt.Series series = new SyntheticCt.Series();
        for (int i = 0; i < 3; i++) {
            SyntheticCt.Slice s = series.slice(i);
            s.transferSyntax = transferSyntax;
            s.paddingValue = SyntheticCt.storedValue(i, 0, 0);
            s.writeTo(dir);
        }

        Volume volume = loaded(loader.load(List.of(dir), series.seriesUid));

        assertThat(volume.sliceCount()).isEqualTo(3);
        for (int i = 0; i < 3; i++) {
            float[] hu = volume.readSlice(i);
            int padding = SyntheticCt.storedValue(i, 0, 0);
            for (int p = 0; p < hu.length; p++) {
                int stored = SyntheticCt.storedValue(i, p / 5, p % 5);
                assertThat(hu[p]).isEqualTo(stored == padding ? SeriesLoader.DEFAULT_PADDING_FILL_HU : stored - 1024f);
            }
        }
    }

    @Test
    void appliesRescaleSlopeAndInterceptPerSlice() throws IOException {
        SyntheticCt.Series series = new SyntheticCt.Series();
        SyntheticCt.Slice first = series.slice(0);
        first.slope = 0.5;
        first.intercept = -1000;
        first.writeTo(dir);
        SyntheticCt.Slice second = series.slice(1);
        second.slope = 2;
        second.intercept = 10;
        second.writeTo(dir);

        float[][] hu = loaded(loader.load(List.of(dir), series.seriesUid)).readSlices(0, 2);

        assertThat(hu[0][7]).isEqualTo(SyntheticCt.storedValue(0, 1, 2) * 0.5f - 1000f);
        assertThat(hu[1][7]).isEqualTo(SyntheticCt.storedValue(1, 1, 2) * 2f + 10f);
    }

    @Test
    void readsUnsignedPixelsWithTwelveStoredBits() throws IOException {
        SyntheticCt.Series series = new SyntheticCt.Series();
        SyntheticCt.Slice s = series.slice(0);
        s.signed = false;
        s.bitsStored = 12;
        // 0xF000 bits above High Bit are not part of the value and must be ignored
        s.rawPixels = new short[s.rows * s.columns];
        s.rawPixels[0] = (short) 0xF000;
        s.rawPixels[1] = (short) 0x0FFF;
        s.rawPixels[2] = (short) (0xF000 | 1024);
        s.writeTo(dir);

        float[] hu = loaded(loader.load(List.of(dir), series.seriesUid)).readSlice(0);

        assertThat(hu[0]).isEqualTo(-1024f);
        assertThat(hu[1]).isEqualTo(4095f - 1024f);
        assertThat(hu[2]).isEqualTo(0f);
    }

    @Test
    void signExtendsSignedPixelsFromBitsStored() throws IOException {
        SyntheticCt.Series series = new SyntheticCt.Series();
        SyntheticCt.Slice s = series.slice(0);
        s.bitsStored = 12;
        s.intercept = 0;
        s.rawPixels = new short[s.rows * s.columns];
        s.rawPixels[0] = (short) 0x0FFB;   // -5 in 12 bits
        s.rawPixels[1] = (short) 0x7800;   // -2048 in 12 bits, garbage above
        s.rawPixels[2] = (short) 0x07FF;   // 2047
        s.writeTo(dir);

        float[] hu = loaded(loader.load(List.of(dir), series.seriesUid)).readSlice(0);

        assertThat(hu[0]).isEqualTo(-5f);
        assertThat(hu[1]).isEqualTo(-2048f);
        assertThat(hu[2]).isEqualTo(2047f);
    }

    @Test
    void replacesPaddingPixelsWithTheConfiguredFillAndReportsThePadding() throws IOException {
        SyntheticCt.Series series = new SyntheticCt.Series();
        SyntheticCt.Slice s = series.slice(0);
        s.paddingValue = -2000;
        s.rawPixels = new short[s.rows * s.columns];
        s.rawPixels[0] = -2000;
        s.rawPixels[1] = -1999;
        s.writeTo(dir);

        Volume byDefault = loaded(loader.load(List.of(dir), series.seriesUid));
        Volume custom = loaded(new SeriesLoader(new SeriesLoader.Options(-3000f)).load(List.of(dir), series.seriesUid));

        assertThat(byDefault.pixelPaddings()).containsExactly(new PixelPadding(-2000, -2000, -1024f));
        assertThat(byDefault.readSlice(0)[0]).isEqualTo(-1024f);
        assertThat(byDefault.readSlice(0)[1]).isEqualTo(-1999f - 1024f);
        assertThat(custom.readSlice(0)[0]).isEqualTo(-3000f);
    }

    @Test
    void honoursPixelPaddingRangeLimit() throws IOException {
        SyntheticCt.Series series = new SyntheticCt.Series();
        SyntheticCt.Slice s = series.slice(0);
        s.signed = false;
        s.intercept = -1024;
        s.paddingValue = 0;
        s.paddingRangeLimit = 10;
        s.rawPixels = new short[s.rows * s.columns];
        s.rawPixels[0] = 0;
        s.rawPixels[1] = 10;
        s.rawPixels[2] = 11;
        s.writeTo(dir);

        Volume volume = loaded(loader.load(List.of(dir), series.seriesUid));
        float[] hu = volume.readSlice(0);

        assertThat(volume.pixelPaddings()).containsExactly(new PixelPadding(0, 10, -1024f));
        assertThat(hu[1]).isEqualTo(-1024f);
        assertThat(hu[2]).isEqualTo(11f - 1024f);
    }

    @Test
    void loadsEachSeriesOnItsOwnAndKeepsOnlyTheRequestedOne() throws IOException {
        SyntheticCt.Series good = new SyntheticCt.Series();
        SyntheticCt.Series bad = new SyntheticCt.Series();
        List<Path> goodFiles = writeSeries(good, 3);
        Path badFile = bad.slice(0).writeTo(dir);
        SyntheticCt.Slice wrongSize = bad.slice(1);
        wrongSize.rows = 7;
        wrongSize.writeTo(dir);
        Files.writeString(dir.resolve("README.txt"), "not DICOM");

        List<SeriesLoadResult> all = loader.loadAll(List.of(dir));

        assertThat(all).filteredOn(r -> r instanceof SeriesLoadResult.Loaded)
                .singleElement().extracting(SeriesLoadResult::seriesInstanceUid).isEqualTo(good.seriesUid);
        assertThat(all).filteredOn(r -> r instanceof SeriesLoadResult.Refused)
                .singleElement().satisfies(r -> {
                    assertThat(r.seriesInstanceUid()).isEqualTo(bad.seriesUid);
                    assertThat(((SeriesLoadResult.Refused) r).reason()).isEqualTo(Refusal.MIXED_DIMENSIONS);
                });
        assertThat(all).filteredOn(r -> r instanceof SeriesLoadResult.Unreadable)
                .singleElement().satisfies(r -> assertThat(((SeriesLoadResult.Unreadable) r).file().getFileName()).hasToString("README.txt"));
        List<Path> goodAndBad = new ArrayList<>(goodFiles);
        goodAndBad.add(badFile);
        goodAndBad.addAll(goodFiles);
        assertThat(loaded(loader.load(goodAndBad, good.seriesUid)).sliceCount()).isEqualTo(3);
    }

    @Test
    void exposesIdentifiersAndTheSourceHeaderWithoutPixelData() throws IOException {
        SyntheticCt.Series series = new SyntheticCt.Series();
        writeSeries(series, 2);

        Volume volume = loaded(loader.load(List.of(dir), series.seriesUid));

        assertThat(volume.studyInstanceUid()).isEqualTo(series.studyUid);
        assertThat(volume.frameOfReferenceUid()).isEqualTo(series.frameOfReferenceUid);
        assertThat(volume.slices()).extracting(SliceInfo::sopClassUid).containsOnly("1.2.840.10008.5.1.4.1.1.2");
        var header = volume.readHeader(0);
        assertThat(header.getPixelData()).isNull();
        assertThat(com.pixelmed.dicom.Attribute.getSingleStringValueOrEmptyString(header,
                com.pixelmed.dicom.TagFromName.PatientID)).isEqualTo(SyntheticCt.PATIENT_ID);
        assertThat(volume.toString()).contains(series.seriesUid).doesNotContain(SyntheticCt.PATIENT_ID);
    }

    @Test
    void readsASliceFileThatChangedAfterLoadingAsAClearError() throws IOException {
        SyntheticCt.Series series = new SyntheticCt.Series();
        List<Path> files = writeSeries(series, 2);
        Volume volume = loaded(loader.load(files, series.seriesUid));
        Path firstFile = volume.slices().get(0).file();
        Files.delete(firstFile);

        assertThatThrownBy(() -> volume.readSlices(0, 2))
                .isInstanceOf(SeriesLoadException.class)
                .hasMessageContaining(series.seriesUid)
                .hasMessageContaining(volume.slices().get(0).sopInstanceUid())
                .satisfies(e -> assertThat(((SeriesLoadException) e).refusal()).isEqualTo(Refusal.UNREADABLE_FILE));
    }
}
