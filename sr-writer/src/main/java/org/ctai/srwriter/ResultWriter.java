package org.ctai.srwriter;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;

import org.ctai.inference.model.ModelContract.SegmentLabel;
import org.ctai.inference.SeriesAnalyzer.Analysis;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Builds the DICOM results of one analysed CT series (SEG, SR, overlay Secondary Captures) and writes them
 * as Part 10 files. Pure apart from {@link #write}: analysis in, data sets out; the source CT files are read
 * for their headers and, for overlays, their pixels.
 *
 * <p>Every object gets the source's patient, study and (SEG) Frame of Reference, a new series per kind and
 * the creation time of one {@link #build} call from the injected clock. Thread-safe: each call builds its own
 * objects.
 */
public final class ResultWriter {

    private final ResultOptions options;
    private final SegWriter segWriter;
    private final SrWriter srWriter;
    private final OverlayWriter overlayWriter;
    private final Clock clock;

    /**
     * @param label what a one-label model's masks are ({@code Segmenter.spec().labels().get(0)}); with several
     *              labels each lesion's own label ({@code Analysis.byLabel()}) describes it
     * @param clock gives the content date and time, in its zone
     */
    public ResultWriter(ResultOptions options, ModelInfo model, SegmentLabel label, Clock clock) {
        this.options = Objects.requireNonNull(options, "options");
        this.clock = Objects.requireNonNull(clock, "clock");
        Equipment equipment = Equipment.node(model, options.deviceSerialNumber());
        this.segWriter = new SegWriter(model, label, equipment);
        this.srWriter = new SrWriter(model, equipment);
        this.overlayWriter = new OverlayWriter(options.window(), equipment);
    }

    /**
     * Builds the SEG (when there is a lesion), the measurement report (always; without a lesion it says so) and
     * the overlays (when enabled and there is a lesion).
     *
     * @throws SrWriteException         if an object cannot be built
     * @throws org.ctai.inference.series.SeriesLoadException if a source file cannot be read any more
     */
    public Results build(Analysis analysis) {
        Objects.requireNonNull(analysis, "analysis");
        ZonedDateTime created = ZonedDateTime.now(clock);
        Map<Integer, LesionTracking> tracking = LesionTracking.assign(analysis);
        Optional<SegResult> seg = segWriter.write(analysis,
                new CommonModules.Series(CommonModules.newUid(), options.segSeriesNumber(), options.segSeriesDescription()),
                created, tracking);
        AttributeList sr = srWriter.write(analysis, seg.map(SegResult::reference), tracking,
                new CommonModules.Series(CommonModules.newUid(), options.srSeriesNumber(), options.srSeriesDescription()),
                created);
        List<AttributeList> overlays = List.of();
        if (options.overlays()) {
            Map<Integer, String> names = tracking.entrySet().stream()
                    .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().identifier()));
            overlays = overlayWriter.write(analysis, new CommonModules.Series(CommonModules.newUid(),
                    options.overlaySeriesNumber(), options.overlaySeriesDescription()), created, names);
        }
        return new Results(seg, sr, overlays);
    }

    /**
     * Writes every object of {@code results} into {@code folder} (created if missing) as a Part 10 file, Explicit
     * VR Little Endian: {@code SEG-<sop uid>.dcm}, {@code SR-<sop uid>.dcm}, {@code SC-<sop uid>.dcm}. Each file
     * is written under a temporary name, forced to disk and renamed, so a reader never sees half a file.
     *
     * @return the files, SEG first, then SR, then overlays
     * @throws IOException if a file cannot be written
     */
    public static List<Written> write(Results results, Path folder) throws IOException {
        Files.createDirectories(folder);
        List<Written> written = new ArrayList<>();
        if (results.seg().isPresent()) written.add(writeOne(results.seg().get().dataset(), folder, Written.Kind.SEG));
        written.add(writeOne(results.sr(), folder, Written.Kind.SR));
        for (AttributeList overlay : results.overlays()) written.add(writeOne(overlay, folder, Written.Kind.OVERLAY));
        return written;
    }

    /** One object on disk: what it is, its SOP Class and Instance UID, and its file. */
    public record Written(Kind kind, String sopClassUid, String sopInstanceUid, Path file) {
        public enum Kind { SEG, SR, OVERLAY }
    }

    private static Written writeOne(AttributeList list, Path folder, Written.Kind kind) throws IOException {
        String prefix = kind == Written.Kind.OVERLAY ? "SC-" : kind.name() + "-";
        String sop = Attribute.getSingleStringValueOrEmptyString(list, TagFromName.SOPInstanceUID);
        Path target = folder.resolve(prefix + sop + ".dcm");
        Path temp = folder.resolve("." + prefix + sop + ".tmp");
        try {
            list.write(temp.toFile(), TransferSyntax.ExplicitVRLittleEndian, true, true);
            // PixelMed closes its stream itself: reopen to force the bytes to disk before the rename
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return new Written(kind, Attribute.getSingleStringValueOrEmptyString(list, TagFromName.SOPClassUID), sop, target);
        } catch (DicomException | IOException | RuntimeException e) {
            IOException failure = e instanceof IOException io ? io
                    : new IOException("cannot write SOP instance " + sop + " to " + folder + ": " + e.getMessage(), e);
            try {
                Files.deleteIfExists(temp);
            } catch (IOException cleanup) {
                failure.addSuppressed(cleanup);
            }
            throw failure;
        }
    }
}
