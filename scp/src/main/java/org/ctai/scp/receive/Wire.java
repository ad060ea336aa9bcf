package org.ctai.scp.receive;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;

/**
 * Reads and writes of one association's data transfer phase straight between the socket and the caller's
 * buffers (direct ones carry a dataset from the socket to its file without a copy in the Java heap), each
 * waiting at most the idle timeout for the peer. A blocking channel read cannot time out, so the channel is
 * non-blocking while the wire is open and waits in a selector; closing the wire makes it blocking again.
 * Not thread-safe: one per connection.
 */
final class Wire implements AutoCloseable {
    private final SocketChannel channel;
    private final long idleMillis;
    private final Selector selector;
    private final SelectionKey key;

    Wire(SocketChannel channel, Duration idle) throws IOException {
        this.channel = channel;
        this.idleMillis = idle.toMillis();
        channel.configureBlocking(false);
        this.selector = Selector.open();
        this.key = channel.register(selector, 0);
    }

    /**
     * Reads what the peer has sent, at least one byte, at most {@code into.remaining()}.
     *
     * @return the bytes read, or -1 if the peer closed the connection
     */
    int readSome(ByteBuffer into) throws IOException {
        int n = channel.read(into);
        while (n == 0) {
            await(SelectionKey.OP_READ);
            n = channel.read(into);
        }
        return n;
    }

    /** Fills {@code into}; the connection ending first is an {@link EOFException} saying inside what. */
    void readFully(ByteBuffer into, String inside) throws IOException {
        while (into.hasRemaining()) {
            if (readSome(into) < 0) throw new EOFException("connection closed inside " + inside);
        }
    }

    /** Discards {@code length} bytes. */
    void skip(long length, String inside) throws IOException {
        ByteBuffer scratch = ByteBuffer.allocate((int) Math.min(length, 4096));
        long left = length;
        while (left > 0) {
            scratch.clear().limit((int) Math.min(left, scratch.capacity()));
            readFully(scratch, inside);
            left -= scratch.limit();
        }
    }

    void write(ByteBuffer from) throws IOException {
        channel.write(from);
        while (from.hasRemaining()) {
            await(SelectionKey.OP_WRITE);
            channel.write(from);
        }
    }

    private void await(int operation) throws IOException {
        key.interestOps(operation);
        try {
            long deadline = System.nanoTime() + idleMillis * 1_000_000;
            while (selector.select(Math.max(1, (deadline - System.nanoTime()) / 1_000_000)) == 0) {
                if (System.nanoTime() - deadline >= 0) {
                    throw new SocketTimeoutException("nothing from the peer for " + idleMillis + " ms");
                }
            }
        } finally {
            selector.selectedKeys().clear();
            key.interestOps(0);
        }
    }

    /** The channel is blocking again, for whatever follows the data transfer; it stays open. */
    @Override
    public void close() throws IOException {
        key.cancel();
        selector.close();
        if (channel.isOpen()) channel.configureBlocking(true);
    }
}
