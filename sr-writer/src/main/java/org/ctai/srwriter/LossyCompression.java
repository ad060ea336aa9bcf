package org.ctai.srwriter;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.TagFromName;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.ctai.inference.series.SliceInfo;
import org.ctai.inference.series.Volume;

/**
 * Whether the pixels a result was derived from went through lossy compression, and how (PS3.3 C.7.6.1.1.5):
 * Lossy Image Compression "01" once any compression in an image's life lost information, never reset, with
 * Lossy Image Compression Ratio and Method, one value per lossy step in the order they happened. An object derived
 * from such an image carries the same values. Immutable.
 *
 * <p>A source says so either in its own attributes (Lossy Image Compression "01" and its ratio and method, as
 * written by whoever compressed it before) or by arriving in a lossy transfer syntax (JPEG 2000 .4.91 may be
 * lossy, JPEG-LS near-lossless .4.81, lossy JPEG .4.50/.4.51) without saying it: then the step is added, with the
 * method of the syntax and the ratio of the uncompressed pixel size to the file's size (approximate, as the
 * standard's ratio is).
 *
 * @param lossy   Lossy Image Compression "01"
 * @param ratios  Lossy Image Compression Ratio values (DS); empty when not lossy, or when a lossy source gave none
 * @param methods Lossy Image Compression Method values (CS), as the source gave them
 */
record LossyCompression(boolean lossy, List<String> ratios, List<String> methods) {

    static final LossyCompression NONE = new LossyCompression(false, List.of(), List.of());

    /** PS3.3 C.7.6.1.1.5.2 defined terms, by the transfer syntax that compresses that way lossily. */
    private static final Map<String, String> METHOD_BY_LOSSY_SYNTAX = Map.of(
            "1.2.840.10008.1.2.4.50", "ISO_10918_1",
            "1.2.840.10008.1.2.4.51", "ISO_10918_1",
            "1.2.840.10008.1.2.4.81", "ISO_14495_1",
            "1.2.840.10008.1.2.4.91", "ISO_15444_1");

    LossyCompression {
        ratios = List.copyOf(ratios);
        methods = List.copyOf(methods);
    }

    /** What one source instance's header (with its file meta information) and file say. */
    static LossyCompression of(AttributeList header, SliceInfo slice) {
        String flag = Attribute.getSingleStringValueOrEmptyString(header, TagFromName.LossyImageCompression).trim();
        String syntax = Attribute.getSingleStringValueOrEmptyString(header, TagFromName.TransferSyntaxUID).trim();
        List<String> ratios = new ArrayList<>(values(header, TagFromName.LossyImageCompressionRatio));
        List<String> methods = new ArrayList<>(values(header, TagFromName.LossyImageCompressionMethod));
        String syntaxMethod = METHOD_BY_LOSSY_SYNTAX.get(syntax);
        // a compressor that records its own step leaves "01" with its ratio, and often its method (GDCM writes no
        // method: the step without one is the syntax's); a sender that compressed in transit without saying so
        // leaves the flag at 00 or absent
        boolean recorded = flag.equals("01")
                && (syntaxMethod == null || methods.contains(syntaxMethod) || ratios.size() > methods.size());
        if (syntaxMethod != null && !recorded) {
            ratios.add(ratio(header, slice));
            methods.add(syntaxMethod);
        }
        while (syntaxMethod != null && methods.size() < ratios.size()) methods.add(syntaxMethod);
        if (!flag.equals("01") && syntaxMethod == null) return NONE;
        return new LossyCompression(true, ratios, methods);
    }

    /**
     * The history of a whole series: of the slices that went through lossy compression, the one with the highest
     * last ratio (the most information lost); {@link #NONE} when no slice did. Reads every slice's header.
     */
    static LossyCompression ofSeries(Volume volume) {
        LossyCompression worst = NONE;
        for (int i = 0; i < volume.sliceCount(); i++) {
            LossyCompression c = of(volume.readHeader(i), volume.slices().get(i));
            if (c.lossy() && (!worst.lossy() || c.lastRatio() > worst.lastRatio())) worst = c;
        }
        return worst;
    }

    /** Lossy Image Compression, and its ratio and method when it is "01". */
    void put(AttributeList list) {
        if (!lossy()) {
            CommonModules.put(list, TagFromName.LossyImageCompression, "00");
            return;
        }
        CommonModules.put(list, TagFromName.LossyImageCompression, "01");
        if (!ratios.isEmpty()) CommonModules.put(list, TagFromName.LossyImageCompressionRatio, ratios.toArray(String[]::new));
        if (!methods.isEmpty()) CommonModules.put(list, TagFromName.LossyImageCompressionMethod, methods.toArray(String[]::new));
    }

    private double lastRatio() {
        if (ratios.isEmpty()) return 0;
        try {
            return Double.parseDouble(ratios.get(ratios.size() - 1));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static List<String> values(AttributeList list, com.pixelmed.dicom.AttributeTag tag) {
        String[] v = Attribute.getStringValues(list, tag);
        List<String> out = new ArrayList<>();
        if (v != null) for (String s : v) if (s != null && !s.isBlank()) out.add(s.trim());
        return out;
    }

    /** Uncompressed pixel bytes over the file's bytes, two decimals. */
    private static String ratio(AttributeList header, SliceInfo slice) {
        long rows = Attribute.getSingleIntegerValueOrDefault(header, TagFromName.Rows, 0);
        long columns = Attribute.getSingleIntegerValueOrDefault(header, TagFromName.Columns, 0);
        long bits = Attribute.getSingleIntegerValueOrDefault(header, TagFromName.BitsAllocated, 16);
        long samples = Attribute.getSingleIntegerValueOrDefault(header, TagFromName.SamplesPerPixel, 1);
        long frames = Math.max(1, Attribute.getSingleIntegerValueOrDefault(header, TagFromName.NumberOfFrames, 1));
        double uncompressed = rows * columns * samples * frames * bits / 8.0;
        try {
            long size = Files.size(slice.file());
            if (size <= 0 || uncompressed <= 0) return "1";
            return CommonModules.ds(Math.round(uncompressed / size * 100) / 100.0);
        } catch (IOException e) {
            return "1";
        }
    }
}
