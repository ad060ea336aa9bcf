package org.ctai.inference.phantom;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.CodeStringAttribute;
import com.pixelmed.dicom.DateAttribute;
import com.pixelmed.dicom.DecimalStringAttribute;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.IntegerStringAttribute;
import com.pixelmed.dicom.LongStringAttribute;
import com.pixelmed.dicom.LongTextAttribute;
import com.pixelmed.dicom.OtherWordAttribute;
import com.pixelmed.dicom.PersonNameAttribute;
import com.pixelmed.dicom.SOPClass;
import com.pixelmed.dicom.ShortStringAttribute;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TimeAttribute;
import com.pixelmed.dicom.TransferSyntax;
import com.pixelmed.dicom.UniqueIdentifierAttribute;
import com.pixelmed.dicom.UnsignedShortAttribute;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.ctai.inference.series.Geometry;
import org.ctai.inference.series.Vector3;

/**
 * Writes a {@link Phantom} as DICOM CT images, PNG truth masks and a JSON truth summary.
 *
 * <p>The CT images carry the Patient, General Study, General Series, Frame of Reference, General
 * Equipment, General Image, Image Plane, Image Pixel, CT Image, VOI LUT and SOP Common modules.
 * Nothing in a file depends on the clock, so the same phantom gives the same bytes.
 */
final class PhantomWriter {

    /** The only time written anywhere: the files carry no wall-clock time so that they are reproducible. */
    private static final String STUDY_TIME = "090000";
    private static final String SOFTWARE = "CTAI Node phantom generator 1";

    private PhantomWriter() {
    }

    static PhantomFiles write(Phantom phantom, Path directory) throws IOException {
        Path dicomDir = Files.createDirectories(directory.resolve("dicom"));
        Path maskDir = Files.createDirectories(directory.resolve("masks"));
        List<Path> images = new ArrayList<>(), masks = new ArrayList<>();
        int size = phantom.spec().size();
        for (int k = 0; k < phantom.sliceCount(); k++) {
            String stem = String.format("slice-%04d", k);
            Path image = dicomDir.resolve(stem + ".dcm");
            try {
                AttributeList list = ctImage(phantom, k);
                list.write(image.toFile(), TransferSyntax.ExplicitVRLittleEndian, true, true);
            } catch (DicomException e) {
                throw new IOException("cannot write phantom slice " + k + " to " + image + ": " + e.getMessage(), e);
            }
            images.add(image);
            Path mask = maskDir.resolve(stem + ".png");
            writeMask(phantom.labelsUnsafe(k), size, mask);
            masks.add(mask);
        }
        Path truth = directory.resolve("truth.json");
        writeTruth(phantom, truth);
        return new PhantomFiles(directory, images, masks, truth);
    }

    /** One slice as a CT Image Storage data set with its file meta information; {@link PhantomExam} derives its series from it. */
    static AttributeList ctImage(Phantom phantom, int slice) throws DicomException {
        PhantomSpec spec = phantom.spec();
        Geometry g = phantom.geometry();
        Vector3 position = g.slicePositions().get(slice);
        String date = spec.studyDate().format(DateTimeFormatter.BASIC_ISO_DATE);
        AttributeList list = new AttributeList();
        // SOP Common
        uid(list, TagFromName.SOPClassUID, SOPClass.CTImageStorage);
        uid(list, TagFromName.SOPInstanceUID, phantom.sopInstanceUid(slice));
        // Patient
        put(list, new PersonNameAttribute(TagFromName.PatientName), spec.patientName());
        put(list, new LongStringAttribute(TagFromName.PatientID), spec.patientId());
        put(list, new DateAttribute(TagFromName.PatientBirthDate));
        put(list, new CodeStringAttribute(TagFromName.PatientSex), "O");
        // General Study
        uid(list, TagFromName.StudyInstanceUID, phantom.studyInstanceUid());
        put(list, new DateAttribute(TagFromName.StudyDate), date);
        put(list, new TimeAttribute(TagFromName.StudyTime), STUDY_TIME);
        put(list, new PersonNameAttribute(TagFromName.ReferringPhysicianName));
        put(list, new ShortStringAttribute(TagFromName.StudyID), "1");
        put(list, new ShortStringAttribute(TagFromName.AccessionNumber));
        put(list, new LongStringAttribute(TagFromName.StudyDescription), spec.studyDescription());
        // General Series
        put(list, new CodeStringAttribute(TagFromName.Modality), "CT");
        uid(list, TagFromName.SeriesInstanceUID, phantom.seriesInstanceUid());
        put(list, new IntegerStringAttribute(TagFromName.SeriesNumber), "1");
        put(list, new LongStringAttribute(TagFromName.SeriesDescription), spec.seriesDescription());
        put(list, new DateAttribute(TagFromName.SeriesDate), date);
        put(list, new TimeAttribute(TagFromName.SeriesTime), STUDY_TIME);
        put(list, new CodeStringAttribute(TagFromName.BodyPartExamined), "ABDOMEN");
        put(list, new CodeStringAttribute(TagFromName.PatientPosition), "HFS");
        // Frame of Reference
        uid(list, TagFromName.FrameOfReferenceUID, phantom.frameOfReferenceUid());
        put(list, new LongStringAttribute(TagFromName.PositionReferenceIndicator));
        // General Equipment
        put(list, new LongStringAttribute(TagFromName.Manufacturer), "CTAI");
        put(list, new LongStringAttribute(TagFromName.ManufacturerModelName), "Synthetic phantom");
        put(list, new LongStringAttribute(TagFromName.SoftwareVersions), SOFTWARE);
        // General Image
        put(list, new IntegerStringAttribute(TagFromName.InstanceNumber), Integer.toString(phantom.instanceNumber(slice)));
        put(list, new DateAttribute(TagFromName.ContentDate), date);
        put(list, new TimeAttribute(TagFromName.ContentTime), STUDY_TIME);
        put(list, new IntegerStringAttribute(TagFromName.AcquisitionNumber), "1");
        put(list, new LongTextAttribute(TagFromName.ImageComments),
                "Synthetic phantom (seed " + spec.seed() + "), not patient data; tumour truth in the generator's masks");
        put(list, new CodeStringAttribute(TagFromName.BurnedInAnnotation), "NO");
        // Image Plane
        put(list, new DecimalStringAttribute(TagFromName.PixelSpacing),
                DecimalString.format(g.rowSpacingMm()), DecimalString.format(g.columnSpacingMm()));
        put(list, new DecimalStringAttribute(TagFromName.ImageOrientationPatient), "1", "0", "0", "0", "1", "0");
        put(list, new DecimalStringAttribute(TagFromName.ImagePositionPatient),
                DecimalString.format(position.x()), DecimalString.format(position.y()), DecimalString.format(position.z()));
        put(list, new DecimalStringAttribute(TagFromName.SliceThickness), DecimalString.format(spec.sliceSpacingMm()));
        put(list, new DecimalStringAttribute(TagFromName.SliceLocation), DecimalString.format(position.z()));
        // Image Pixel and CT Image
        put(list, new CodeStringAttribute(TagFromName.ImageType), "ORIGINAL", "PRIMARY", "AXIAL");
        ushort(list, TagFromName.SamplesPerPixel, 1);
        put(list, new CodeStringAttribute(TagFromName.PhotometricInterpretation), "MONOCHROME2");
        ushort(list, TagFromName.Rows, g.rows());
        ushort(list, TagFromName.Columns, g.columns());
        ushort(list, TagFromName.BitsAllocated, 16);
        ushort(list, TagFromName.BitsStored, 16);
        ushort(list, TagFromName.HighBit, 15);
        ushort(list, TagFromName.PixelRepresentation, 1);
        put(list, new DecimalStringAttribute(TagFromName.RescaleIntercept), Integer.toString(PhantomGenerator.RESCALE_INTERCEPT));
        put(list, new DecimalStringAttribute(TagFromName.RescaleSlope), "1");
        put(list, new LongStringAttribute(TagFromName.RescaleType), "HU");
        put(list, new DecimalStringAttribute(new AttributeTag(0x0018, 0x0060)), "120"); // KVP, not in PixelMed's TagFromName
        put(list, new ShortStringAttribute(TagFromName.ConvolutionKernel), "STANDARD");
        // VOI LUT: a soft-tissue window
        put(list, new DecimalStringAttribute(TagFromName.WindowCenter), "40");
        put(list, new DecimalStringAttribute(TagFromName.WindowWidth), "400");
        short[] hu = phantom.huUnsafe(slice), stored = new short[hu.length];
        for (int i = 0; i < hu.length; i++) stored[i] = (short) (hu[i] - PhantomGenerator.RESCALE_INTERCEPT);
        OtherWordAttribute pixelData = new OtherWordAttribute(TagFromName.PixelData);
        pixelData.setValues(stored);
        list.put(pixelData);
        list.insertSuitableSpecificCharacterSetForAllStringValues();
        FileMetaInformation.addFileMetaInformation(list, TransferSyntax.ExplicitVRLittleEndian, "CTAI");
        return list;
    }

    private static void put(AttributeList list, Attribute attribute, String... values) throws DicomException {
        for (String v : values) attribute.addValue(v);
        list.put(attribute);
    }

    private static void uid(AttributeList list, AttributeTag tag, String value) throws DicomException {
        put(list, new UniqueIdentifierAttribute(tag), value);
    }

    private static void ushort(AttributeList list, AttributeTag tag, int value) throws DicomException {
        Attribute a = new UnsignedShortAttribute(tag);
        a.addValue(value);
        list.put(a);
    }

    private static void writeMask(byte[] labels, int size, Path file) throws IOException {
        BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_BYTE_GRAY);
        byte[] grey = new byte[labels.length];
        for (int i = 0; i < labels.length; i++) grey[i] = labels[i] != 0 ? (byte) 255 : 0;
        image.getRaster().setDataElements(0, 0, size, size, grey);
        try (OutputStream out = Files.newOutputStream(file)) {
            if (!ImageIO.write(image, "png", out)) throw new IOException("no PNG writer in this JVM for " + file);
        }
    }

    /** The truth summary: spec, geometry, per tumour and per slice counts. */
    record Summary(long seed, int slices, int size, double pixelSpacingMm, double sliceSpacingMm, double voxelVolumeMm3,
                   double tumourScale, double noiseSigmaHu, String seriesInstanceUid, String imageFiles, String maskFiles,
                   long totalVoxelCount, double totalVolumeMm3, List<TumourTruth> tumours, long[] sliceVoxelCounts) {
    }

    private static void writeTruth(Phantom phantom, Path file) throws IOException {
        PhantomSpec spec = phantom.spec();
        long[] perSlice = new long[phantom.sliceCount()];
        for (int k = 0; k < perSlice.length; k++) {
            for (byte b : phantom.labelsUnsafe(k)) if (b != 0) perSlice[k]++;
        }
        Summary summary = new Summary(spec.seed(), spec.slices(), spec.size(), phantom.geometry().rowSpacingMm(),
                spec.sliceSpacingMm(), phantom.voxelVolumeMm3(), spec.tumourScale(), spec.noiseSigmaHu(),
                phantom.seriesInstanceUid(), "dicom/slice-NNNN.dcm", "masks/slice-NNNN.png",
                phantom.truthVoxelCount(), phantom.truthVolumeMm3(), phantom.tumours(), perSlice);
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        mapper.writeValue(file.toFile(), summary);
    }
}
