package org.ctai.scp.priors;

import org.ctai.scp.PixelMedAssociations;

import org.ctai.scp.config.NodeConfig;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.SOPClass;
import com.pixelmed.dicom.SpecificCharacterSet;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import com.pixelmed.network.Association;
import com.pixelmed.dicom.StoredFilePathStrategy;
import com.pixelmed.network.FindSOPClassSCU;
import com.pixelmed.network.GetSOPClassSCU;
import com.pixelmed.network.ReceivedObjectHandler;
import com.pixelmed.network.IdentifierHandler;
import com.pixelmed.network.MoveSOPClassSCU;
import com.pixelmed.network.PresentationContext;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.ctai.viewer.StowReceiver;
import java.time.Duration;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Study Root C-FIND, C-MOVE and C-GET SCU towards the PACS ({@code priors.source}): one association per call, a connect
 * timeout, TCP_NODELAY and a read timeout on PixelMed's socket. Any failure (no association, a failure status, a
 * timeout) is an {@link IOException} whose message names the PACS and the step, never the patient. Thread-safe.
 */
final class QueryRetrieveScu implements PriorSource {
    private static final DateTimeFormatter DA = DateTimeFormatter.BASIC_ISO_DATE;
    /** The attributes asked for at SERIES level: every one a routing fact reads that a PACS may answer. */
    private static final List<AttributeTag> SERIES_KEYS = List.of(TagFromName.SeriesInstanceUID, TagFromName.Modality,
            TagFromName.SeriesNumber, TagFromName.SeriesDescription, TagFromName.BodyPartExamined, TagFromName.ProtocolName,
            TagFromName.Manufacturer, TagFromName.ImageType, TagFromName.ConvolutionKernel, TagFromName.ContrastBolusAgent,
            TagFromName.SliceThickness, TagFromName.PixelSpacing, TagFromName.ImageOrientationPatient,
            TagFromName.NumberOfSeriesRelatedInstances);
    /**
     * The storage SOP classes a C-GET proposes to receive (SCP role): the CT classes the priors are chosen from. A
     * few, since each costs a presentation context (at most 128) and PixelMed proposes one per class.
     */
    private static final Set<String> GET_STORAGE_CLASSES = Set.of(SOPClass.CTImageStorage, SOPClass.EnhancedCTImageStorage,
            SOPClass.LegacyConvertedEnhancedCTImageStorage);
    private static final AtomicLong GETS = new AtomicLong();
    private static final ExecutorService C_GET_THREADS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "priors-c-get");
        t.setDaemon(true);
        return t;
    });

    private final NodeConfig.AeDestination pacs;
    private final String callingAeTitle;
    private final Duration connectTimeout;
    private final Duration timeout;
    private final NodeConfig.Priors.Retrieve how;
    private final StowReceiver intake;
    private final Path scratch;

    /**
     * @param callingAeTitle the node's AE title: the calling AE title towards the PACS and the C-MOVE destination
     * @param how            C-MOVE (the PACS stores into the node's receiver) or C-GET (on this association, into {@code intake})
     * @param intake         the receiver's intake for C-GET's instances
     * @param scratch        this process's own folder for C-GET's files on their way to the intake
     */
    QueryRetrieveScu(NodeConfig.AeDestination pacs, String callingAeTitle, Duration connectTimeout, Duration timeout,
                     NodeConfig.Priors.Retrieve how, StowReceiver intake, Path scratch) {
        this.pacs = pacs;
        this.callingAeTitle = callingAeTitle;
        this.connectTimeout = connectTimeout;
        this.timeout = timeout;
        this.how = how;
        this.intake = intake;
        this.scratch = scratch;
    }

    /**
     * The patient's CT studies dated {@code from} to {@code to}, inclusive (STUDY level). Issuer of Patient ID is
     * sent as a matching key when known; a PACS that does not match on it may return other issuers' studies, which
     * the caller drops.
     */
    @Override
    public List<AttributeList> findStudies(String patientId, String issuer, LocalDate from, LocalDate to) throws IOException {
        try {
            AttributeList id = new AttributeList();
            put(id, TagFromName.QueryRetrieveLevel, "STUDY");
            put(id, TagFromName.PatientID, patientId);
            put(id, TagFromName.IssuerOfPatientID, issuer);
            put(id, TagFromName.ModalitiesInStudy, "CT");
            put(id, TagFromName.StudyDate, from.format(DA) + "-" + to.format(DA));
            put(id, TagFromName.StudyInstanceUID, "");
            put(id, TagFromName.StudyDescription, "");
            put(id, TagFromName.NumberOfStudyRelatedSeries, "");
            return find(id, "C-FIND STUDY");
        } catch (DicomException e) {
            throw new IOException("cannot build the C-FIND identifier: " + e.getMessage(), e);
        }
    }

    /** The CT series of one study (SERIES level) with every attribute a routing fact reads. */
    @Override
    public List<AttributeList> findSeries(String studyUid) throws IOException {
        try {
            AttributeList id = new AttributeList();
            put(id, TagFromName.QueryRetrieveLevel, "SERIES");
            put(id, TagFromName.StudyInstanceUID, studyUid);
            for (AttributeTag t : SERIES_KEYS) put(id, t, t.equals(TagFromName.Modality) ? "CT" : "");
            return find(id, "C-FIND SERIES of study " + studyUid);
        } catch (DicomException e) {
            throw new IOException("cannot build the C-FIND identifier: " + e.getMessage(), e);
        }
    }

    /** C-MOVE to the node's own AE title, or C-GET into the receiver's intake ({@code priors.retrieve}). */
    @Override
    public void retrieve(String studyUid, String seriesUid) throws IOException {
        switch (how) {
            case MOVE -> move(studyUid, seriesUid, callingAeTitle);
            case GET -> get(studyUid, seriesUid, intake, scratch);
        }
    }

    /** The PACS stores the priors into the node under its own AE title, usually the one it is configured with. */
    @Override
    public String callingAeTitle() {
        return pacs.aeTitle();
    }

    /**
     * Asks the PACS to send one series to {@code destinationAe} and waits for the final response. The instances come
     * in through the node's own receiver on another association; success means the PACS reports every
     * sub-operation done.
     */
    void move(String studyUid, String seriesUid, String destinationAe) throws IOException {
        String what = "C-MOVE of series " + seriesUid + " to " + destinationAe;
        Association a = associate(SOPClass.StudyRootQueryRetrieveInformationModelMove, what);
        try {
            AttributeList id = new AttributeList();
            put(id, TagFromName.QueryRetrieveLevel, "SERIES");
            put(id, TagFromName.StudyInstanceUID, studyUid);
            put(id, TagFromName.SeriesInstanceUID, seriesUid);
            // throws DicomNetworkException naming the status when the final response is not success (0000)
            new MoveSOPClassSCU(a, destinationAe, SOPClass.StudyRootQueryRetrieveInformationModelMove, id);
            a.release();
        } catch (Exception e) {
            PixelMedAssociations.abortQuietly(a);
            throw new IOException(what + " at " + pacs + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * Retrieves one series with C-GET: the PACS sends its instances back on this association (C-STORE sub-operations).
     * PixelMed's C-GET SCU writes each to a file in {@code scratch}; the received-object handler then hands that file to
     * {@code intake} (the receiver's own intake, as for a C-STORE: spool, database, {@code data.fsync}) and deletes it,
     * so an instance is stored before the next is read and before this returns. Success means the PACS reported every
     * sub-operation done and every instance was stored; anything else is an {@link IOException} and the whole series
     * is asked for again later (an identical instance received twice is a no-op for the intake).
     *
     * <p>PixelMed opens this association itself, without a connect or read timeout: the call runs on a helper thread
     * and is given up when neither an instance nor the end has come for {@code connect-timeout + timeout} (first) or
     * {@code timeout} (later). A helper thread given up on stays blocked on the dead PACS's socket until TCP ends it.
     */
    void get(String studyUid, String seriesUid, StowReceiver intake, Path scratch) throws IOException {
        String what = "C-GET of series " + seriesUid;
        Path folder = Files.createDirectories(scratch).resolve("get-" + GETS.incrementAndGet());
        Files.createDirectories(folder);
        AtomicLong lastProgress = new AtomicLong(System.nanoTime() + connectTimeout.toNanos());
        AtomicInteger stored = new AtomicInteger();
        try (StowReceiver.Request request = intake.begin(pacs.aeTitle(), pacs.host())) {
            ReceivedObjectHandler toIntake = new ReceivedObjectHandler() {
                @Override
                public void sendReceivedObjectIndication(String fileName, String transferSyntax, String callingAeTitle) throws IOException {
                    Path file = Path.of(fileName);
                    try (InputStream in = Files.newInputStream(file)) {
                        StowReceiver.Outcome outcome = request.store(in, Optional.of(studyUid));
                        if (!outcome.isStored()) {
                            // thrown out of PixelMed's C-GET: the retrieval fails and is tried again later
                            throw new IOException("instance " + outcome.sopInstanceUid() + " not stored: " + outcome.reason());
                        }
                    } finally {
                        Files.deleteIfExists(file);
                    }
                    stored.incrementAndGet();
                    lastProgress.set(System.nanoTime());
                }
            };
            AttributeList id = new AttributeList();
            put(id, TagFromName.QueryRetrieveLevel, "SERIES");
            put(id, TagFromName.StudyInstanceUID, studyUid);
            put(id, TagFromName.SeriesInstanceUID, seriesUid);
            Future<Void> pending = C_GET_THREADS.submit(() -> {
                // throws DicomNetworkException naming the status when the final response is not success (0000)
                new GetSOPClassSCU(pacs.host(), pacs.port(), pacs.aeTitle(), callingAeTitle, SOPClass.StudyRootQueryRetrieveInformationModelGet,
                        id, new IdentifierHandler(), folder.toFile(), StoredFilePathStrategy.BYSOPINSTANCEUIDINSINGLEFOLDER, toIntake,
                        GET_STORAGE_CLASSES, true, false, false);
                return null;
            });
            while (true) {
                try {
                    pending.get(200, TimeUnit.MILLISECONDS);
                    return;
                } catch (TimeoutException e) {
                    long quiet = System.nanoTime() - lastProgress.get();
                    if (quiet > timeout.toNanos()) {
                        pending.cancel(true);
                        throw new IOException(what + " at " + pacs + ": nothing for " + timeout.toMillis() / 1000.0 + " s after "
                                + stored.get() + " instances");
                    }
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    throw new IOException(what + " at " + pacs + " failed after " + stored.get() + " instances: " + cause.getMessage(), cause);
                } catch (InterruptedException e) {
                    pending.cancel(true);
                    Thread.currentThread().interrupt();
                    throw new IOException(what + ": interrupted", e);
                }
            }
        } catch (DicomException e) {
            throw new IOException("cannot build the C-GET identifier: " + e.getMessage(), e);
        } finally {
            deleteQuietly(folder);
        }
    }

    /** The scratch folder of one C-GET: PixelMed's temporary and left-over files (a failed instance's). */
    private static void deleteQuietly(Path folder) {
        try (var files = Files.list(folder)) {
            for (Path f : files.toList()) Files.deleteIfExists(f);
            Files.deleteIfExists(folder);
        } catch (IOException e) {
            // a file PixelMed still writes (a C-GET given up on); the next start's scratch is a new folder
        }
    }

    private List<AttributeList> find(AttributeList identifier, String what) throws IOException {
        Association a = associate(SOPClass.StudyRootQueryRetrieveInformationModelFind, what);
        List<AttributeList> answers = new ArrayList<>();
        try {
            new FindSOPClassSCU(a, SOPClass.StudyRootQueryRetrieveInformationModelFind, identifier, new IdentifierHandler() {
                @Override
                public void doSomethingWithIdentifier(AttributeList answer) {
                    answers.add(answer);
                }
            });
            a.release();
            return answers;
        } catch (Exception e) {
            PixelMedAssociations.abortQuietly(a);
            throw new IOException(what + " at " + pacs + " failed: " + e.getMessage(), e);
        }
    }

    private static void put(AttributeList list, AttributeTag tag, String value) throws DicomException {
        Attribute a = list.putNewAttribute(tag, new SpecificCharacterSet((String[]) null));
        if (value != null && !value.isEmpty()) a.addValue(value);
    }

    private Association associate(String sopClass, String what) throws IOException {
        LinkedList<PresentationContext> contexts = new LinkedList<>();
        contexts.add(new PresentationContext((byte) 1, sopClass, TransferSyntax.ExplicitVRLittleEndian));
        contexts.add(new PresentationContext((byte) 3, sopClass, TransferSyntax.ImplicitVRLittleEndian));
        try {
            return PixelMedAssociations.open(pacs.host(), pacs.port(), pacs.aeTitle(), callingAeTitle, contexts, connectTimeout, timeout, pacs);
        } catch (IOException e) {
            throw new IOException(what + ": " + e.getMessage(), e.getCause());
        }
    }
}
