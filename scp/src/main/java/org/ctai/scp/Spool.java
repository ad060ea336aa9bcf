package org.ctai.scp;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The node's file area under data.dir: received instances by study and series, quarantine for unusable
 * objects, and PixelMed's incoming folder. Moves are atomic renames within one file system; with fsync on,
 * a file and its folder entry are on disk before the caller is told it is stored.
 */
final class Spool {
    private final NodeConfig.Data data;
    private final Path incoming;

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

    /** Where PixelMed writes transfers in progress; this process's own. */
    Path incoming() {
        return incoming;
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
     * Transfers left in incoming by a process of this host that died were never acknowledged: drop them.
     * Folders of live processes (other nodes sharing the data folder) are left alone.
     */
    int clearDeadIncoming(String host) throws IOException {
        int n = 0;
        try (var dirs = Files.list(data.incoming())) {
            for (Path dir : (Iterable<Path>) dirs::iterator) {
                String name = dir.getFileName().toString();
                if (!name.startsWith(host + "-") || dir.equals(incoming)) continue;
                long pid;
                try {
                    pid = Long.parseLong(name.substring(host.length() + 1));
                } catch (NumberFormatException e) {
                    continue;
                }
                if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) continue;
                try (var files = Files.list(dir)) {
                    for (Path f : (Iterable<Path>) files::iterator) {
                        Files.delete(f);
                        n++;
                    }
                }
                Files.delete(dir);
            }
        }
        return n;
    }

    /** Where an instance's file lives, relative to data.dir; the digest keeps a changed resend from overwriting. */
    String instancePath(String studyUid, String seriesUid, String sopInstanceUid, String digest) {
        return "spool/" + studyUid + "/" + seriesUid + "/" + sopInstanceUid + "." + digest + ".dcm";
    }

    /**
     * Like {@link #commit}, unless a file is at {@code relative} already: then nothing is moved.
     *
     * @return whether {@code file} was moved
     */
    boolean commitNew(Path file, String relative) throws IOException {
        // Two receivers racing past this check hold the same UID and checksum; either copy will do.
        if (Files.exists(data.dir().resolve(relative))) return false;
        commit(file, relative);
        return true;
    }

    /** Makes {@code file} durable and moves it to {@code relative} under data.dir, replacing what is there. */
    void commit(Path file, String relative) throws IOException {
        Path target = data.dir().resolve(relative);
        Path dir = target.getParent();
        boolean created = !Files.isDirectory(dir);
        Files.createDirectories(dir);
        if (data.fsync()) force(file);
        Files.move(file, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
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
