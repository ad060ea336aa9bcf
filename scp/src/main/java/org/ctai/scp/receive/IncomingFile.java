package org.ctai.scp.receive;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * One instance as it arrives: written to its file in the incoming folder chunk by chunk while the rest is
 * still on the wire (so that little writing is left when the last fragment comes), checksummed on the way.
 * Only the head of the instance (where its header is) stays in memory, for the parse that follows; the
 * pixel data goes from the socket's buffer to the file without a copy in the Java heap. A write that fails
 * is remembered and reported by {@link #finish()}, so the association can answer that one instance with a
 * failure status and go on. Not thread-safe: one per transfer.
 */
final class IncomingFile {
    /** Bytes of each instance kept in memory: a CT header is a few kilobytes. */
    static final int HEAD_BYTES = 64 * 1024;

    /**
     * The instance received, as a Part 10 file in the incoming folder.
     *
     * @param head   its first {@code headLength} bytes
     * @param length the file's length
     * @param digest CRC32C of the dataset (the file without its meta information), in hex
     */
    record Received(byte[] head, int headLength, long length, String digest, Path file) {
        /** Whether {@link #head} holds the whole file. */
        boolean whole() {
            return headLength == length;
        }

        /** A file received earlier (by a process that died before indexing it), read back whole. */
        static Received readBack(Path file) throws IOException {
            byte[] all = Files.readAllBytes(file);
            CRC32C crc = new CRC32C();
            int offset = InstanceStore.datasetOffset(all);
            crc.update(all, offset, all.length - offset);
            return new Received(all, all.length, all.length, hex(crc), file);
        }
    }

    private final Path file;
    private final byte[] head;
    private final CRC32C crc = new CRC32C();
    private int headLength;
    private long length;
    private FileChannel channel;
    private IOException failure;

    /**
     * Creates the file, ahead of the transfer that will use it: creating a file costs about as much as writing
     * it, and done while the sender prepares its next request it costs the sender nothing.
     *
     * @param head memory for the head of the instance, {@link #HEAD_BYTES} long, reused from one transfer to the next
     */
    IncomingFile(Path file, byte[] head) {
        this.file = file;
        this.head = head;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (IOException e) {
            fail(e);
        }
    }

    /** Starts the transfer: {@code meta} (file meta information, preamble first) goes ahead of the dataset. */
    void begin(byte[] meta) {
        headLength = 0;
        length = 0;
        keep(ByteBuffer.wrap(meta));
        write(ByteBuffer.wrap(meta));
    }

    /** The next bytes of the dataset, from {@code chunk}'s position to its limit; the position moves to the limit. */
    void append(ByteBuffer chunk) {
        keep(chunk);
        crc.update(chunk.duplicate());
        write(chunk);
        chunk.position(chunk.limit());
    }

    private void keep(ByteBuffer bytes) {
        int n = bytes.remaining();
        if (headLength < head.length) {
            int k = Math.min(n, head.length - headLength);
            bytes.get(bytes.position(), head, headLength, k);
            headLength += k;
        }
        length += n;
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
        return new Received(head, headLength, length, hex(crc), file);
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

    private void write(ByteBuffer bytes) {
        if (failure != null) return;
        ByteBuffer b = bytes.duplicate();
        try {
            while (b.hasRemaining()) channel.write(b);
        } catch (IOException e) {
            fail(e);
        }
    }

    private static String hex(CRC32C crc) {
        return String.format("%08x", crc.getValue());
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
