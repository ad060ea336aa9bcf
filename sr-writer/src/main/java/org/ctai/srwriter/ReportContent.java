package org.ctai.srwriter;

import static org.ctai.srwriter.ReportCodes.*;

import com.pixelmed.dicom.ContentItem;
import com.pixelmed.dicom.ContentItemFactory;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.utils.FloatFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.ctai.inference.SeriesAnalyzer.Analysis;
import org.ctai.inference.series.SliceInfo;
import org.ctai.inference.series.Vector3;
import org.ctai.inference.measure.HuStatistics;
import org.ctai.inference.measure.Lesion;
import org.ctai.inference.measure.SliceMeasurement;
import org.ctai.inference.measure.TextureFeatures;

/**
 * Builds the content tree of the TID 1500 measurement report (see sr-writer/docs/measurement-report.md for the
 * layout, row by row). One instance builds one tree; not thread-safe.
 */
final class ReportContent {

    private static final String CONTAINS = "CONTAINS";
    private static final String HAS_OBS_CONTEXT = "HAS OBS CONTEXT";
    private static final String HAS_CONCEPT_MOD = "HAS CONCEPT MOD";
    private static final String INFERRED_FROM = "INFERRED FROM";
    private static final String SELECTED_FROM = "SELECTED FROM";
    /** Numeric Value is a DS: at most 16 characters; the exact double goes into Floating Point Value. */
    private static final int DS_MAX_LENGTH = 16;
    /** Start of the Comment of a report without lesion. */
    static final String NO_LESION_COMMENT = "No lesion detected";

    /** The observer and algorithm the report names. */
    record Observer(String deviceUid, Equipment equipment, ModelInfo model) {
    }

    private final ContentItemFactory factory = new ContentItemFactory();
    private final Analysis analysis;
    private final Optional<SegReference> seg;
    private final Map<Integer, LesionTracking> tracking;
    private final Observer observer;
    private final Code findingSite;

    /** @param findingSite every lesion's Finding Site ({@link ReportCodes#findingSite}) */
    ReportContent(Analysis analysis, Optional<SegReference> seg, Map<Integer, LesionTracking> tracking, Observer observer,
                  Code findingSite) {
        this.analysis = analysis;
        this.seg = seg;
        this.tracking = tracking;
        this.observer = observer;
        this.findingSite = findingSite;
    }

    /** The root container with everything under it. */
    ContentItem build() {
        try {
            ContentItem root = factory.makeContainerContentItem(null, null, IMAGING_MEASUREMENT_REPORT.item(), true,
                    "DCMR", "1500");
            code(root, HAS_CONCEPT_MOD, LANGUAGE, ENGLISH);
            code(root, HAS_OBS_CONTEXT, OBSERVER_TYPE, DEVICE);
            uid(root, HAS_OBS_CONTEXT, DEVICE_OBSERVER_UID, observer.deviceUid());
            text(root, HAS_OBS_CONTEXT, DEVICE_OBSERVER_NAME, observer.equipment().modelName());
            text(root, HAS_OBS_CONTEXT, DEVICE_OBSERVER_MANUFACTURER, observer.equipment().manufacturer());
            text(root, HAS_OBS_CONTEXT, DEVICE_OBSERVER_MODEL_NAME, observer.equipment().modelName());
            text(root, HAS_OBS_CONTEXT, DEVICE_OBSERVER_SERIAL_NUMBER, observer.equipment().deviceSerialNumber());
            code(root, HAS_CONCEPT_MOD, PROCEDURE_REPORTED, CT_UNSPECIFIED_BODY_REGION);
            imageLibrary(root);
            if (analysis.lesions().isEmpty()) {
                noLesion(root);
            } else {
                ContentItem measurements = container(root, IMAGING_MEASUREMENTS);
                for (Lesion lesion : analysis.lesions()) {
                    LesionTracking t = tracking.get(lesion.id());
                    // planar first: OHIF merges a lesion's groups by Tracking UID and takes the first Tracking
                    // Identifier and the first SCOORD of the merge, which are then the freehand ROI's
                    planarGroup(measurements, lesion, t);
                    volumetricGroup(measurements, lesion, t);
                }
            }
            return root;
        } catch (DicomException e) {
            throw new SrWriteException("cannot build the measurement report of series "
                    + analysis.volume().seriesInstanceUid() + ": " + e.getMessage(), e);
        }
    }

    /** TID 1600: every CT slice the analysis read. */
    private void imageLibrary(ContentItem root) throws DicomException {
        ContentItem library = container(root, IMAGE_LIBRARY);
        ContentItem group = container(library, IMAGE_LIBRARY_GROUP);
        for (SliceInfo slice : analysis.volume().slices()) {
            factory.makeImageContentItem(group, CONTAINS, null, slice.sopClassUid(), slice.sopInstanceUid(),
                    0, 0, null, null, null, null);
        }
    }

    /**
     * TID 4019 Algorithm Identification in a measurement group (TID 1410/1411 include it as concept modifiers, where
     * readers such as highdicom look for the algorithm that made the group's measurements).
     */
    private void algorithm(ContentItem group) throws DicomException {
        text(group, HAS_CONCEPT_MOD, ALGORITHM_NAME, observer.model().name());
        text(group, HAS_CONCEPT_MOD, ALGORITHM_VERSION, observer.model().version());
    }

    /**
     * A Measurement Group container naming the template it follows in its Content Template Sequence (PS3.3
     * C.18.8: Type 1C where a template was used), as readers sort groups by it.
     */
    private ContentItem group(ContentItem parent, String template) throws DicomException {
        return factory.makeContainerContentItem(parent, CONTAINS, MEASUREMENT_GROUP.item(), true, "DCMR", template);
    }

    /**
     * The Tracking Identifier of both groups of a lesion: Cornerstone3D's freehand ROI identifier, then the lesion's
     * name ("Cornerstone3DTools@^0.1.0:PlanarFreehandROI:Tumour 1"). OHIF's adapters take an identifier that starts
     * with a tool's identifier followed by ':' as that tool's, so OHIF still redraws the planar group's outline;
     * the name after it is the SEG segment's Tracking ID.
     */
    private static String trackingIdentifier(LesionTracking t) {
        return CORNERSTONE_FREEHAND_TRACKING_ID + ":" + t.identifier();
    }

    /**
     * TID 1500 rows 12-14: "Neoplasm: No", with a comment a reader sees at once that names the algorithm (PixelMed's
     * rules do not take TID 4019 items in this container).
     */
    private void noLesion(ContentItem root) throws DicomException {
        ContentItem evaluations = container(root, QUALITATIVE_EVALUATIONS);
        code(evaluations, CONTAINS, NEOPLASM, NO);
        text(evaluations, CONTAINS, COMMENT, NO_LESION_COMMENT + " by " + observer.model().name() + " "
                + observer.model().version());
    }

    /** A multi-label model's lesion is a finding of its label's type; otherwise a neoplasm. */
    private static Code finding(LesionTracking t) {
        return t.label().map(l -> new Code(l.type().scheme(), l.type().value(), l.type().meaning())).orElse(NEOPLASM);
    }

    /** The label's finding site where the model's manifest gives one, else the site from the CT's body part. */
    private Code findingSite(LesionTracking t) {
        return t.label().flatMap(l -> l.findingSite()).map(c -> new Code(c.scheme(), c.value(), c.meaning())).orElse(findingSite);
    }

    /** TID 1411 over the whole lesion, pointing at its SEG segment. */
    private void volumetricGroup(ContentItem parent, Lesion lesion, LesionTracking t) throws DicomException {
        ContentItem group = group(parent, "1411");
        text(group, HAS_OBS_CONTEXT, TRACKING_IDENTIFIER, trackingIdentifier(t));
        uid(group, HAS_OBS_CONTEXT, TRACKING_UID, t.uid());
        code(group, CONTAINS, FINDING, finding(t));
        code(group, HAS_CONCEPT_MOD, FINDING_SITE, findingSite(t));
        algorithm(group);
        if (seg.isPresent()) {
            SegReference s = seg.get();
            Integer segment = s.segmentNumberByLesionId().get(lesion.id());
            factory.makeImageContentItem(group, CONTAINS, REFERENCED_SEGMENT.item(), s.sopClassUid(),
                    s.sopInstanceUid(), 0, segment, null, null, null, null);
            uid(group, CONTAINS, SOURCE_SERIES_FOR_SEGMENTATION, analysis.volume().seriesInstanceUid());
        }
        num(group, VOLUME, lesion.volumeMm3(), MM3, null);
        attenuation(group, lesion.hu());
        num(group, AREA, lesion.largestAreaMm2(), MM2, MAXIMUM);
        num(group, LONG_AXIS, lesion.longestDiameterMm(), MM, null);
        num(group, SHORT_AXIS, lesion.shortAxisMm(), MM, null);
        centroid(group, lesion.centroidMm());
    }

    /**
     * TID 1410 on the lesion's largest slice, in the layout Cornerstone3D rehydrates as a PlanarFreehandROI: its
     * tracking identifier, the first NUM (Area) holding the outline of the largest piece as an INFERRED FROM
     * SCOORD on the CT image, and a Comment as the label. The group's Image Regions (TID 1410 row 5) are every
     * piece and hole on that slice. Its Tracking UID is the lesion's, shared with the volumetric group and the
     * SEG segment: one lesion, one tracked finding; OHIF merges the groups by it into one measurement, so the
     * volumetric group (which has no SCOORD of its own) is never a measurement without geometry there.
     */
    private void planarGroup(ContentItem parent, Lesion lesion, LesionTracking t) throws DicomException {
        int slice = lesion.largestAreaSlice();
        SliceMeasurement m = lesion.slices().stream().filter(s -> s.slice() == slice).findFirst()
                .orElseThrow(() -> new SrWriteException("lesion " + lesion.id() + " has no measurement on its largest slice " + slice));
        SliceInfo image = analysis.volume().slices().get(slice);
        List<ContourTracer.Outline> outlines = ContourTracer.outlines(analysis.lesionMask(slice, lesion.id()),
                analysis.volume().geometry().rows(), analysis.volume().geometry().columns());
        if (outlines.isEmpty()) {
            throw new SrWriteException("lesion " + lesion.id() + " has no pixels on its largest slice " + slice
                    + " of series " + analysis.volume().seriesInstanceUid());
        }

        ContentItem group = group(parent, "1410");
        text(group, HAS_OBS_CONTEXT, TRACKING_IDENTIFIER, trackingIdentifier(t));
        uid(group, HAS_OBS_CONTEXT, TRACKING_UID, t.uid());
        code(group, CONTAINS, FINDING, finding(t));
        code(group, HAS_CONCEPT_MOD, FINDING_SITE, findingSite(t));
        algorithm(group);
        for (ContourTracer.Outline outline : outlines) polyline(group, CONTAINS, IMAGE_REGION, outline.points(), image);
        ContentItem area = num(group, AREA, m.areaMm2(), MM2, null);
        // Cornerstone3D's freehand ROI is one polygon: the largest piece's outer boundary
        polyline(area, INFERRED_FROM, null, outlines.get(0).points(), image);
        num(group, PERIMETER, m.perimeterMm(), MM, null);
        num(group, LONG_AXIS, m.longestDiameterMm(), MM, null);
        num(group, SHORT_AXIS, m.shortAxisMm(), MM, null);
        num(group, MAJOR_AXIS, m.majorAxisMm(), MM, null);
        num(group, MINOR_AXIS, m.minorAxisMm(), MM, null);
        num(group, ROUNDNESS, m.roundness(), RATIO, null);
        attenuation(group, m.hu());
        centroid(group, m.centroidMm());
        texture(group, m.texture());
        text(group, CONTAINS, COMMENT, t.identifier());
    }

    private void attenuation(ContentItem group, HuStatistics hu) throws DicomException {
        num(group, ATTENUATION_COEFFICIENT, hu.meanHu(), HU, MEAN);
        num(group, ATTENUATION_COEFFICIENT, hu.minHu(), HU, MINIMUM);
        num(group, ATTENUATION_COEFFICIENT, hu.maxHu(), HU, MAXIMUM);
        num(group, ATTENUATION_COEFFICIENT, hu.standardDeviationHu(), HU, STANDARD_DEVIATION);
        num(group, ATTENUATION_COEFFICIENT, hu.medianHu(), HU, MEDIAN);
        num(group, ATTENUATION_COEFFICIENT, hu.skewness(), NO_UNITS, SKEWNESS);
        num(group, ATTENUATION_COEFFICIENT, hu.kurtosis(), NO_UNITS, KURTOSIS);
    }

    private void centroid(ContentItem group, Vector3 c) throws DicomException {
        num(group, CENTROID_X, c.x(), MM, null);
        num(group, CENTROID_Y, c.y(), MM, null);
        num(group, CENTROID_Z, c.z(), MM, null);
    }

    private void texture(ContentItem group, TextureFeatures f) throws DicomException {
        double[] values = {f.smallGradientDominance(), f.largeGradientDominance(), f.grayLevelNonUniformity(),
                f.gradientNonUniformity(), f.energy(), f.grayMean(), f.gradientMean(), f.grayStandardDeviation(),
                f.gradientStandardDeviation(), f.correlation(), f.grayEntropy(), f.gradientEntropy(),
                f.mixedEntropy(), f.inertia(), f.inverseDifferenceMoment()};
        for (int i = 0; i < values.length; i++) num(group, GLGCM[i], values[i], NO_UNITS, null);
    }

    /**
     * A NUM with its value as DS text (at most 16 characters) and, exactly, as Floating Point Value; with a
     * Derivation modifier when {@code derivation} is given.
     *
     * @throws SrWriteException for a value that is not finite: a measurement that cannot be stated is a bug upstream
     */
    private ContentItem num(ContentItem parent, Code concept, double value, Code unit, Code derivation)
            throws DicomException {
        if (!Double.isFinite(value)) {
            throw new SrWriteException(concept.meaning() + " is " + value + " in series "
                    + analysis.volume().seriesInstanceUid() + "; a NUM needs a finite value");
        }
        String text = FloatFormatter.toStringOfFixedMaximumLength(value, DS_MAX_LENGTH, false, Locale.US);
        ContentItem item = factory.makeNumericContentItem(parent, CONTAINS, concept.item(), text, value, null, null,
                unit.item(), null);
        if (derivation != null) code(item, HAS_CONCEPT_MOD, DERIVATION, derivation);
        return item;
    }

    private void polyline(ContentItem parent, String relationship, Code concept, float[] points, SliceInfo image)
            throws DicomException {
        ContentItem scoord = factory.makeSpatialCoordinatesContentItem(parent, relationship,
                concept == null ? null : concept.item(), "POLYLINE", points);
        factory.makeImageContentItem(scoord, SELECTED_FROM, null, image.sopClassUid(), image.sopInstanceUid(),
                0, 0, null, null, null, null);
    }

    private ContentItem container(ContentItem parent, Code concept) throws DicomException {
        return factory.makeContainerContentItem(parent, CONTAINS, concept.item(), true);
    }

    private void code(ContentItem parent, String relationship, Code concept, Code value) throws DicomException {
        factory.makeCodeContentItem(parent, relationship, concept.item(), value.item());
    }

    private void text(ContentItem parent, String relationship, Code concept, String value) throws DicomException {
        factory.makeTextContentItem(parent, relationship, concept.item(), value);
    }

    private void uid(ContentItem parent, String relationship, Code concept, String value) throws DicomException {
        factory.makeUIDContentItem(parent, relationship, concept.item(), value);
    }
}
