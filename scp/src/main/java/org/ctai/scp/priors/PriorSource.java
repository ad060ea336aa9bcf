package org.ctai.scp.priors;

import com.pixelmed.dicom.AttributeList;
import java.io.IOException;
import java.time.LocalDate;
import java.util.List;

/**
 * Where priors come from ({@code priors.source}): a DICOM Q/R SCP ({@link QueryRetrieveScu}: C-FIND, C-MOVE) or a
 * DICOMweb server ({@link DicomWebPriorSource}: QIDO-RS, WADO-RS). Answers are DICOM attribute lists either way, so
 * the choice of priors and the routing rules on the answers are the same. Any failure is an {@link IOException}
 * naming the source and the step, never the patient; the caller retries with backoff. Implementations are thread-safe.
 */
interface PriorSource {
    /** The patient's CT studies dated {@code from} to {@code to}, inclusive. */
    List<AttributeList> findStudies(String patientId, String issuer, LocalDate from, LocalDate to) throws IOException;

    /** The CT series of one study, with what the source says of the attributes routing rules read. */
    List<AttributeList> findSeries(String studyUid) throws IOException;

    /**
     * Has one series arrive through the node's own intake (routing, series completion); returns when it is all
     * there, or throws if any of it is not.
     */
    void retrieve(String studyUid, String seriesUid) throws IOException;

    /** The AE title the series arrive under, as routing rules on the calling AE see it. */
    String callingAeTitle();
}
