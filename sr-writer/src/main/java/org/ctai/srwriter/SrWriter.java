package org.ctai.srwriter;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.SOPClass;
import com.pixelmed.dicom.StructuredReport;
import com.pixelmed.dicom.TagFromName;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.ctai.inference.SeriesAnalyzer.Analysis;
import org.ctai.inference.series.SliceInfo;
import org.ctai.inference.measure.Lesion;

/**
 * Builds the DICOM TID 1500 "Imaging Measurement Report" (Comprehensive SR) of one analysed CT series: per lesion a
 * volumetric measurement group (TID 1411) pointing at the lesion's SEG segment, and a planar group (TID 1410) on
 * the lesion's largest slice with its outline, in the layout the OHIF viewer draws; or, when there is no lesion,
 * a report that says so. The content, code by code, is described in sr-writer/docs/measurement-report.md.
 *
 * <p>Pure: the analysis (and the first CT header, read through {@link org.ctai.inference.series.Volume#readHeader}) in,
 * a dataset out. Stateless apart from its configuration; thread-safe.
 */
final class SrWriter {

    /** Instance Number of the SR in its series (one SR per series). */
    static final int INSTANCE_NUMBER = 1;

    private final ModelInfo model;
    private final Equipment equipment;

    SrWriter(ModelInfo model, Equipment equipment) {
        this.model = Objects.requireNonNull(model, "model");
        this.equipment = Objects.requireNonNull(equipment, "equipment");
    }

    /**
     * The measurement report of {@code analysis}, a complete dataset with file meta information, in a new series
     * of the CT's study.
     *
     * @param seg      where the lesions' segments are; empty when no SEG was written (always so without lesions).
     *                 With lesions but no SEG the volumetric groups lack their Referenced Segment, which TID 1411
     *                 requires: give the SEG whenever there is one
     * @param tracking per {@link Lesion#id()}, the tracking identifier and UID of the lesion's SEG segment
     *                 ({@link LesionTracking#assign}); needs an entry for every lesion
     * @param series   the SR's new series
     * @param created  content, series and instance creation date and time
     * @throws IllegalArgumentException when a lesion has no tracking, or no segment number in {@code seg}
     * @throws SrWriteException         when the report cannot be built (the message names the series by UID)
     * @throws org.ctai.inference.series.SeriesLoadException if the CT header cannot be read any more
     */
    AttributeList write(Analysis analysis, Optional<SegReference> seg, Map<Integer, LesionTracking> tracking,
                        CommonModules.Series series, ZonedDateTime created) {
        Objects.requireNonNull(analysis, "analysis");
        Objects.requireNonNull(seg, "seg");
        Objects.requireNonNull(tracking, "tracking");
        for (Lesion lesion : analysis.lesions()) {
            if (!tracking.containsKey(lesion.id())) {
                throw new IllegalArgumentException("lesion " + lesion.id() + " has no tracking identifier and UID");
            }
            if (seg.isPresent() && !seg.get().segmentNumberByLesionId().containsKey(lesion.id())) {
                throw new IllegalArgumentException("lesion " + lesion.id() + " has no segment in SEG "
                        + seg.get().sopInstanceUid());
            }
        }
        ReportContent.Observer observer = new ReportContent.Observer(
                CommonModules.uidFromName("ctai-node-device-observer/" + equipment.deviceSerialNumber()),
                equipment, model);

        AttributeList source = analysis.volume().readHeader(0);
        ReportCodes.Code findingSite = ReportCodes.findingSite(
                Attribute.getSingleStringValueOrEmptyString(source, TagFromName.BodyPartExamined));
        AttributeList list = CommonModules.fromSource(source);
        CommonModules.putSeries(list, "SR", series, created);
        CommonModules.putEquipment(list, equipment);
        CommonModules.putInstance(list, SOPClass.ComprehensiveSRStorage, CommonModules.newUid(), INSTANCE_NUMBER, created);
        try {
            StructuredReport report = new StructuredReport(new ReportContent(analysis, seg, tracking, observer, findingSite).build());
            list.putAll(report.getAttributeList());
        } catch (DicomException e) {
            throw new SrWriteException("cannot encode the measurement report of series "
                    + analysis.volume().seriesInstanceUid() + ": " + e.getMessage(), e);
        }
        // SR Document General: the node's results are machine-made and nobody has verified them
        CommonModules.put(list, TagFromName.CompletionFlag, "COMPLETE");
        CommonModules.put(list, TagFromName.VerificationFlag, "UNVERIFIED");
        CommonModules.putSequence(list, TagFromName.ReferencedPerformedProcedureStepSequence, List.of());
        CommonModules.putSequence(list, TagFromName.PerformedProcedureCodeSequence, List.of());
        CommonModules.putSequence(list, TagFromName.CurrentRequestedProcedureEvidenceSequence,
                List.of(evidence(analysis, seg)));
        CommonModules.putSequence(list, TagFromName.CodingSchemeIdentificationSequence, List.of(privateScheme()));
        CommonModules.finish(list);
        return list;
    }

    /** One study: the CT series with every slice, and the SEG's series with the SEG (3D Slicer looks here). */
    private static AttributeList evidence(Analysis analysis, Optional<SegReference> seg) {
        List<AttributeList> ct = new ArrayList<>();
        for (SliceInfo slice : analysis.volume().slices()) ct.add(sopReference(slice.sopClassUid(), slice.sopInstanceUid()));
        List<AttributeList> series = new ArrayList<>();
        series.add(seriesReference(analysis.volume().seriesInstanceUid(), ct));
        seg.ifPresent(s -> series.add(seriesReference(s.seriesInstanceUid(),
                List.of(sopReference(s.sopClassUid(), s.sopInstanceUid())))));
        AttributeList study = new AttributeList();
        CommonModules.put(study, TagFromName.StudyInstanceUID, analysis.volume().studyInstanceUid());
        CommonModules.putSequence(study, TagFromName.ReferencedSeriesSequence, series);
        return study;
    }

    private static AttributeList seriesReference(String seriesUid, List<AttributeList> instances) {
        AttributeList item = new AttributeList();
        CommonModules.put(item, TagFromName.SeriesInstanceUID, seriesUid);
        CommonModules.putSequence(item, TagFromName.ReferencedSOPSequence, instances);
        return item;
    }

    private static AttributeList sopReference(String sopClassUid, String sopInstanceUid) {
        AttributeList item = new AttributeList();
        CommonModules.put(item, TagFromName.ReferencedSOPClassUID, sopClassUid);
        CommonModules.put(item, TagFromName.ReferencedSOPInstanceUID, sopInstanceUid);
        return item;
    }

    private static AttributeList privateScheme() {
        AttributeList item = new AttributeList();
        CommonModules.put(item, TagFromName.CodingSchemeDesignator, ReportCodes.PRIVATE_SCHEME);
        CommonModules.put(item, TagFromName.CodingSchemeName, ReportCodes.PRIVATE_SCHEME_NAME);
        CommonModules.put(item, TagFromName.CodingSchemeVersion, ReportCodes.PRIVATE_SCHEME_VERSION);
        CommonModules.put(item, TagFromName.CodingSchemeResponsibleOrganization, Equipment.MANUFACTURER);
        return item;
    }
}
