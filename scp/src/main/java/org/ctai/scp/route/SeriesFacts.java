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

    private SeriesFacts(String seriesInstanceUid, int instances, Map<Fact, Set<List<String>>> values) {
        this.seriesInstanceUid = seriesInstanceUid;
        this.instances = instances;
        this.values = values;
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
                headers.size(), values);
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
