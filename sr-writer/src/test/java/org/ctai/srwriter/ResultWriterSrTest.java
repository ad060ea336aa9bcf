package org.ctai.srwriter;

import static org.assertj.core.api.Assertions.assertThat;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.ContentItem;
import com.pixelmed.dicom.ContentItemFactory;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.StructuredReport;
import com.pixelmed.dicom.TagFromName;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SR that {@link ResultWriter} builds next to the real SEG points at that SEG's segments, by the same tracking. */
class ResultWriterSrTest {

    @TempDir
    static Path dir;
    static AnalysedPhantom phantom;
    static Results results;

    @BeforeAll
    static void buildResults() throws Exception {
        phantom = AnalysedPhantom.create(9613, 2, dir.resolve("phantom"));
        ResultWriter writer = new ResultWriter(ResultOptions.defaults().withOverlays(false), SrWriterTest.MODEL,
                phantom.segmenter().spec().labels().get(0), Clock.fixed(Instant.parse("2024-03-01T10:30:00Z"), ZoneOffset.UTC));
        results = writer.build(phantom.analysis());
    }

    @AfterAll
    static void closeModel() {
        if (phantom != null) phantom.segmenter().close();
    }

    @Test
    void reportReferencesTheSegSegmentsWithTheirTrackingIdsAndUids() throws Exception {
        assertThat(results.seg()).isPresent();
        assertThat(results.sr()).isNotNull();
        AttributeList segList = results.seg().get().dataset();
        Map<Integer, String[]> segmentTracking = new HashMap<>(); // segment number -> Tracking ID, Tracking UID
        SequenceAttribute segments = (SequenceAttribute) segList.get(TagFromName.SegmentSequence);
        for (int i = 0; i < segments.getNumberOfItems(); i++) {
            AttributeList s = segments.getItem(i).getAttributeList();
            segmentTracking.put(Attribute.getSingleIntegerValueOrDefault(s, TagFromName.SegmentNumber, -1), new String[] {
                    Attribute.getSingleStringValueOrNull(s, TagFromName.TrackingID),
                    Attribute.getSingleStringValueOrNull(s, TagFromName.TrackingUID)});
        }
        String segSop = Attribute.getSingleStringValueOrNull(segList, TagFromName.SOPInstanceUID);

        ContentItem root = (ContentItem) new StructuredReport(results.sr()).getRoot();
        int volumetric = 0;
        for (ContentItem group : SrWriterTest.groups(root.getNamedChild("DCM", "126010"))) {
            ContentItemFactory.ImageContentItem segment = (ContentItemFactory.ImageContentItem) group.getNamedChild("DCM", "121191");
            if (segment == null) continue;
            volumetric++;
            assertThat(segment.getReferencedSOPInstanceUID()).isEqualTo(segSop);
            String[] t = segmentTracking.get(segment.getReferencedSegmentNumber());
            assertThat(t).as("segment %d exists", segment.getReferencedSegmentNumber()).isNotNull();
            // the SR's identifier is Cornerstone3D's tool identifier followed by the segment's Tracking ID
            assertThat(group.getSingleStringValueOrNullOfNamedChild("DCM", "112039"))
                    .isEqualTo(ReportCodes.CORNERSTONE_FREEHAND_TRACKING_ID + ":" + t[0]);
            assertThat(group.getSingleStringValueOrNullOfNamedChild("DCM", "112040")).isEqualTo(t[1]);
        }
        assertThat(volumetric).isEqualTo(phantom.analysis().lesions().size()).isEqualTo(segmentTracking.size());
        assertThat(Attribute.getSingleStringValueOrNull(results.sr(), TagFromName.SeriesNumber))
                .isEqualTo(Integer.toString(ResultOptions.DEFAULT_SR_SERIES_NUMBER));
    }
}
