package org.ctai.scp.queue;

import org.ctai.scp.PollingThreads;
import org.ctai.scp.config.NodeConfig;
import org.ctai.scp.send.Destinations;
import org.ctai.scp.storage.Reconnecting;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code worker.count} threads that claim jobs from the {@link JobQueue}, keep their lease alive while the
 * {@link SeriesProcessor} runs, and record the outcome. Stopping lets each finish the job in hand, up to a
 * time limit; a job cut off by a crash or timeout is taken again when its lease runs out.
 */
public final class Workers implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Workers.class);

    private final DataSource db;
    private final JobQueue queue;
    private final SeriesProcessor processor;
    private final NodeConfig.Worker config;
    private final Path dataDir;
    private final String owner;
    private final Destinations destinations;
    private final Duration ignoredRetention;
    private final PollingThreads threads;
    private final ScheduledExecutorService leases;
    private volatile JobHooks hooks = new JobHooks() { };

    public Workers(DataSource db, JobQueue queue, SeriesProcessor processor, NodeConfig.Worker config, Path dataDir, String owner,
            Destinations destinations) {
        this(db, queue, processor, config, dataDir, owner, destinations, Duration.ofHours(1));
    }

    /** @param ignoredRetention how long the files of a series skipped as outside its model's domain are kept */
    public Workers(DataSource db, JobQueue queue, SeriesProcessor processor, NodeConfig.Worker config, Path dataDir, String owner,
            Destinations destinations, Duration ignoredRetention) {
        this.destinations = destinations;
        this.ignoredRetention = ignoredRetention;
        this.db = db;
        this.queue = queue;
        this.processor = processor;
        this.config = config;
        this.dataDir = dataDir;
        this.owner = owner;
        this.threads = new PollingThreads("worker", config.count(), config.poll(), this::runOnce, log);
        this.leases = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "worker-lease-keeper");
            t.setDaemon(true);
            return t;
        });
    }

    /** Who is told of completed jobs and asked where results go; call before {@link #start()}. */
    public void hooks(JobHooks hooks) {
        this.hooks = java.util.Objects.requireNonNull(hooks, "hooks");
    }

    public void start() {
        threads.start();
    }

    private boolean runOnce() throws SQLException {
        Optional<JobQueue.Claim> claim = queue.claim(owner);
        if (claim.isEmpty()) return false;
        run(claim.get());
        return true;
    }

    private void run(JobQueue.Claim claim) throws SQLException {
        Optional<String> preferred = queue.preferredSibling(claim);
        if (preferred.isPresent()) {
            String reason = "not chosen: pipeline " + claim.pipeline().orElse("") + " processes one series per study and prefers series "
                    + preferred.get();
            log.info("job {} {}", claim.jobId(), reason);
            queue.notChosen(claim, reason, ignoredRetention);
            return;
        }
        SeriesProcessor.SeriesJob job = load(claim);
        log.info("job {} started: series {} version {}, {} instances, attempt {}", claim.jobId(), job.seriesUid(),
                job.seriesVersion(), job.files().size(), claim.attempt());
        long renewMs = Math.max(config.lease().toMillis() / 3, 200);
        ScheduledFuture<?> keeper = leases.scheduleWithFixedDelay(() -> renew(claim), renewMs, renewMs, TimeUnit.MILLISECONDS);
        long start = System.nanoTime();
        try {
            // each attempt writes into its own folder: a run cut off by a crash leaves nothing the next one reuses
            Path resultsDir = dataDir.resolve("results").resolve("job-" + claim.jobId()).resolve("attempt-" + claim.attempt());
            Files.createDirectories(resultsDir);
            SeriesProcessor.Processed processed = processor.process(job, resultsDir, new ProgressRecorder(claim));
            List<String> to = hooks.destinations(claim.seriesId(), destinations.forJob(job.pipeline(), job.callingAeTitle()));
            // minutes of inference are not thrown away for a database that is away for seconds: the lease (checked by the
            // write) tells whether the job is still ours once it answers
            if (Reconnecting.write("job " + claim.jobId() + ": recording its results", () -> queue.complete(claim, processed, dataDir, to))) {
                log.info("job {} done in {} ms", claim.jobId(), (System.nanoTime() - start) / 1_000_000);
                try {
                    hooks.completed(claim.seriesId());
                } catch (RuntimeException e) {
                    // the job is done and committed; a hook must not turn it into a failure
                    log.error("job {}: a completion hook failed: {}", claim.jobId(), e.toString());
                }
            } else {
                log.warn("job {} finished but its lease had passed to another process; result discarded", claim.jobId());
            }
        } catch (SeriesProcessor.OutsideDomainException e) {
            log.warn("job {} skipped, nothing is written or sent: {}", claim.jobId(), e.getMessage());
            queue.skip(claim, e.getMessage(), ignoredRetention);
        } catch (SeriesProcessor.ProcessingException e) {
            log.warn("job {} {} failure: {}", claim.jobId(), e.permanent() ? "permanent" : "transient", e.getMessage());
            Reconnecting.run("job " + claim.jobId() + ": recording its failure", () -> queue.fail(claim, e.getMessage(), e.permanent()));
        } catch (IOException e) {
            log.error("job {}: cannot write its results: {}", claim.jobId(), e.toString());
            queue.fail(claim, "cannot write results: " + e.getMessage(), false);
        } catch (RuntimeException e) {
            log.error("job {} failed unexpectedly", claim.jobId(), e);
            queue.fail(claim, "internal error: " + e, false);
        } finally {
            keeper.cancel(false);
        }
    }

    /** Writes a job's progress at most once a second; a failure to record it never fails the job. */
    private final class ProgressRecorder implements SeriesProcessor.Progress {
        private static final long INTERVAL_NANOS = 1_000_000_000L;
        private final JobQueue.Claim claim;
        private long last = System.nanoTime() - INTERVAL_NANOS;

        ProgressRecorder(JobQueue.Claim claim) {
            this.claim = claim;
        }

        @Override
        public void slices(int done, int total) {
            long now = System.nanoTime();
            if (now - last < INTERVAL_NANOS && done < total) return;
            last = now;
            try {
                queue.progress(claim, done, total);
            } catch (SQLException e) {
                log.debug("job {}: progress not recorded: {}", claim.jobId(), e.toString());
            }
        }
    }

    private void renew(JobQueue.Claim claim) {
        try {
            if (!queue.renew(claim)) log.warn("job {}: lease lost; another process may take it over", claim.jobId());
        } catch (Throwable t) {
            log.error("job {}: renewing the lease failed: {}", claim.jobId(), t.toString());
        }
    }

    private SeriesProcessor.SeriesJob load(JobQueue.Claim claim) throws SQLException {
        try (Connection c = db.getConnection()) {
            String seriesUid;
            String callingAe;
            try (PreparedStatement ps = c.prepareStatement("SELECT series_uid, calling_ae FROM scp.series WHERE id = ?")) {
                ps.setLong(1, claim.seriesId());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    seriesUid = rs.getString(1);
                    callingAe = rs.getString(2);
                }
            }
            List<Path> files = new ArrayList<>();
            // the instances of this version and the ones before it: one that arrived after the series was queued
            // started the next version, and is that job's even when this job starts after it arrived
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT path FROM scp.instance WHERE series_id = ? AND series_version <= ? ORDER BY sop_instance_uid")) {
                ps.setLong(1, claim.seriesId());
                ps.setInt(2, claim.seriesVersion());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) files.add(dataDir.resolve(rs.getString(1)));
                }
            }
            return new SeriesProcessor.SeriesJob(claim.jobId(), claim.seriesId(), seriesUid, claim.seriesVersion(), callingAe, files,
                    claim.pipeline());
        }
    }

    /** Lets each worker finish the job in hand for up to {@code timeout}; a job still running is retaken by lease. */
    public void stop(Duration timeout) {
        threads.stop(timeout);
        leases.shutdownNow();
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(30));
    }
}
