package org.ctai.inference;

import org.ctai.inference.series.Refusal;
import org.ctai.inference.series.SeriesLoadException;
import org.ctai.inference.segment.Segmenter;
import org.ctai.inference.series.Geometry;
import org.ctai.inference.series.Volume;
import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.TagFromName;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.ctai.inference.measure.BodyOutliner;
import org.ctai.inference.measure.BodyProfile;
import org.ctai.inference.measure.Lesion;
import org.ctai.inference.measure.LesionMeasurer;
import org.ctai.inference.measure.MeasurementRun;
import org.ctai.inference.model.ModelContract.SegmentLabel;
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
     * What the analysis found for one of the model's labels: one DICOM SEG segment per label (or per lesion of
     * each label) and the SR's Finding and Finding Site come from here.
     *
     * @param value        the label's value in the model's masks: {@code k} for {@code spec().labels().get(k - 1)}
     * @param label        its codes and name
     * @param lesions      the 3-D lesions of this label alone, by decreasing volume, with the ids they have in
     *                     {@link Analysis#lesions()}; may be empty
     * @param lesionLabels by slice index, only for slices holding this label: each pixel's lesion id, 0 for none
     */
    public record LabelFindings(int value, SegmentLabel label, List<Lesion> lesions, Map<Integer, short[]> lesionLabels) {
        public LabelFindings {
            java.util.Objects.requireNonNull(label, "label");
            lesions = List.copyOf(lesions);
            lesionLabels = Collections.unmodifiableMap(new TreeMap<>(lesionLabels));
        }
    }

    /**
     * What the analysis found.
     *
     * @param lesions      numbered by decreasing volume; empty when there is no lesion (a normal result). With
     *                     several labels, each label's lesions (measured on that label's mask alone) numbered after
     *                     the previous label's, so an id names one lesion of one label everywhere
     * @param lesionLabels by slice index, only for slices holding lesion pixels: each pixel's lesion id
     *                     ({@link Lesion#id()}), 0 for none, after small components were removed
     * @param byLabel      the same per label of the model, in label order; for a one-label model the one entry holds
     *                     {@code lesions} and {@code lesionLabels} themselves
     * @param timings      per stage; {@code load} and {@code write} are zero here, for the caller to add
     * @param body         the patient's body along the table, measured as the slices passed through the model (for
     *                     aligning this study with the patient's others); empty where no slice passed by
     */
    public record Analysis(Volume volume, List<Lesion> lesions, Map<Integer, short[]> lesionLabels,
                           Duration segmentation, Duration measurement, List<LabelFindings> byLabel, StageTimings timings,
                           BodyProfile body) {
        public Analysis {
            lesions = List.copyOf(lesions);
            lesionLabels = Collections.unmodifiableMap(new TreeMap<>(lesionLabels));
            byLabel = List.copyOf(byLabel);
            java.util.Objects.requireNonNull(timings, "timings");
            java.util.Objects.requireNonNull(body, "body");
        }

        /**
         * One label, {@link SegmentLabel#NEOPLASM} (for masks not from a model, such as a reader's drawing), and
         * timings of segmentation as inference and measurement as postprocess.
         */
        public Analysis(Volume volume, List<Lesion> lesions, Map<Integer, short[]> lesionLabels, Duration segmentation,
                        Duration measurement) {
            this(volume, lesions, lesionLabels, segmentation, measurement,
                    List.of(new LabelFindings(1, SegmentLabel.NEOPLASM, lesions, lesionLabels)),
                    new StageTimings(Duration.ZERO, Duration.ZERO, segmentation, measurement, Duration.ZERO), BodyProfile.empty());
        }

        /** The label lesion {@code lesionId} belongs to. */
        public SegmentLabel labelOf(int lesionId) {
            for (LabelFindings f : byLabel) for (Lesion l : f.lesions()) if (l.id() == lesionId) return f.label();
            throw new IllegalArgumentException("no lesion " + lesionId + " in the analysis of " + volume.seriesInstanceUid());
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
        StageTimer timer = new StageTimer();
        List<byte[]> masks = new ArrayList<>(volume.sliceCount());
        BodyOutliner outliner = new BodyOutliner(volume.geometry());
        segmenter.segment(volume, (index, hu, mask) -> {
            masks.add(mask);
            outliner.add(index, hu);
            slicesSegmented.accept(index + 1);
        }, timer);
        Duration segmentation = Duration.ofNanos(System.nanoTime() - t0);
        List<SegmentLabel> labels = segmenter.spec().labels();
        timer.start(StageTimer.Stage.POSTPROCESS);
        long m0 = System.nanoTime();
        if (labels.size() == 1) {
            Analysis measured = measure(measurer, volume, masks);
            Duration measurement = Duration.ofNanos(System.nanoTime() - m0);
            return new Analysis(volume, measured.lesions(), measured.lesionLabels(), segmentation, measurement,
                    List.of(new LabelFindings(1, labels.get(0), measured.lesions(), measured.lesionLabels())), timer.timings(),
                    outliner.finish());
        }
        // each label measured on its own mask; its lesions numbered after the previous labels' ones
        List<LabelFindings> byLabel = new ArrayList<>();
        List<Lesion> all = new ArrayList<>();
        Map<Integer, short[]> allLabels = new TreeMap<>();
        for (int k = 1; k <= labels.size(); k++) {
            List<byte[]> only = new ArrayList<>(masks.size());
            for (byte[] mask : masks) only.add(labelOnly(mask, k));
            Analysis one = measure(measurer, volume, only);
            int offset = all.size();
            List<Lesion> lesions = one.lesions().stream().map(l -> l.withId(l.id() + offset)).toList();
            Map<Integer, short[]> lesionLabels = new TreeMap<>();
            one.lesionLabels().forEach((slice, ids) -> {
                short[] renumbered = new short[ids.length];
                for (int i = 0; i < ids.length; i++) if (ids[i] != 0) renumbered[i] = (short) (ids[i] + offset);
                lesionLabels.put(slice, renumbered);
                short[] merged = allLabels.computeIfAbsent(slice, s -> new short[ids.length]);
                for (int i = 0; i < ids.length; i++) if (ids[i] != 0) merged[i] = renumbered[i];
            });
            byLabel.add(new LabelFindings(k, labels.get(k - 1), lesions, lesionLabels));
            all.addAll(lesions);
        }
        Duration measurement = Duration.ofNanos(System.nanoTime() - m0);
        return new Analysis(volume, all, allLabels, segmentation, measurement, byLabel, timer.timings(), outliner.finish());
    }

    private static byte[] labelOnly(byte[] mask, int label) {
        byte[] only = new byte[mask.length];
        for (int i = 0; i < mask.length; i++) if (mask[i] == label) only[i] = 1;
        return only;
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
