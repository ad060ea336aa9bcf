package org.ctai.inference.series;

import com.pixelmed.dicom.TransferSyntax;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Reads CT series from DICOM files with PixelMed.
 *
 * <p>Each series is checked on its own: one bad series never affects another. A series is refused
 * ({@link SeriesLoadResult.Refused}, with a {@link Refusal} and a message that names the series and
 * the SOP instance concerned, never the patient) when it is not CT Image Storage with Modality CT,
 * when its slices differ in rows/columns, pixel spacing, orientation or frame of reference, when two
 * slices share a position, when a slice lacks pixel data or a needed attribute, is truncated, or is
 * encoded in a transfer syntax this build cannot decode (only the uncompressed ones, deflate and RLE
 * are decoded).
 *
 * <p>Slices are sorted by Image Position (Patient) projected on the normal of Image Orientation
 * (Patient), never by Instance Number. Only headers are read here (up to Pixel Data); pixels are read
 * later through {@link Volume#readSlices}.
 *
 * <p>Immutable and thread-safe.
 */
public final class SeriesLoader {

    private static final Logger log = LoggerFactory.getLogger(SeriesLoader.class);

    /** HU given to padding pixels by default: air, which is what lies outside the field of view. */
    public static final float DEFAULT_PADDING_FILL_HU = -1024f;

    /** Loader settings. {@code paddingFillHu}: HU returned for pixels inside the declared Pixel Padding range. */
    public record Options(float paddingFillHu) {
        public static final Options DEFAULTS = new Options(DEFAULT_PADDING_FILL_HU);

        public Options {
            if (!Float.isFinite(paddingFillHu)) {
                throw new IllegalArgumentException("padding fill must be a finite HU value, was " + paddingFillHu);
            }
        }
    }

    /**
     * Transfer syntaxes whose pixel data this build decodes (PixelMed, with its JPEG lossless ImageIO plugin
     * and the JJ2000 JPEG 2000 plugin on the classpath; each tested on files compressed by DCMTK and GDCM in
     * RealCtFilesTest): the uncompressed ones, deflate, RLE, JPEG lossless (process 14 and its selection value
     * 1) and JPEG 2000 (lossless only, and lossless or lossy). A series in any other syntax is refused with
     * {@link Refusal#UNSUPPORTED_TRANSFER_SYNTAX}. JPEG-LS (lossless and near-lossless) is decoded by GDCM's Java
     * binding (CharLS), and is here only where that binding loads (Debian's libgdcm-java, installed by
     * {@code ./ctai}). Not here: baseline/extended JPEG (8 or 12 bits, lossy, never CT numbers).
     */
    public static final Set<String> DECODABLE_TRANSFER_SYNTAXES = decodable(
            TransferSyntax.ImplicitVRLittleEndian,
            TransferSyntax.ExplicitVRLittleEndian,
            TransferSyntax.ExplicitVRBigEndian,
            TransferSyntax.DeflatedExplicitVRLittleEndian,
            TransferSyntax.RLE,
            TransferSyntax.JPEGLossless,
            TransferSyntax.JPEGLosslessSV1,
            TransferSyntax.JPEG2000Lossless,
            TransferSyntax.JPEG2000);

    /** The syntaxes PixelMed and its plugins decode, and JPEG-LS where GDCM's binding is installed. */
    private static Set<String> decodable(String... always) {
        Set<String> syntaxes = new java.util.LinkedHashSet<>(List.of(always));
        if (JpegLs.available()) syntaxes.addAll(JpegLs.TRANSFER_SYNTAXES);
        return Set.copyOf(syntaxes);
    }

    private final SeriesAssembler assembler;

    public SeriesLoader() {
        this(Options.DEFAULTS);
    }

    public SeriesLoader(Options options) {
        this.assembler = new SeriesAssembler(Objects.requireNonNull(options, "options").paddingFillHu());
    }

    /**
     * Loads the series {@code seriesInstanceUid} from the given files and folders (folders are
     * searched recursively). Files of other series are ignored; a file that is not readable DICOM is
     * taken to belong to this series and refuses it, since the caller said these files hold it.
     *
     * @throws UncheckedIOException if a folder cannot be listed
     */
    public SeriesLoadResult load(Collection<Path> filesOrFolders, String seriesInstanceUid) {
        Objects.requireNonNull(seriesInstanceUid, "seriesInstanceUid");
        List<SliceHeader> headers = new ArrayList<>();
        int otherSeries = 0;
        for (Path file : expand(filesOrFolders)) {
            SliceHeader header;
            try {
                header = SliceHeader.read(file);
            } catch (SliceHeader.UnreadableFileException e) {
                return refusedUnreadable(seriesInstanceUid, e);
            }
            if (header.seriesInstanceUid().equals(seriesInstanceUid)) {
                headers.add(header);
            } else {
                otherSeries++;
            }
        }
        if (otherSeries > 0) {
            log.debug("series {}: ignored {} files of other series", seriesInstanceUid, otherSeries);
        }
        return logged(assembler.assemble(seriesInstanceUid, headers));
    }

    /**
     * Loads every series found in the given files and folders (folders are searched recursively):
     * one result per Series Instance UID, in UID order, then one {@link SeriesLoadResult.Unreadable}
     * per file that is not readable DICOM or has no Series Instance UID.
     *
     * @throws UncheckedIOException if a folder cannot be listed
     */
    public List<SeriesLoadResult> loadAll(Collection<Path> filesOrFolders) {
        Map<String, List<SliceHeader>> bySeries = new TreeMap<>();
        List<SeriesLoadResult> unreadable = new ArrayList<>();
        for (Path file : expand(filesOrFolders)) {
            try {
                SliceHeader header = SliceHeader.read(file);
                String series = header.seriesInstanceUid();
                if (series.isEmpty()) {
                    unreadable.add(new SeriesLoadResult.Unreadable(file,
                            "file " + file.getFileName() + " has no Series Instance UID"));
                } else {
                    bySeries.computeIfAbsent(series, s -> new ArrayList<>()).add(header);
                }
            } catch (SliceHeader.UnreadableFileException e) {
                unreadable.add(new SeriesLoadResult.Unreadable(file, e.getMessage()));
            }
        }
        List<SeriesLoadResult> results = new ArrayList<>();
        bySeries.forEach((series, headers) -> results.add(logged(assembler.assemble(series, headers))));
        results.addAll(unreadable);
        return results;
    }

    private static SeriesLoadResult refusedUnreadable(String seriesUid, SliceHeader.UnreadableFileException e) {
        return logged(new SeriesLoadResult.Refused(seriesUid, Refusal.UNREADABLE_FILE, "series " + seriesUid + ": " + e.getMessage()));
    }

    private static SeriesLoadResult logged(SeriesLoadResult result) {
        if (result instanceof SeriesLoadResult.Loaded loaded) {
            Volume v = loaded.volume();
            Geometry g = v.geometry();
            // the real range, not the mean: a mean of 2.5 mm hides a series of 1.25 and 5 mm parts
            log.info("series {}: {} CT slices of {}x{}, pixel spacing {}x{} mm, slice spacing {}", v.seriesInstanceUid(),
                    v.sliceCount(), g.rows(), g.columns(), g.rowSpacingMm(), g.columnSpacingMm(),
                    g.describeSliceSpacing());
            for (PixelPadding p : v.pixelPaddings()) {
                log.info("series {}: pixel padding {}..{} (stored values) read as {} HU", v.seriesInstanceUid(),
                        p.lowStoredValue(), p.highStoredValue(), p.fillHu());
            }
        } else if (result instanceof SeriesLoadResult.Refused refused) {
            log.warn("{} refused ({}): {}", refused.seriesInstanceUid(), refused.reason(), refused.message());
        }
        return result;
    }

    /** Regular files under the given paths, each once, in path order; a missing path is kept so it reads as unreadable. */
    private static List<Path> expand(Collection<Path> filesOrFolders) {
        TreeSet<Path> files = new TreeSet<>();
        for (Path path : filesOrFolders) {
            if (Files.isDirectory(path)) {
                try (Stream<Path> walk = Files.walk(path)) {
                    walk.filter(Files::isRegularFile).map(Path::normalize).forEach(files::add);
                } catch (IOException | UncheckedIOException e) {
                    throw new UncheckedIOException("cannot list folder " + path,
                            e instanceof IOException io ? io : ((UncheckedIOException) e).getCause());
                }
            } else {
                files.add(path.normalize());
            }
        }
        return List.copyOf(files);
    }
}
