package org.ctai.inference.phantom;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.CodeStringAttribute;
import com.pixelmed.dicom.DecimalStringAttribute;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.IntegerStringAttribute;
import com.pixelmed.dicom.LongStringAttribute;
import com.pixelmed.dicom.OtherByteAttribute;
import com.pixelmed.dicom.OtherWordAttribute;
import com.pixelmed.dicom.PersonNameAttribute;
import com.pixelmed.dicom.SOPClass;
import com.pixelmed.dicom.ShortStringAttribute;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import com.pixelmed.dicom.UniqueIdentifierAttribute;
import com.pixelmed.dicom.UnsignedShortAttribute;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.ctai.inference.series.Vector3;

/**
 * A whole CT exam as a scanner sends it, for routing tests and for trying rules before going live: beside the
 * axial abdominal series a model is made for, everything else a real exam holds. Written under one folder per
 * series:
 * <ul>
 *   <li>{@value #LOCALIZER}: two localizers (AP and lateral projections, ORIGINAL\PRIMARY\LOCALIZER, coronal and
 *       sagittal orientation, 512 rows x 256 columns);</li>
 *   <li>{@value #THIN} and {@value #THICK}: the same scan reconstructed at 1.25 mm (41 slices) and 5 mm
 *       (11 slices) over the same 50 mm, ORIGINAL\PRIMARY\AXIAL with contrast, the spec's size and tumours;</li>
 *   <li>{@value #REFORMAT}: coronal reformats of the thin series (DERIVED\SECONDARY\REFORMATTED);</li>
 *   <li>{@value #DOSE}: a Secondary Capture dose page (Modality CT, as some vendors send it);</li>
 *   <li>{@value #HEAD}: a head CT of another patient (own study) with an 18.5 degree gantry tilt (Image Orientation
 *       (1,0,0,0,0.948,-0.317), positions stepping along z only) and slice spacing from 1.1 to 7 mm, Body Part HEAD.</li>
 * </ul>
 * The abdominal series share one study and frame of reference. Deterministic like {@link PhantomGenerator}: the
 * same spec gives the same bytes. Stateless.
 */
public final class PhantomExam {
    public static final String LOCALIZER = "01-localizer";
    public static final String THIN = "02-axial-1.25mm";
    public static final String THICK = "03-axial-5mm";
    public static final String REFORMAT = "04-coronal-reformat";
    public static final String DOSE = "05-dose-page";
    public static final String HEAD = "06-other-patient-head-tilted";

    /** Both reconstructions span (slices - 1) x spacing = 50 mm about the same centre: the phantom places the same tumours. */
    private static final int THIN_SLICES = 41, THICK_SLICES = 11;
    private static final double THIN_MM = 1.25, THICK_MM = 5;
    private static final int LOCALIZER_ROWS = 512, LOCALIZER_COLUMNS = 256;
    private static final double LOCALIZER_ROW_MM = 1.0, LOCALIZER_COLUMN_MM = 1.5;
    private static final int REFORMATS = 5;
    private static final double REFORMAT_STEP_MM = 6;
    /** Gantry tilt of the head series, degrees. */
    public static final double HEAD_TILT_DEGREES = 18.5;
    /** Table steps between the head slices, mm: uneven, as when a scanner's console drops or adds slices. */
    private static final double[] HEAD_STEPS_MM = {1.1, 1.1, 1.1, 2.5, 2.5, 5, 5, 5, 7, 7, 7, 5, 5, 5, 2.5, 2.5, 1.1, 1.1};
    private static final int HEAD_SIZE = 128;
    private static final AttributeTag GANTRY_DETECTOR_TILT = new AttributeTag(0x0018, 0x1120); // not in PixelMed's TagFromName
    private static final double HEAD_PIXEL_MM = 250.0 / HEAD_SIZE;

    /** One series as written: its folder under the exam, UID, description and files in instance order. */
    public record Series(String folder, String seriesInstanceUid, String description, List<Path> files) {
        public Series {
            files = List.copyOf(files);
        }
    }

    /** Where {@link #write} put the exam. */
    public record ExamFiles(Path directory, List<Series> series) {
        public ExamFiles {
            series = List.copyOf(series);
        }

        public Series series(String folder) {
            return series.stream().filter(s -> s.folder().equals(folder)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no series " + folder + " in the exam"));
        }
    }

    private PhantomExam() {
    }

    /**
     * Writes the exam of {@code spec} (its seed, size, tumours, noise, patient and date; its slice count and spacing are
     * the exam's own) under {@code directory}. Existing files of the same names are replaced.
     */
    public static ExamFiles write(PhantomSpec spec, Path directory) throws IOException {
        String name = "ctai-exam|" + spec;
        Study abdomen = new Study(PhantomUids.uid(name + "|study"), PhantomUids.uid(name + "|frame"), name);
        Phantom thin = PhantomGenerator.generate(spec.withSlices(THIN_SLICES).withSliceSpacingMm(THIN_MM));
        Phantom thick = PhantomGenerator.generate(spec.withSlices(THICK_SLICES).withSliceSpacingMm(THICK_MM));
        List<Series> series = new ArrayList<>();
        try {
            series.add(localizers(spec, thin, abdomen, directory));
            series.add(axial(thin, abdomen, THIN, 2, "Abdomen 1.25mm STANDARD", directory));
            series.add(axial(thick, abdomen, THICK, 3, "Abdomen 5mm STANDARD", directory));
            series.add(reformats(thin, abdomen, directory));
            series.add(dosePage(thin, abdomen, directory));
            series.add(head(spec, thin, directory));
        } catch (DicomException e) {
            throw new IOException("cannot write the phantom exam under " + directory + ": " + e.getMessage(), e);
        }
        return new ExamFiles(directory, series);
    }

    private record Study(String studyUid, String frameUid, String name) {
        String seriesUid(String folder) {
            return PhantomUids.uid(name + "|series|" + folder);
        }

        String instanceUid(String folder, int index) {
            return PhantomUids.uid(name + "|instance|" + folder + "|" + index);
        }
    }

    private static Series axial(Phantom phantom, Study study, String folder, int number, String description, Path root)
            throws DicomException, IOException {
        List<Path> files = new ArrayList<>();
        for (int k = 0; k < phantom.sliceCount(); k++) {
            AttributeList list = PhantomWriter.ctImage(phantom, k);
            identify(list, study, folder, number, description, k);
            put(list, new LongStringAttribute(TagFromName.ProtocolName), "ABDOMEN PORTAL VENOUS");
            put(list, new LongStringAttribute(TagFromName.ContrastBolusAgent), "IODINATED CONTRAST");
            files.add(write(list, root, folder, k));
        }
        return new Series(folder, study.seriesUid(folder), description, files);
    }

    /** AP and lateral projections of a coarse phantom of the same seed over 512 mm: water-equivalent path, as HU-like values. */
    private static Series localizers(PhantomSpec spec, Phantom thin, Study study, Path root) throws DicomException, IOException {
        String folder = LOCALIZER, description = "Topogram AP+LAT";
        Phantom coarse = PhantomGenerator.generate(spec.withSize(96).withPixelSpacingMm(4).withSlices(66).withSliceSpacingMm(8)
                .withNoiseSigmaHu(0));
        int n = coarse.sliceCount(), size = coarse.spec().size();
        double pixel = coarse.geometry().rowSpacingMm(), first = coarse.geometry().slicePositions().get(0).x();
        double lowZ = coarse.geometry().slicePositions().get(0).z(), stepZ = coarse.spec().sliceSpacingMm();
        double centreZ = (thin.geometry().slicePositions().get(0).z() + thin.geometry().slicePositions().get(thin.sliceCount() - 1).z()) / 2;
        double topZ = Math.round(centreZ + (LOCALIZER_ROWS - 1) / 2.0 * LOCALIZER_ROW_MM);
        List<Path> files = new ArrayList<>();
        for (int view = 0; view < 2; view++) {
            boolean ap = view == 0;
            float[][] path = new float[n][size]; // water-equivalent mm through the body, per slice and lateral position
            for (int k = 0; k < n; k++) {
                short[] hu = coarse.huUnsafe(k);
                for (int a = 0; a < size; a++) {
                    double sum = 0;
                    for (int b = 0; b < size; b++) sum += Math.max(0, hu[ap ? b * size + a : a * size + b] + 1000) / 1000.0 * pixel;
                    path[k][a] = (float) sum;
                }
            }
            short[] image = new short[LOCALIZER_ROWS * LOCALIZER_COLUMNS];
            double firstAcross = -(LOCALIZER_COLUMNS - 1) / 2.0 * LOCALIZER_COLUMN_MM;
            for (int r = 0; r < LOCALIZER_ROWS; r++) {
                double fk = clamp((topZ - r * LOCALIZER_ROW_MM - lowZ) / stepZ, n - 1);
                for (int c = 0; c < LOCALIZER_COLUMNS; c++) {
                    double fa = clamp((firstAcross + c * LOCALIZER_COLUMN_MM - first) / pixel, size - 1);
                    image[r * LOCALIZER_COLUMNS + c] = (short) Math.min(PhantomGenerator.MAX_HU, -1000 + 6 * bilinear(path, fk, fa));
                }
            }
            AttributeList list = template(thin);
            identify(list, study, folder, 1, description, view);
            put(list, new CodeStringAttribute(TagFromName.ImageType), "ORIGINAL", "PRIMARY", "LOCALIZER");
            double[] orientation = ap ? new double[] {1, 0, 0, 0, 0, -1} : new double[] {0, 1, 0, 0, 0, -1};
            Vector3 position = ap ? new Vector3(firstAcross, 0, topZ) : new Vector3(0, firstAcross, topZ);
            plane(list, LOCALIZER_ROWS, LOCALIZER_COLUMNS, LOCALIZER_ROW_MM, LOCALIZER_COLUMN_MM, orientation, position, "");
            list.remove(TagFromName.SliceLocation);
            put(list, new ShortStringAttribute(TagFromName.ConvolutionKernel), "T20f");
            put(list, new DecimalStringAttribute(TagFromName.WindowCenter), "0");
            put(list, new DecimalStringAttribute(TagFromName.WindowWidth), "2000");
            pixels(list, image);
            files.add(write(list, root, folder, view));
        }
        return new Series(folder, study.seriesUid(folder), description, files);
    }

    /** Coronal planes through the thin series, each the mean of two adjacent rows (3 mm at 1.5 mm pixels). */
    private static Series reformats(Phantom thin, Study study, Path root) throws DicomException, IOException {
        String folder = REFORMAT, description = "Cor 3mm MPR";
        int size = thin.spec().size(), n = thin.sliceCount();
        double pixel = thin.geometry().rowSpacingMm(), first = thin.geometry().slicePositions().get(0).y();
        double topZ = thin.geometry().slicePositions().get(n - 1).z();
        List<Path> files = new ArrayList<>();
        for (int p = 0; p < REFORMATS; p++) {
            double y = (p - (REFORMATS - 1) / 2.0) * REFORMAT_STEP_MM;
            int row = (int) Math.max(0, Math.min(size - 2, Math.floor((y - first) / pixel)));
            short[] image = new short[n * size];
            for (int r = 0; r < n; r++) {
                short[] hu = thin.huUnsafe(n - 1 - r); // top of the image is the head end
                for (int c = 0; c < size; c++) image[r * size + c] = (short) ((hu[row * size + c] + hu[(row + 1) * size + c]) / 2);
            }
            AttributeList list = template(thin);
            identify(list, study, folder, 4, description, p);
            put(list, new CodeStringAttribute(TagFromName.ImageType), "DERIVED", "SECONDARY", "REFORMATTED");
            plane(list, n, size, THIN_MM, pixel, new double[] {1, 0, 0, 0, 0, -1},
                    new Vector3(first, first + (row + 0.5) * pixel, topZ), DecimalString.format(2 * pixel));
            list.remove(TagFromName.SliceLocation);
            put(list, new LongStringAttribute(TagFromName.ContrastBolusAgent), "IODINATED CONTRAST");
            pixels(list, image);
            files.add(write(list, root, folder, p));
        }
        return new Series(folder, study.seriesUid(folder), description, files);
    }

    /** A Secondary Capture page of table lines and bars, Modality CT: a console's dose summary, not an image of the patient. */
    private static Series dosePage(Phantom thin, Study study, Path root) throws DicomException, IOException {
        String folder = DOSE, description = "Dose Report";
        AttributeList ct = template(thin);
        AttributeList list = new AttributeList();
        for (AttributeTag tag : new AttributeTag[] {TagFromName.PatientName, TagFromName.PatientID, TagFromName.PatientBirthDate,
                TagFromName.PatientSex, TagFromName.StudyDate, TagFromName.StudyTime, TagFromName.ReferringPhysicianName,
                TagFromName.StudyID, TagFromName.AccessionNumber, TagFromName.StudyDescription, TagFromName.Manufacturer,
                TagFromName.ManufacturerModelName, TagFromName.SoftwareVersions, TagFromName.ContentDate, TagFromName.ContentTime,
                TagFromName.BodyPartExamined, TagFromName.SpecificCharacterSet}) {
            Attribute a = ct.get(tag);
            if (a != null) list.put(a);
        }
        put(list, new UniqueIdentifierAttribute(TagFromName.SOPClassUID), SOPClass.SecondaryCaptureImageStorage);
        put(list, new CodeStringAttribute(TagFromName.Modality), "CT");
        identify(list, study, folder, 999, description, 0);
        list.remove(TagFromName.FrameOfReferenceUID);
        put(list, new CodeStringAttribute(TagFromName.ConversionType), "WSD");
        put(list, new CodeStringAttribute(TagFromName.PatientOrientation));
        put(list, new CodeStringAttribute(TagFromName.ImageType), "ORIGINAL", "PRIMARY", "SCREEN SAVE");
        put(list, new CodeStringAttribute(TagFromName.BurnedInAnnotation), "YES");
        int rows = 512, columns = 512;
        byte[] page = new byte[rows * columns];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < columns; c++) {
                boolean grid = r >= 64 && r <= 448 && c >= 32 && c <= 480 && (r % 48 == 16 || c == 32 || c == 480 || c == 200);
                boolean bar = r > 64 && r < 448 && r % 48 > 24 && r % 48 < 40 && c > 210 && c < 210 + (r * 37 % 260);
                page[r * columns + c] = (byte) (grid ? 255 : bar ? 160 : 0);
            }
        }
        ushort(list, TagFromName.SamplesPerPixel, 1);
        put(list, new CodeStringAttribute(TagFromName.PhotometricInterpretation), "MONOCHROME2");
        ushort(list, TagFromName.Rows, rows);
        ushort(list, TagFromName.Columns, columns);
        ushort(list, TagFromName.BitsAllocated, 8);
        ushort(list, TagFromName.BitsStored, 8);
        ushort(list, TagFromName.HighBit, 7);
        ushort(list, TagFromName.PixelRepresentation, 0);
        OtherByteAttribute pixelData = new OtherByteAttribute(TagFromName.PixelData);
        pixelData.setValues(page);
        list.put(pixelData);
        return new Series(folder, study.seriesUid(folder), description, List.of(write(list, root, folder, 0)));
    }

    /**
     * An ellipsoidal head (scalp, skull, brain, ventricles) cut by planes tilted by {@value #HEAD_TILT_DEGREES} degrees about
     * the x axis, the table stepping unevenly along z; another patient, so another study and frame of reference.
     */
    private static Series head(PhantomSpec spec, Phantom thin, Path root) throws DicomException, IOException {
        String folder = HEAD, description = "Head 5mm tilted";
        String name = "ctai-exam-head|" + spec;
        Study study = new Study(PhantomUids.uid(name + "|study"), PhantomUids.uid(name + "|frame"), name);
        double tilt = Math.toRadians(HEAD_TILT_DEGREES);
        double cos = Math.round(Math.cos(tilt) * 1e6) / 1e6, sin = Math.round(Math.sin(tilt) * 1e6) / 1e6;
        Vector3 across = new Vector3(1, 0, 0), down = new Vector3(0, cos, -sin);
        double firstX = DecimalString.roundTrip(-(HEAD_SIZE - 1) / 2.0 * HEAD_PIXEL_MM);
        double firstY = DecimalString.roundTrip(-(HEAD_SIZE - 1) / 2.0 * HEAD_PIXEL_MM * cos);
        double z = 15;
        SplittableRandom noise = new SplittableRandom(spec.seed() ^ 0x48454144L);
        List<Path> files = new ArrayList<>();
        for (int k = 0; k <= HEAD_STEPS_MM.length; k++) {
            if (k > 0) z = DecimalString.roundTrip(z + HEAD_STEPS_MM[k - 1]);
            Vector3 position = new Vector3(firstX, firstY, z);
            short[] image = new short[HEAD_SIZE * HEAD_SIZE];
            for (int r = 0; r < HEAD_SIZE; r++) {
                for (int c = 0; c < HEAD_SIZE; c++) {
                    Vector3 p = position.plus(across.times(c * HEAD_PIXEL_MM)).plus(down.times(r * HEAD_PIXEL_MM));
                    image[r * HEAD_SIZE + c] = (short) Math.round(headHu(p) + 4 * noise.nextGaussian());
                }
            }
            AttributeList list = template(thin);
            put(list, new PersonNameAttribute(TagFromName.PatientName), "HEAD^OTHER");
            put(list, new LongStringAttribute(TagFromName.PatientID), "CTAI-PHANTOM-HEAD-" + spec.seed());
            put(list, new LongStringAttribute(TagFromName.StudyDescription), "CT HEAD WITHOUT CONTRAST");
            put(list, new ShortStringAttribute(TagFromName.StudyID), "2");
            identify(list, study, folder, 2, description, k);
            put(list, new CodeStringAttribute(TagFromName.BodyPartExamined), "HEAD");
            put(list, new LongStringAttribute(TagFromName.ProtocolName), "ROUTINE HEAD");
            put(list, new ShortStringAttribute(TagFromName.ConvolutionKernel), "H30s");
            plane(list, HEAD_SIZE, HEAD_SIZE, HEAD_PIXEL_MM, HEAD_PIXEL_MM, new double[] {1, 0, 0, 0, cos, -sin}, position, "5");
            put(list, new DecimalStringAttribute(GANTRY_DETECTOR_TILT), DecimalString.format(HEAD_TILT_DEGREES));
            put(list, new DecimalStringAttribute(TagFromName.WindowCenter), "40");
            put(list, new DecimalStringAttribute(TagFromName.WindowWidth), "80");
            pixels(list, image);
            files.add(write(list, root, folder, k));
        }
        return new Series(folder, study.seriesUid(folder), description, files);
    }

    private static double headHu(Vector3 p) {
        double x = p.x() / 70, y = (p.y() + 5) / 88, z = (p.z() + 10) / 85;
        double radius = Math.sqrt(x * x + y * y + z * z);
        if (radius > 1.07) return -1000;
        if (radius > 1.0) return 40;
        if (radius > 0.92) return 1100;
        for (int side = -1; side <= 1; side += 2) {
            double vx = (p.x() - side * 9) / 5, vy = (p.y() + 5) / 22, vz = (p.z() - 15) / 12;
            if (vx * vx + vy * vy + vz * vz < 1) return 8;
        }
        return radius > 0.8 ? 38 : 30;
    }

    /** A fresh CT data set with the thin series' patient, study, equipment and CT modules, to be overridden. */
    private static AttributeList template(Phantom thin) throws DicomException {
        return PhantomWriter.ctImage(thin, 0);
    }

    private static void identify(AttributeList list, Study study, String folder, int seriesNumber, String description, int index)
            throws DicomException {
        put(list, new UniqueIdentifierAttribute(TagFromName.StudyInstanceUID), study.studyUid());
        put(list, new UniqueIdentifierAttribute(TagFromName.SeriesInstanceUID), study.seriesUid(folder));
        put(list, new UniqueIdentifierAttribute(TagFromName.SOPInstanceUID), study.instanceUid(folder, index));
        put(list, new UniqueIdentifierAttribute(TagFromName.FrameOfReferenceUID), study.frameUid());
        put(list, new IntegerStringAttribute(TagFromName.SeriesNumber), Integer.toString(seriesNumber));
        put(list, new LongStringAttribute(TagFromName.SeriesDescription), description);
        put(list, new IntegerStringAttribute(TagFromName.InstanceNumber), Integer.toString(index + 1));
    }

    private static void plane(AttributeList list, int rows, int columns, double rowSpacing, double columnSpacing, double[] orientation,
                              Vector3 position, String thickness) throws DicomException {
        ushort(list, TagFromName.Rows, rows);
        ushort(list, TagFromName.Columns, columns);
        put(list, new DecimalStringAttribute(TagFromName.PixelSpacing), DecimalString.format(rowSpacing), DecimalString.format(columnSpacing));
        String[] o = new String[6];
        for (int i = 0; i < 6; i++) o[i] = DecimalString.format(orientation[i]);
        put(list, new DecimalStringAttribute(TagFromName.ImageOrientationPatient), o);
        put(list, new DecimalStringAttribute(TagFromName.ImagePositionPatient),
                DecimalString.format(position.x()), DecimalString.format(position.y()), DecimalString.format(position.z()));
        if (thickness.isEmpty()) put(list, new DecimalStringAttribute(TagFromName.SliceThickness));
        else put(list, new DecimalStringAttribute(TagFromName.SliceThickness), thickness);
    }

    private static void pixels(AttributeList list, short[] hu) throws DicomException {
        short[] stored = new short[hu.length];
        for (int i = 0; i < hu.length; i++) {
            stored[i] = (short) (Math.max(PhantomGenerator.MIN_HU, Math.min(PhantomGenerator.MAX_HU, hu[i])) - PhantomGenerator.RESCALE_INTERCEPT);
        }
        OtherWordAttribute pixelData = new OtherWordAttribute(TagFromName.PixelData);
        pixelData.setValues(stored);
        list.put(pixelData);
    }

    private static Path write(AttributeList list, Path root, String folder, int index) throws DicomException, IOException {
        Path file = Files.createDirectories(root.resolve(folder)).resolve(String.format("IMG-%04d.dcm", index + 1));
        list.insertSuitableSpecificCharacterSetForAllStringValues();
        FileMetaInformation.addFileMetaInformation(list, TransferSyntax.ExplicitVRLittleEndian, "CTAI");
        list.write(file.toFile(), TransferSyntax.ExplicitVRLittleEndian, true, true);
        return file;
    }

    private static double clamp(double v, int max) {
        return Math.max(0, Math.min(max, v));
    }

    private static double bilinear(float[][] grid, double fk, double fa) {
        int k0 = (int) Math.floor(fk), a0 = (int) Math.floor(fa);
        int k1 = Math.min(k0 + 1, grid.length - 1), a1 = Math.min(a0 + 1, grid[0].length - 1);
        double wk = fk - k0, wa = fa - a0;
        return (1 - wk) * ((1 - wa) * grid[k0][a0] + wa * grid[k0][a1]) + wk * ((1 - wa) * grid[k1][a0] + wa * grid[k1][a1]);
    }

    private static void put(AttributeList list, Attribute attribute, String... values) throws DicomException {
        for (String v : values) attribute.addValue(v);
        list.put(attribute);
    }

    private static void ushort(AttributeList list, AttributeTag tag, int value) throws DicomException {
        Attribute a = new UnsignedShortAttribute(tag);
        a.addValue(value);
        list.put(a);
    }
}
