package org.ctai.srwriter;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.OtherByteAttribute;
import com.pixelmed.dicom.SOPClass;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.UnsignedShortAttribute;

import org.ctai.inference.series.Geometry;
import org.ctai.inference.SeriesAnalyzer;
import org.ctai.inference.SeriesAnalyzer.Analysis;
import org.ctai.inference.series.SliceInfo;
import org.ctai.inference.series.Vector3;
import org.ctai.inference.series.Volume;
import org.ctai.inference.measure.Lesion;
import org.ctai.inference.overlay.CtWindow;
import org.ctai.inference.overlay.OverlayRenderer;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.imageio.ImageIO;

/**
 * Builds Secondary Capture images (1.2.840.10008.5.1.4.1.1.7) for viewers that show neither SEG nor SR: per
 * lesion, its largest slice in a CT window with the lesion's contour burned in green, RGB, one pixel per CT
 * pixel. Single-frame RGB Secondary Capture is what every viewer and PACS displays; the green contour needs
 * colour.
 *
 * <p>Each image references its CT slice (Source Image Sequence), says how it was derived, and carries Patient
 * Orientation from the CT's orientation. Stateless apart from its configuration; thread-safe.
 */
final class OverlayWriter {

    private final OverlayRenderer renderer;
    private final Equipment equipment;

    OverlayWriter(CtWindow window, Equipment equipment) {
        this.renderer = new OverlayRenderer(Objects.requireNonNull(window, "window"));
        this.equipment = Objects.requireNonNull(equipment, "equipment");
    }

    /**
     * One image per lesion, in lesion order, instance numbers 1, 2, ...; empty when there is no lesion.
     *
     * @param tumourLabels display name by lesion id (the SEG's segment labels); a lesion without one is
     *                     called {@value LesionTracking#IDENTIFIER_PREFIX} and its id
     * @throws SrWriteException if a slice cannot be read or an image cannot be built
     */
    List<AttributeList> write(Analysis analysis, CommonModules.Series series, ZonedDateTime created,
                              Map<Integer, String> tumourLabels) {
        List<AttributeList> images = new ArrayList<>();
        if (analysis.lesions().isEmpty()) return images;
        Volume volume = analysis.volume();
        AttributeList source = volume.readHeader(0);
        int instance = 0;
        for (Lesion lesion : analysis.lesions()) {
            instance++;
            String name = tumourLabels.getOrDefault(lesion.id(), LesionTracking.IDENTIFIER_PREFIX + lesion.id());
            images.add(image(analysis, lesion, name, source, series, instance, created));
        }
        return images;
    }

    private AttributeList image(Analysis analysis, Lesion lesion, String name, AttributeList source,
                                CommonModules.Series series, int instance, ZonedDateTime created) {
        Volume volume = analysis.volume();
        Geometry g = volume.geometry();
        int slice = lesion.largestAreaSlice();
        SliceInfo sliceInfo = volume.slices().get(slice);
        String sopInstanceUid = CommonModules.newUid();
        byte[] png = renderer.renderPng(g.rows(), g.columns(), SeriesAnalyzer.roundedHu(volume.readSlice(slice)),
                analysis.lesionMask(slice, lesion.id()));
        try {
            AttributeList list = CommonModules.fromSource(source);
            CommonModules.putSeries(list, "OT", series, created);
            if (!CommonModules.copyBodyPartExamined(source, list)) {
                // Laterality is required for a paired body part; without a body part it is unknown: Type 2, empty
                CommonModules.put(list, TagFromName.Laterality);
            }
            CommonModules.putEquipment(list, equipment);
            CommonModules.putInstance(list, SOPClass.SecondaryCaptureImageStorage, sopInstanceUid, instance, created);
            // SC Equipment: a workstation made it
            CommonModules.put(list, TagFromName.ConversionType, "WSD");
            CommonModules.put(list, TagFromName.SecondaryCaptureDeviceManufacturer, equipment.manufacturer());
            CommonModules.put(list, TagFromName.SecondaryCaptureDeviceManufacturerModelName, equipment.modelName());
            CommonModules.put(list, TagFromName.SecondaryCaptureDeviceSoftwareVersions, equipment.softwareVersion());
            CommonModules.put(list, TagFromName.DateOfSecondaryCapture,
                    Attribute.getSingleStringValueOrEmptyString(list, TagFromName.ContentDate));
            CommonModules.put(list, TagFromName.TimeOfSecondaryCapture,
                    Attribute.getSingleStringValueOrEmptyString(list, TagFromName.ContentTime));
            // General Image
            CommonModules.put(list, TagFromName.ImageType, "DERIVED", "SECONDARY");
            CommonModules.put(list, TagFromName.PatientOrientation, patientOrientation(g));
            CommonModules.put(list, TagFromName.BurnedInAnnotation, "NO");
            CommonModules.put(list, TagFromName.ImageComments, name + ", slice " + (slice + 1) + " of " + volume.sliceCount());
            CtWindow w = renderer.window();
            CommonModules.put(list, TagFromName.DerivationDescription, "CT in window W" + CommonModules.ds(w.widthHu())
                    + "/L" + CommonModules.ds(w.centreHu()) + " with the contour of " + name + " burned in (green)");
            AttributeList sourceImage = new AttributeList();
            CommonModules.put(sourceImage, TagFromName.ReferencedSOPClassUID, sliceInfo.sopClassUid());
            CommonModules.put(sourceImage, TagFromName.ReferencedSOPInstanceUID, sliceInfo.sopInstanceUid());
            CommonModules.putCode(sourceImage, TagFromName.PurposeOfReferenceCodeSequence, "DCM", "121322",
                    "Source image for image processing operation");
            CommonModules.putSequence(list, TagFromName.SourceImageSequence, List.of(sourceImage));
            putPixels(list, png, g);
            // the overlay shows the source slice's pixels: lossy if they were (ours are written uncompressed)
            LossyCompression.of(slice == 0 ? source : volume.readHeader(slice), sliceInfo).put(list);
            CommonModules.finish(list);
            return list;
        } catch (DicomException | IOException e) {
            throw new SrWriteException("series " + volume.seriesInstanceUid() + ": cannot build overlay " + sopInstanceUid
                    + " of lesion " + lesion.id() + ": " + e.getMessage(), e);
        }
    }

    private static void putPixels(AttributeList list, byte[] png, Geometry g) throws IOException, DicomException {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        if (image == null || image.getWidth() != g.columns() || image.getHeight() != g.rows()) {
            throw new IOException("the rendered PNG is not a " + g.columns() + "x" + g.rows() + " image");
        }
        int rows = g.rows(), columns = g.columns();
        byte[] rgb = new byte[rows * columns * 3 + (rows * columns * 3) % 2];
        int i = 0;
        for (int y = 0; y < rows; y++) {
            for (int x = 0; x < columns; x++) {
                int p = image.getRGB(x, y);
                rgb[i++] = (byte) (p >> 16);
                rgb[i++] = (byte) (p >> 8);
                rgb[i++] = (byte) p;
            }
        }
        putUs(list, TagFromName.SamplesPerPixel, 3);
        CommonModules.put(list, TagFromName.PhotometricInterpretation, "RGB");
        putUs(list, TagFromName.PlanarConfiguration, 0);
        putUs(list, TagFromName.Rows, rows);
        putUs(list, TagFromName.Columns, columns);
        putUs(list, TagFromName.BitsAllocated, 8);
        putUs(list, TagFromName.BitsStored, 8);
        putUs(list, TagFromName.HighBit, 7);
        putUs(list, TagFromName.PixelRepresentation, 0);
        OtherByteAttribute pixels = new OtherByteAttribute(TagFromName.PixelData);
        pixels.setValues(rgb);
        list.put(pixels);
    }

    /**
     * Patient Orientation (PS3.3 C.7.6.1.1.1): the patient directions of the row and the column direction, each
     * the letters of its components above 0.25 in decreasing size, for example {@code L\P} for an axial slice.
     */
    static String[] patientOrientation(Geometry g) {
        return new String[] {direction(g.rowDirection()), direction(g.columnDirection())};
    }

    private static String direction(Vector3 v) {
        record Axis(double value, char positive, char negative) {
        }
        List<Axis> axes = new ArrayList<>(List.of(new Axis(v.x(), 'L', 'R'), new Axis(v.y(), 'P', 'A'),
                new Axis(v.z(), 'H', 'F')));
        axes.sort((a, b) -> Double.compare(Math.abs(b.value()), Math.abs(a.value())));
        StringBuilder s = new StringBuilder();
        for (Axis a : axes) if (Math.abs(a.value()) > 0.25) s.append(a.value() > 0 ? a.positive() : a.negative());
        return s.toString();
    }

    private static void putUs(AttributeList list, AttributeTag tag, int value) throws DicomException {
        Attribute a = new UnsignedShortAttribute(tag);
        a.addValue(value);
        list.put(a);
    }
}
