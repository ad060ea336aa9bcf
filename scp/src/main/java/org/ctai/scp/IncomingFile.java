package org.ctai.scp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * One instance as it arrives: written to its file in the incoming folder fragment by fragment while the
 * rest is still on the wire (so that little writing is left when the last fragment comes), checksummed on
 * the way, and kept in memory for the header parse and a resend comparison. A write that fails is
 * remembered and reported by {@link #finish()}, so the association can answer that one instance with a
 * failure status and go on. Not thread-safe: one per transfer.
 */
final class IncomingFile {
    /** The instance received, as a Part 10 file in the incoming folder and its bytes in memory. */
    record Received(byte[] bytes, int length, int datasetOffset, String digest, Path file) { }

    /** Memory for the instance being received, reused from one transfer to the next. */
    static final class Buffer extends ByteArrayOutputStream {
        Buffer() {
            super(1 << 20);
        }

        byte[] array() {
            return buf;
        }
    }

    private final Path file;
    private final Buffer memory;
    private final CRC32C crc = new CRC32C();
    private int datasetOffset;
    private FileChannel channel;
    private IOException failure;

    /**
     * Creates the file, ahead of the transfer that will use it: creating a file costs about as much as writing
     * it, and done while the sender prepares its next request it costs the sender nothing.
     */
    IncomingFile(Path file, Buffer memory) {
        this.file = file;
        this.memory = memory;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (IOException e) {
            fail(e);
        }
    }

    /** Starts the transfer: {@code meta} (file meta information, preamble first) goes ahead of the dataset. */
    void begin(byte[] meta) {
        datasetOffset = meta.length;
        memory.reset();
        memory.write(meta, 0, meta.length);
        if (failure == null) {
            try {
                write(meta, 0, meta.length);
            } catch (IOException e) {
                fail(e);
            }
        }
    }

    /** The next fragment of the dataset. */
    void append(byte[] b, int offset, int length) {
        memory.write(b, offset, length);
        crc.update(b, offset, length);
        if (failure == null) {
            try {
                write(b, offset, length);
            } catch (IOException e) {
                fail(e);
            }
        }
    }

    /**
     * The transfer is complete: the file is closed (not yet forced to disk; the spool decides that).
     *
     * @throws IOException the first write error of this transfer; the file is gone then
     */
    Received finish() throws IOException {
        if (failure != null) {
            discard();
            throw failure;
        }
        try {
            channel.close();
        } catch (IOException e) {
            discard();
            throw e;
        }
        return new Received(memory.array(), memory.size(), datasetOffset, String.format("%08x", crc.getValue()), file);
    }

    /** A transfer cut off, or not wanted: its file is removed. */
    void discard() {
        closeQuietly();
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // the incoming folder of a dead process is cleared at start; an orphan here is harmless
        }
    }

    private void write(byte[] b, int offset, int length) throws IOException {
        ByteBuffer bb = ByteBuffer.wrap(b, offset, length);
        while (bb.hasRemaining()) channel.write(bb);
    }

    private void fail(IOException e) {
        failure = e;
        closeQuietly();
    }

    private void closeQuietly() {
        if (channel == null) return;
        try {
            channel.close();
        } catch (IOException ignored) {
            // already failing or discarding
        }
    }
}
