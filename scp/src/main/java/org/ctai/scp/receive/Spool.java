package org.ctai.scp.receive;

import org.ctai.scp.config.NodeConfig;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The node's file area under data.dir: received instances by study and series, quarantine for unusable
 * objects, and PixelMed's incoming folder. Moves are atomic renames within one file system; with fsync on,
 * a file and its folder entry are on disk before the caller is told it is stored.
 */
final class Spool {
    private final NodeConfig.Data data;
    private final Path incoming;
    /** Names of transfers in progress: unique in this process, and unlike a dead process's of the same pid. */
    private static final String PROCESS_START = Long.toString(ManagementFactory.getRuntimeMXBean().getStartTime(), 36) + "-";
    private static final AtomicLong INCOMING_NAMES = new AtomicLong();
    /** Suffixes in the incoming folder: a transfer in flight, and (fsync off) one answered but not yet indexed. */
    private static final String IN_FLIGHT = ".part";
    private static final String ACKNOWLEDGED = ".dcm";

    /**
     * @param host this machine's name; with the pid it names this process's own incoming folder, since
     *             several node processes may share one data folder
     */
    Spool(NodeConfig.Data data, String host) throws IOException {
        this.data = data;
        this.incoming = data.incoming().resolve(host + "-" + ProcessHandle.current().pid());
        Files.createDirectories(data.spool());
        Files.createDirectories(incoming);
        Files.createDirectories(data.quarantine());
    }

    /** A new name for a transfer in progress, in this process's own incoming folder. */
    Path newIncomingFile() {
        return incoming.resolve(PROCESS_START + INCOMING_NAMES.incrementAndGet() + IN_FLIGHT);
    }

    /** The name a complete transfer takes once the sender was answered before it was indexed. */
    static Path acknowledged(Path inFlight) {
        String name = inFlight.getFileName().toString();
        return inFlight.resolveSibling(name.substring(0, name.length() - IN_FLIGHT.length()) + ACKNOWLEDGED);
    }

    Path root() {
        return data.dir();
    }

    /** Free bytes for new files on the spool's file system. */
    long usableBytes() throws IOException {
        return Files.getFileStore(data.spool()).getUsableSpace();
    }

    boolean belowFloor() {
        try {
            return usableBytes() < data.minFreeBytes();
        } catch (IOException e) {
            return true;
        }
    }

    /**
     * What processes of this host that died left in the incoming folder: partial transfers, never acknowledged,
     * and (with fsync off) acknowledged instances not yet indexed.
     *
     * @param dropped      partial transfers deleted
     * @param acknowledged files to index before any association is accepted
     */
    record Leftovers(int dropped, List<Path> acknowledged) { }

    /**
     * Looks through the incoming folders of dead processes of this host, and through ours for files of an
     * earlier process with our pid (a restarted container); partial transfers are deleted on the way. Folders
     * of live processes (other nodes sharing the data folder) are left alone.
     */
    Leftovers leftovers(String host) throws IOException {
        int dropped = 0;
        List<Path> acknowledged = new ArrayList<>();
        try (var dirs = Files.list(data.incoming())) {
            for (Path dir : (Iterable<Path>) dirs::iterator) {
                boolean ours = dir.equals(incoming);
                if (!ours && !ofDeadProcess(dir, host)) continue;
                try (var files = Files.list(dir)) {
                    for (Path f : (Iterable<Path>) files::iterator) {
                        String name = f.getFileName().toString();
                        if (ours && name.startsWith(PROCESS_START)) continue;
                        if (name.endsWith(ACKNOWLEDGED)) {
                            acknowledged.add(f);
                        } else {
                            Files.delete(f);
                            dropped++;
                        }
                    }
                }
            }
        }
        return new Leftovers(dropped, acknowledged);
    }

    private static boolean ofDeadProcess(Path dir, String host) {
        String name = dir.getFileName().toString();
        if (!name.startsWith(host + "-")) return false;
        try {
            long pid = Long.parseLong(name.substring(host.length() + 1));
            return !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** Removes the incoming folders of dead processes once nothing is left in them. */
    void removeEmptyDeadFolders(String host) throws IOException {
        try (var dirs = Files.list(data.incoming())) {
            for (Path dir : (Iterable<Path>) dirs::iterator) {
                if (!ofDeadProcess(dir, host)) continue;
                try {
                    Files.deleteIfExists(dir);
                } catch (DirectoryNotEmptyException e) {
                    // an acknowledged file could not be indexed; it is tried again at the next start
                }
            }
        }
    }

    /**
     * Whether another process may be placing files in the spool now: a live process of this host, or any
     * process of another host (whose liveness cannot be seen from here), has an incoming folder.
     */
    boolean sharedWithOthers(String host) throws IOException {
        try (var dirs = Files.list(data.incoming())) {
            return dirs.anyMatch(dir -> !dir.equals(incoming) && !ofDeadProcess(dir, host));
        }
    }

    /** Instance files in the spool last modified before {@code before}, relative to data.dir as rows name them. */
    List<String> instanceFiles(Instant before) throws IOException {
        List<String> out = new ArrayList<>();
        try (var files = Files.walk(data.spool())) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (!f.getFileName().toString().endsWith(".dcm") || !Files.isRegularFile(f)) continue;
                if (!Files.getLastModifiedTime(f).toInstant().isBefore(before)) continue;
                out.add(data.dir().relativize(f).toString().replace(java.io.File.separatorChar, '/'));
            }
        }
        return out;
    }

    /** Where an instance's file lives, relative to data.dir; the digest keeps a changed resend from overwriting. */
    String instancePath(String studyUid, String seriesUid, String sopInstanceUid, String digest) {
        return "spool/" + studyUid + "/" + seriesUid + "/" + sopInstanceUid + "." + digest + ".dcm";
    }

    /**
     * Like {@link #commit}, unless a file is at {@code relative} already: then nothing is placed.
     *
     * @return whether {@code file} was placed
     */
    boolean commitNew(Path file, String relative, Placement how) throws IOException {
        // Two receivers racing past this check hold the same UID and checksum; either copy will do.
        // java.io.File: Files.exists throws and catches an exception inside for every file that is not there
        if (data.dir().resolve(relative).toFile().exists()) return false;
        commit(file, relative, how);
        return true;
    }

    /** Whether a file placed in the spool leaves its old place at once, or stays there too until its row is written. */
    enum Placement { MOVE, LINK }

    /** Makes {@code file} durable and places it at {@code relative} under data.dir, replacing what is there. */
    void commit(Path file, String relative, Placement how) throws IOException {
        Path target = data.dir().resolve(relative);
        Path dir = target.getParent();
        boolean created = !Files.isDirectory(dir);
        if (created) Files.createDirectories(dir); // on an existing folder it fails a mkdir and throws, per instance
        if (data.fsync()) force(file);
        if (how == Placement.LINK) {
            // a second name for the same file, put in place atomically as a move would
            Path link = dir.resolve(target.getFileName() + ".link");
            link.toFile().delete(); // left by a process that died here; Files.deleteIfExists throws inside when it is not
            Files.createLink(link, file);
            Files.move(link, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } else {
            Files.move(file, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        if (data.fsync()) {
            force(dir);
            if (created) {
                force(dir.getParent());
                force(dir.getParent().getParent());
            }
        }
    }

    Path quarantine(Path file, String name) throws IOException {
        Path target = data.quarantine().resolve(name);
        if (data.fsync()) force(file);
        Files.move(file, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        if (data.fsync()) force(data.quarantine());
        return target;
    }

    Path resolve(String relative) {
        return data.dir().resolve(relative);
    }

    private static void force(Path p) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
