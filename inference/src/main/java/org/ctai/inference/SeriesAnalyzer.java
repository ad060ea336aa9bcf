package org.ctai.inference;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.TagFromName;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.ctai.inference.measure.Lesion;
import org.ctai.inference.measure.LesionMeasurer;
import org.ctai.inference.measure.MeasurementRun;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole offline path for one loaded series: segment every slice (pixels read a batch at a time),
 * find and measure the lesions, and keep the cleaned lesion masks of the slices that have any. Used by the
 * node's worker and by {@code ./ctai analyze}. Thread-safe if its {@link Segmenter} is.
 */
public final class SeriesAnalyzer {
    private static final Logger log = LoggerFactory.getLogger(SeriesAnalyzer.class);
    private final Segmenter segmenter;
    private final LesionMeasurer measurer;

    public SeriesAnalyzer(Segmenter segmenter, LesionMeasurer measurer) {
        this.segmenter = Objects.requireNonNull(segmenter, "segmenter");
        this.measurer = Objects.requireNonNull(measurer, "measurer");
    }

    public Segmenter segmenter() {
        return segmenter;
    }

    /**
     * What the analysis found.
     *
     * @param lesions      numbered by decreasing volume; empty when there is no lesion (a normal result)
     * @param lesionLabels by slice index, only for slices holding lesion pixels: each pixel's lesion id
     *                     ({@link Lesion#id()}), 0 for none, after small components were removed
     */
    public record Analysis(Volume volume, List<Lesion> lesions, Map<Integer, short[]> lesionLabels,
                           Duration segmentation, Duration measurement) {
        public Analysis {
            lesions = List.copyOf(lesions);
            lesionLabels = Collections.unmodifiableMap(new TreeMap<>(lesionLabels));
        }

        /** 0/1 mask of every lesion on a slice; all zero for a slice without lesion. */
        public byte[] lesionMask(int slice) {
            short[] labels = lesionLabels.get(slice);
            Geometry g = volume.geometry();
            byte[] mask = new byte[g.rows() * g.columns()];
            if (labels != null) for (int i = 0; i < labels.length; i++) if (labels[i] != 0) mask[i] = 1;
            return mask;
        }

        /** 0/1 mask of one lesion on a slice. */
        public byte[] lesionMask(int slice, int lesionId) {
            short[] labels = lesionLabels.get(slice);
            Geometry g = volume.geometry();
            byte[] mask = new byte[g.rows() * g.columns()];
            if (labels != null) for (int i = 0; i < labels.length; i++) if (labels[i] == lesionId) mask[i] = 1;
            return mask;
        }
    }

    /**
     * @throws SeriesLoadException if a slice's pixels cannot be read
     * @throws InferenceException  if the model fails
     */
    public Analysis analyze(Volume volume) {
        return analyze(volume, done -> { });
    }

    /**
     * As {@link #analyze(Volume)}, telling {@code slicesSegmented} how many slices are segmented so far, after each
     * batch (from the calling thread).
     */
    public Analysis analyze(Volume volume, java.util.function.IntConsumer slicesSegmented) {
        long t0 = System.nanoTime();
        List<byte[]> masks = new ArrayList<>(volume.sliceCount());
        segmenter.segment(volume, (index, hu, mask) -> {
            masks.add(mask);
            slicesSegmented.accept(index + 1);
        });
        Analysis measured = measure(measurer, volume, masks);
        return new Analysis(volume, measured.lesions(), measured.lesionLabels(), Duration.ofNanos(System.nanoTime() - t0).minus(measured.measurement()),
                measured.measurement());
    }

    /**
     * The measuring half of {@link #analyze}: lesions from given masks (one 0/1 mask per slice, emptied by this
     * call so a large series' masks can go), HU re-read only for lesion slices. For masks that come from
     * elsewhere than the model, such as a reader's drawing.
     *
     * @throws SeriesLoadException if a single-slice series has no Slice Thickness (no voxel depth for volumes)
     */
    public static Analysis measure(LesionMeasurer measurer, Volume volume, List<byte[]> masks) {
        long t0 = System.nanoTime();
        double thickness = sliceThicknessMm(volume);
        if (volume.sliceCount() == 1 && !(thickness > 0)) {
            throw new SeriesLoadException(volume.seriesInstanceUid(), Refusal.MISSING_ATTRIBUTE, "series " + volume.seriesInstanceUid()
                    + " has a single slice without Slice Thickness (0018,0050): lesion volumes cannot be measured");
        }
        MeasurementRun run = measurer.start(volume.geometry(), thickness, masks);
        masks.clear();
        int[] gaps = run.gapsAfterSlices();
        if (gaps.length > 0) {
            double[] distances = volume.geometry().sliceGapsMm();
            StringBuilder where = new StringBuilder();
            for (int i = 0; i < Math.min(gaps.length, 10); i++) {
                where.append(i == 0 ? "" : ", ").append(gaps[i]).append('-').append(gaps[i] + 1)
                        .append(String.format(java.util.Locale.ROOT, " (%.3f mm)", distances[gaps[i]]));
            }
            if (gaps.length > 10) where.append(", ...");
            log.warn("series {}: slice spacing {}, {} gap(s) between slices {}: lesions are not linked across a gap "
                    + "and no volume is counted inside it; missing slices?", volume.seriesInstanceUid(),
                    volume.geometry().describeSliceSpacing(), gaps.length, where);
        }
        Map<Integer, short[]> lesionLabels = new TreeMap<>();
        for (int slice : run.slicesNeedingHu()) {
            run.addHu(slice, roundedHu(volume.readSlice(slice)));
            lesionLabels.put(slice, run.lesionLabels(slice));
        }
        List<Lesion> lesions = new ArrayList<>(run.finish());
        return new Analysis(volume, lesions, lesionLabels, Duration.ZERO, Duration.ofNanos(System.nanoTime() - t0));
    }

    /** DICOM Slice Thickness of the first slice; only used for a single-slice series' voxel depth. */
    private static double sliceThicknessMm(Volume volume) {
        if (volume.sliceCount() > 1) return Double.NaN;
        return Attribute.getSingleDoubleValueOrDefault(volume.readHeader(0), TagFromName.SliceThickness, Double.NaN);
    }

    /** HU rounded to whole numbers and clamped to 16 bits, as the measurements and overlays take them. */
    public static short[] roundedHu(float[] hu) {
        short[] s = new short[hu.length];
        for (int i = 0; i < hu.length; i++) {
            s[i] = (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, Math.round(hu[i])));
        }
        return s;
    }
}
