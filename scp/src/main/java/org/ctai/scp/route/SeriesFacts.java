package org.ctai.scp.route;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.TagFromName;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What the rules see of one series, gathered from the headers of ALL its instances (never the first alone): for
 * each fact the distinct values its instances hold (an empty list where an instance has none), the instance and
 * slice counts, and the calling AE title. Immutable and thread-safe.
 */
public final class SeriesFacts {
    private final String seriesInstanceUid;
    private final int instances;
    private final Map<Fact, Set<List<String>>> values;
    /** Facts the source could not tell (a query answer without them); empty for facts read from headers. */
    private final Set<Fact> unknown;

    private SeriesFacts(String seriesInstanceUid, int instances, Map<Fact, Set<List<String>>> values, Set<Fact> unknown) {
        this.seriesInstanceUid = seriesInstanceUid;
        this.instances = instances;
        this.values = values;
        this.unknown = unknown;
    }

    /**
     * The facts of a series as a C-FIND answer at SERIES level tells them, before any instance is retrieved (the
     * study level answer's attributes, such as Study Description, may be merged into {@code answer}). A fact is known
     * only where the answer holds a value for it: a PACS returns an empty value for a key it does not support, so an
     * empty one cannot mean "absent". {@code instances} comes from Number of Series Related Instances (0020,1209);
     * {@code slices} and {@code sopClass} are never known here. A rule that reads an unknown fact holds
     * ({@link Rule#failure}), so these facts exclude a series only on what the PACS did say; instance-level values
     * (Image Type, Slice Thickness...) are those of one instance the PACS picked. Run the full rules again on the
     * retrieved headers.
     *
     * @param callingAeTitle the AE title the series will arrive from (the PACS), or empty
     */
    public static SeriesFacts fromQuery(AttributeList answer, String callingAeTitle) {
        SeriesFacts read = of(List.of(answer), callingAeTitle);
        Map<Fact, Set<List<String>>> values = new EnumMap<>(read.values);
        Set<Fact> unknown = java.util.EnumSet.noneOf(Fact.class);
        for (Fact f : Fact.values()) {
            if (values.get(f).stream().allMatch(List::isEmpty)) unknown.add(f);
        }
        unknown.add(Fact.SLICES);
        unknown.add(Fact.SOP_CLASS);
        String count = Attribute.getSingleStringValueOrEmptyString(answer, TagFromName.NumberOfSeriesRelatedInstances).trim();
        int instances = 0;
        try {
            instances = Integer.parseInt(count);
            values.put(Fact.INSTANCES, Set.of(List.of(count)));
        } catch (NumberFormatException e) {
            unknown.add(Fact.INSTANCES);
        }
        return new SeriesFacts(read.seriesInstanceUid, instances, values, Set.copyOf(unknown));
    }

    /** Whether every one of {@code facts} is known (always, for facts read from headers). */
    boolean knowsAll(Set<Fact> facts) {
        return java.util.Collections.disjoint(unknown, facts);
    }

    /**
     * Reads the header (everything before Pixel Data) of each file with PixelMed.
     *
     * @param files           every instance of one series
     * @param callingAeTitle  the AE title that sent it, or empty (a dry run)
     * @throws IOException naming the file that cannot be read as DICOM
     */
    public static SeriesFacts read(Collection<Path> files, String callingAeTitle) throws IOException {
        List<AttributeList> headers = new ArrayList<>();
        for (Path f : files) headers.add(header(f));
        return of(headers, callingAeTitle);
    }

    /** The header of one file, Pixel Data not read. */
    public static AttributeList header(Path file) throws IOException {
        AttributeList list = new AttributeList();
        try {
            list.read(file.toFile(), TagFromName.PixelData);
        } catch (DicomException | RuntimeException e) {
            throw new IOException("cannot read the DICOM header of " + file + ": " + e.getMessage(), e);
        }
        return list;
    }

    /** The facts of the series whose instances' headers are {@code headers} (at least one). */
    public static SeriesFacts of(List<AttributeList> headers, String callingAeTitle) {
        if (headers.isEmpty()) throw new IllegalArgumentException("a series has at least one instance");
        Map<Fact, Set<List<String>>> values = new EnumMap<>(Fact.class);
        for (Fact f : Fact.values()) values.put(f, new LinkedHashSet<>());
        Set<List<String>> positions = new HashSet<>();
        for (AttributeList h : headers) {
            for (Fact f : Fact.values()) {
                if (f.tag != null && f.kind != Fact.Kind.ORIENTATION) values.get(f).add(strings(h, f));
            }
            List<String> orientation = orientation(h);
            values.get(Fact.ORIENTATION).add(orientation);
            values.get(Fact.TILT).add(orientation.isEmpty() ? List.of() : List.of(orientation.get(0)));
            values.get(Fact.OBLIQUITY).add(orientation.isEmpty() ? List.of() : List.of(orientation.get(1)));
            List<String> position = Arrays.stream(Attribute.getStringValues(h, TagFromName.ImagePositionPatient) == null ? new String[0]
                    : Attribute.getStringValues(h, TagFromName.ImagePositionPatient)).map(String::trim).toList();
            if (position.size() == 3) positions.add(position);
        }
        values.get(Fact.INSTANCES).add(List.of(Integer.toString(headers.size())));
        values.get(Fact.SLICES).add(List.of(Integer.toString(positions.size())));
        values.get(Fact.CALLING_AE).add(callingAeTitle == null || callingAeTitle.isBlank() ? List.of() : List.of(callingAeTitle.trim()));
        values.replaceAll((f, v) -> Set.copyOf(v));
        return new SeriesFacts(Attribute.getSingleStringValueOrEmptyString(headers.get(0), TagFromName.SeriesInstanceUID).trim(),
                headers.size(), values, Set.of());
    }

    private static List<String> strings(AttributeList h, Fact f) {
        String[] v = Attribute.getStringValues(h, f.tag) == null ? new String[0] : Attribute.getStringValues(h, f.tag);
        List<String> out = new ArrayList<>();
        for (String s : v) {
            if (s != null && !s.trim().isEmpty()) out.add(s.trim());
        }
        if (f.kind == Fact.Kind.TEXT && out.size() > 1) return List.of(String.join("\\", out));
        return List.copyOf(out);
    }

    /** Tilt and obliquity in degrees (2 decimals), from Image Orientation (Patient); empty without a valid one. */
    private static List<String> orientation(AttributeList h) {
        double[] o;
        try {
            Attribute a = h.get(TagFromName.ImageOrientationPatient);
            o = a == null ? null : a.getDoubleValues();
        } catch (DicomException e) {
            o = null;
        }
        if (o == null || o.length != 6) return List.of();
        double nx = o[1] * o[5] - o[2] * o[4], ny = o[2] * o[3] - o[0] * o[5], nz = o[0] * o[4] - o[1] * o[3];
        double length = Math.sqrt(nx * nx + ny * ny + nz * nz);
        if (!(length > 0.5)) return List.of();
        nx /= length;
        ny /= length;
        nz /= length;
        double tilt = Math.toDegrees(Math.atan2(Math.abs(ny), Math.abs(nz)));
        double obliquity = Math.toDegrees(Math.asin(Math.min(1, Math.abs(nx))));
        return List.of(String.format(Locale.ROOT, "%.2f", tilt), String.format(Locale.ROOT, "%.2f", obliquity));
    }

    public String seriesInstanceUid() {
        return seriesInstanceUid;
    }

    public int instances() {
        return instances;
    }

    /** The distinct values the instances hold for {@code fact}; an empty list stands for instances without one. */
    Set<List<String>> values(Fact fact) {
        return values.get(fact);
    }

    /** A Modality of the series (the first found), for listing it; empty if none. */
    public String modality() {
        return first(Fact.MODALITY);
    }

    /** A Series Description of the series (the first found), for listing it; empty if none. */
    public String seriesDescription() {
        return first(Fact.SERIES_DESCRIPTION);
    }

    /** The largest Slice Thickness of the instances, or NaN when none says it. */
    public double sliceThicknessMm() {
        return values.get(Fact.SLICE_THICKNESS).stream().filter(v -> !v.isEmpty()).mapToDouble(v -> {
            try {
                return Double.parseDouble(v.get(0));
            } catch (NumberFormatException e) {
                return Double.NaN;
            }
        }).filter(Double::isFinite).max().orElse(Double.NaN);
    }

    /** The number of distinct slice positions. */
    public int slices() {
        return Integer.parseInt(first(Fact.SLICES).isEmpty() ? "0" : first(Fact.SLICES));
    }

    private String first(Fact f) {
        return values.get(f).stream().filter(v -> !v.isEmpty()).map(v -> String.join("\\", v)).findFirst().orElse("");
    }
}
