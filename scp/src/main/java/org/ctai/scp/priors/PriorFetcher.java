package org.ctai.scp.priors;

import org.ctai.scp.config.NodeConfig;
import org.ctai.scp.queue.JobHooks;
import org.ctai.scp.route.Pipeline;
import org.ctai.scp.route.Router;
import org.ctai.scp.route.SeriesFacts;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.TagFromName;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.ctai.viewer.StowReceiver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches a patient's prior CT studies from the PACS ({@code priors.*} keys) so the history has earlier studies to
 * compare with. {@link #studySeen} records that a study was processed and returns at once; background threads
 * ({@code priors-fetch-N}, {@code priors.max-retrievals} of them) then ask the PACS for the patient's earlier CT
 * studies (C-FIND STUDY, then SERIES), keep the newest {@code priors.max-studies} within {@code priors.max-years},
 * pick the series the pipelines' rules may take from what C-FIND says, and retrieve them with C-MOVE to the node's
 * own AE title, or with C-GET ({@code priors.retrieve=get}). The instances arrive through the receiver (C-MOVE) or are
 * handed to the receiver's intake as each comes (C-GET), and are processed like any series. A DICOMweb source
 * ({@code priors.source=dicomweb:URL}) is asked by QIDO-RS instead, and its series retrieved by WADO-RS into the same
 * intake ({@link DicomWebPriorSource}); everything else is the same.
 *
 * <p>Never in the way: nothing here runs on a worker's or the receiver's thread but one INSERT; a study already
 * received, or fetched or chosen before, is not fetched again, and a prior never asks for priors of its own; a PACS
 * that is down or answers failures costs only retries, with backoff ({@code priors.retry-seconds}, doubling up to
 * {@code priors.retry-max-seconds}, given up after {@code priors.max-attempts}). State lives in
 * {@code scp.prior_query} and {@code scp.prior_fetch}, so a restart goes on where it stopped.
 *
 * <p>Thread-safe. Log lines name study and series UIDs, never the patient.
 */
public final class PriorFetcher implements JobHooks, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PriorFetcher.class);
    /** How often the threads look for due work when there was none. */
    static final Duration POLL = Duration.ofSeconds(1);
    /**
     * A claimed query or retrieval is taken again after this long if its process did not finish it (it died). A
     * C-MOVE of a large series may take minutes; one that outlives the lease is moved twice, which the receiver
     * absorbs (an identical resend is a no-op).
     */
    static final Duration LEASE = Duration.ofMinutes(15);
    private static final DateTimeFormatter DA = DateTimeFormatter.BASIC_ISO_DATE;

    private final NodeConfig.Priors config;
    private final PriorStore store;
    private final Optional<PriorSource> pacs;
    private final Router router;
    private final Clock clock;
    /** PixelMed's C-GET SCU writes each instance to a file here before the intake takes it; cleared of dead processes' at start. */
    private final Path scratch;
    private final ScheduledExecutorService threads;
    private boolean closed;

    private PriorFetcher(NodeConfig.Priors config, PriorStore store, Optional<PriorSource> pacs, Router router, Clock clock, Path scratch) {
        this.scratch = scratch;
        this.config = config;
        this.store = store;
        this.pacs = pacs;
        this.router = router;
        this.clock = clock;
        AtomicInteger n = new AtomicInteger();
        this.threads = Executors.newScheduledThreadPool(config.maxRetrievals(), r -> {
            Thread t = new Thread(r, "priors-fetch-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * @param nodeAeTitle the node's AE title: the C-MOVE destination and the calling AE title towards the PACS
     * @param pipelines   the node's pipelines, whose rules pick the series worth fetching
     * @param retrieved   the receiver's intake for instances the node retrieves itself, by C-GET or WADO-RS
     *                    ({@code DicomReceiver.retrieved()}); C-MOVE's arrive at the DICOM receiver
     * @param scratch     this process's own folder for C-GET's files on their way to the intake
     */
    public static PriorFetcher create(DataSource db, NodeConfig.Priors config, String nodeAeTitle, List<Pipeline> pipelines, Clock clock,
                                      StowReceiver retrieved, Path scratch) {
        Optional<PriorSource> pacs = config.source().map(s -> sourceFor(s, config, nodeAeTitle, retrieved, scratch));
        return new PriorFetcher(config, new PriorStore(db), pacs, new Router(pipelines), clock, scratch);
    }

    private static PriorSource sourceFor(NodeConfig.Destination source, NodeConfig.Priors config, String nodeAeTitle, StowReceiver retrieved,
                                         Path scratch) {
        if (source instanceof NodeConfig.WebDestination web) {
            return DicomWebPriorSource.create(web, config.connectTimeout(), config.timeout(), retrieved);
        }
        return new QueryRetrieveScu((NodeConfig.AeDestination) source, nodeAeTitle, config.connectTimeout(), config.timeout(), config.retrieve(),
                retrieved, scratch);
    }

    /**
     * Starts the background threads; does nothing more when {@code priors.source} is empty. First removes what a C-GET
     * of a dead process of this host left in its scratch folder (patient data: the series is fetched again anyway).
     */
    public void start() {
        clearLeftovers(scratch);
        if (pacs.isEmpty()) return;
        log.info("priors from {} by {}: newest {} studies within {} years, {} at once, results {}", config.source().get(),
                config.source().get() instanceof NodeConfig.WebDestination ? "QIDO-RS and WADO-RS" : "C-FIND and C-" + config.retrieve().name(), config.maxStudies(), config.maxYears(), config.maxRetrievals(),
                config.sendResults() ? "sent" : "kept in the history");
        for (int i = 0; i < config.maxRetrievals(); i++) {
            threads.scheduleWithFixedDelay(new Round(), i * 100L, POLL.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /**
     * A study of the patient was processed: its priors are to be fetched. Returns after one INSERT; never throws (a
     * failure is logged: a study whose priors are not fetched is still processed). Does nothing when priors are off,
     * for a study without Patient ID (a query by an empty ID would match every patient), for a study that already
     * asked, and for a study that is itself a prior.
     *
     * @param studyDate the study's Study Date, YYYYMMDD; empty or malformed: today
     */
    public void studySeen(String patientId, String issuerOfPatientId, String studyUid, String studyDate) {
        if (pacs.isEmpty()) return;
        if (patientId == null || patientId.isBlank()) {
            log.info("study {} has no Patient ID; its priors are not fetched", studyUid);
            return;
        }
        try {
            if (store.addQuery(studyUid, patientId.trim(), issuerOfPatientId == null ? "" : issuerOfPatientId.trim(),
                    studyDate == null ? "" : studyDate.trim())) {
                log.info("study {}: its priors will be fetched from {}", studyUid, config.source().get());
            }
        } catch (SQLException | RuntimeException e) {
            log.warn("study {}: cannot record that its priors are to be fetched ({}); they will not be", studyUid, e.toString());
        }
    }

    /** After the job of a series completed: {@link #studySeen} for its study. */
    @Override
    public void completed(long seriesId) {
        if (pacs.isEmpty()) return;
        try {
            store.studyOfSeries(seriesId).ifPresent(s -> studySeen(s.patientId(), s.issuer(), s.studyUid(), s.studyDate()));
        } catch (SQLException | RuntimeException e) {
            log.warn("series {}: cannot look up its study for fetching priors ({})", seriesId, e.toString());
        }
    }

    /** No destinations for a prior's results unless {@code priors.send-results}; the others' are unchanged. */
    @Override
    public List<String> destinations(long seriesId, List<String> configured) {
        if (config.sendResults() || configured.isEmpty()) return configured;
        try {
            if (store.seriesOfPrior(seriesId)) {
                log.info("series {} belongs to a prior: its results stay in the history (priors.send-results=false)", seriesId);
                return List.of();
            }
            return configured;
        } catch (SQLException e) {
            // sending a prior's results by mistake is the lesser harm than losing a current study's
            log.warn("series {}: cannot tell whether it is a prior ({}); its results are sent", seriesId, e.toString());
            return configured;
        }
    }

    /** One round of a priors thread: every due query, then every due retrieval. Catches everything. */
    private final class Round implements Runnable {
        @Override
        public void run() {
            try {
                boolean worked = true;
                while (worked && !Thread.currentThread().isInterrupted()) worked = queryOnce() || fetchOnce();
            } catch (Throwable t) {
                // an exception escaping scheduleWithFixedDelay would cancel every later round without a word
                log.error("{}: fetching priors failed; trying again in {} s: {}", Thread.currentThread().getName(), POLL.toSeconds(), t.toString());
            }
        }
    }

    private boolean queryOnce() throws SQLException {
        Optional<PriorStore.Query> claimed = store.claimQuery(LEASE);
        if (claimed.isEmpty()) return false;
        PriorStore.Query q = claimed.get();
        try {
            int chosen = choosePriors(q);
            store.queryDone(q.studyUid());
            log.info("study {}: priors to fetch: {}", q.studyUid(), chosen);
        } catch (IOException e) {
            boolean giveUp = q.attempt() >= config.maxAttempts();
            Duration retry = config.retryAfter(q.attempt());
            store.queryFailed(q.studyUid(), e.getMessage(), retry, giveUp);
            if (giveUp) log.error("study {}: asking for its priors failed {} times; given up: {}", q.studyUid(), q.attempt(), e.getMessage());
            else log.warn("study {}: asking for its priors failed (attempt {}); again in {} s: {}", q.studyUid(), q.attempt(),
                    retry.toMillis() / 1000.0, e.getMessage());
        }
        return true;
    }

    /** C-FIND the patient's earlier CT studies, keep the newest, record each unknown one with the series to move. */
    private int choosePriors(PriorStore.Query q) throws IOException, SQLException {
        LocalDate date = date(q.studyDate()).orElse(LocalDate.now(clock));
        List<AttributeList> studies = pacs.get().findStudies(q.patientId(), q.issuer(), date.minusYears(config.maxYears()), date);
        List<AttributeList> newest = studies.stream()
                .filter(s -> !uid(s, TagFromName.StudyInstanceUID).isEmpty() && !uid(s, TagFromName.StudyInstanceUID).equals(q.studyUid()))
                .filter(s -> samePatient(s, q))
                .filter(s -> date(text(s, TagFromName.StudyDate)).map(d -> !d.isAfter(date)).orElse(true))
                .filter(s -> modalities(s).isEmpty() || modalities(s).contains("CT"))
                .sorted(Comparator.comparing((AttributeList s) -> text(s, TagFromName.StudyDate)).reversed())
                .limit(config.maxStudies()).toList();
        int chosen = 0;
        for (AttributeList study : newest) {
            String studyUid = uid(study, TagFromName.StudyInstanceUID);
            if (store.known(studyUid)) continue;
            List<String> series = pacs.get().findSeries(studyUid).stream().filter(s -> worthFetching(s, study)).map(s -> uid(s, TagFromName.SeriesInstanceUID))
                    .filter(s -> !s.isEmpty()).distinct().toList();
            store.addFetch(studyUid, q.studyUid(), text(study, TagFromName.StudyDate), series);
            if (series.isEmpty()) log.info("prior {} of study {}: no series any pipeline may take; not fetched", studyUid, q.studyUid());
            else chosen++;
        }
        return chosen;
    }

    /** Whether any pipeline may take the series, judged on what C-FIND said (rules on facts it did not say hold). */
    private boolean worthFetching(AttributeList series, AttributeList study) {
        AttributeList merged = new AttributeList();
        merged.putAll(study);
        merged.putAll(series);
        SeriesFacts facts = SeriesFacts.fromQuery(merged, pacs.get().callingAeTitle());
        return !router.taking(facts).isEmpty();
    }

    private boolean fetchOnce() throws SQLException {
        Optional<PriorStore.Fetch> claimed = store.claimFetch(LEASE);
        if (claimed.isEmpty()) return false;
        PriorStore.Fetch f = claimed.get();
        try {
            for (String series : f.seriesUids()) pacs.get().retrieve(f.studyUid(), series);
            store.fetchDone(f.studyUid());
            log.info("prior {} of study {}: {} series retrieved", f.studyUid(), f.forStudyUid(), f.seriesUids().size());
        } catch (IOException e) {
            boolean giveUp = f.attempt() >= config.maxAttempts();
            Duration retry = config.retryAfter(f.attempt());
            store.fetchFailed(f.studyUid(), e.getMessage(), retry, giveUp);
            if (giveUp) log.error("prior {} of study {}: retrieval failed {} times; given up: {}", f.studyUid(), f.forStudyUid(), f.attempt(), e.getMessage());
            else log.warn("prior {} of study {}: retrieval failed (attempt {}); again in {} s: {}", f.studyUid(), f.forStudyUid(), f.attempt(),
                    retry.toMillis() / 1000.0, e.getMessage());
        }
        return true;
    }

    /**
     * Deletes the scratch folders ({@code <host>-<pid>} beside {@code scratch}) of this host's processes that are no
     * longer alive, and this process's own (a restarted container may reuse a pid). Other hosts' folders, on a
     * shared data.dir, are theirs to clear. Failures are logged: a left-over file costs disk, not correctness.
     */
    static void clearLeftovers(Path scratch) {
        Path root = scratch.getParent();
        String own = scratch.getFileName().toString();
        String host = own.substring(0, own.lastIndexOf('-') + 1);
        if (!java.nio.file.Files.isDirectory(root)) return;
        try (var dirs = java.nio.file.Files.list(root)) {
            for (Path dir : dirs.toList()) {
                String name = dir.getFileName().toString();
                if (!name.startsWith(host)) continue;
                long pid;
                try {
                    pid = Long.parseLong(name.substring(host.length()));
                } catch (NumberFormatException e) {
                    continue;
                }
                if (!name.equals(own) && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) continue;
                try (var files = java.nio.file.Files.walk(dir)) {
                    for (Path f : files.sorted(Comparator.reverseOrder()).toList()) java.nio.file.Files.deleteIfExists(f);
                }
                log.info("removed the C-GET scratch folder {} of an earlier process", dir);
            }
        } catch (IOException | RuntimeException e) {
            log.warn("cannot clear the C-GET scratch folders under {}: {}", root, e.toString());
        }
    }

    /** A PACS that ignores Issuer of Patient ID as a matching key may answer other issuers' patients: drop those. */
    private static boolean samePatient(AttributeList study, PriorStore.Query q) {
        String id = text(study, TagFromName.PatientID);
        String issuer = text(study, TagFromName.IssuerOfPatientID);
        return (id.isEmpty() || id.equals(q.patientId())) && (issuer.isEmpty() || q.issuer().isEmpty() || issuer.equals(q.issuer()));
    }

    private static List<String> modalities(AttributeList study) {
        String[] v = Attribute.getStringValues(study, TagFromName.ModalitiesInStudy);
        return v == null ? List.of() : Arrays.stream(v).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    private static Optional<LocalDate> date(String dicomDate) {
        try {
            return dicomDate.length() == 8 ? Optional.of(LocalDate.parse(dicomDate, DA)) : Optional.empty();
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    private static String text(AttributeList list, com.pixelmed.dicom.AttributeTag tag) {
        return Attribute.getSingleStringValueOrEmptyString(list, tag).trim();
    }

    private static String uid(AttributeList list, com.pixelmed.dicom.AttributeTag tag) {
        return text(list, tag);
    }

    /** Stops the threads: a query or retrieval in flight is cut and taken again after its lease. Idempotent. */
    public synchronized void stop(Duration timeout) {
        if (closed) return;
        closed = true;
        threads.shutdown();
        try {
            if (!threads.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)) threads.shutdownNow();
        } catch (InterruptedException e) {
            threads.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(5));
    }
}
