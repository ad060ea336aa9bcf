package org.ctai.scp.receive;

import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import javax.net.ssl.SSLSocket;

/**
 * Reads and writes of one association's data transfer phase straight between the socket and the caller's
 * buffers (direct ones carry a dataset from the socket to its file without a copy in the Java heap), each
 * waiting at most the idle timeout for the peer. A blocking channel read cannot time out, so the channel is
 * non-blocking while the wire is open and waits in a selector; closing the wire makes it blocking again.
 * A TLS connection has no channel: {@link OverTls} reads its decrypted stream with the idle timeout as the read
 * timeout. Not thread-safe: one per connection.
 */
abstract class Wire implements AutoCloseable {
    /** The wire for an accepted connection: over its channel, or over the stream of a TLS socket. */
    static Wire over(Socket socket, Duration idle) throws IOException {
        return socket instanceof SSLSocket tls ? new OverTls(tls, idle) : new OverChannel(socket.getChannel(), idle);
    }

    /**
     * Reads what the peer has sent, at least one byte, at most {@code into.remaining()}.
     *
     * @return the bytes read, or -1 if the peer closed the connection
     */
    abstract int readSome(ByteBuffer into) throws IOException;

    abstract void write(ByteBuffer from) throws IOException;

    /** Whatever follows the data transfer uses the socket as before; it stays open. */
    @Override
    public abstract void close() throws IOException;

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

    /** A plain connection's channel, non-blocking while the wire is open. */
    static final class OverChannel extends Wire {
        private final SocketChannel channel;
        private final long idleMillis;
        private final Selector selector;
        private final SelectionKey key;

        OverChannel(SocketChannel channel, Duration idle) throws IOException {
            this.channel = channel;
            this.idleMillis = idle.toMillis();
            channel.configureBlocking(false);
            this.selector = Selector.open();
            this.key = channel.register(selector, 0);
        }

        @Override
        int readSome(ByteBuffer into) throws IOException {
            int n = channel.read(into);
            while (n == 0) {
                await(SelectionKey.OP_READ);
                n = channel.read(into);
            }
            return n;
        }

        @Override
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

        /** The channel is blocking again, for whatever follows the data transfer. */
        @Override
        public void close() throws IOException {
            key.cancel();
            selector.close();
            if (channel.isOpen()) channel.configureBlocking(true);
        }
    }

    /**
     * A TLS connection's decrypted stream. Decryption already copies through the heap, so the data passes through one
     * record-sized array on its way to the caller's buffer.
     */
    static final class OverTls extends Wire {
        /** One TLS record carries at most 16 kB. */
        private final byte[] chunk = new byte[16 * 1024];
        private final SSLSocket socket;
        private final int previousTimeout;

        OverTls(SSLSocket socket, Duration idle) throws IOException {
            this.socket = socket;
            this.previousTimeout = socket.getSoTimeout();
            socket.setSoTimeout((int) Math.max(1, idle.toMillis()));
        }

        @Override
        int readSome(ByteBuffer into) throws IOException {
            int n = socket.getInputStream().read(chunk, 0, Math.min(chunk.length, into.remaining()));
            if (n > 0) into.put(chunk, 0, n);
            return n;
        }

        @Override
        void write(ByteBuffer from) throws IOException {
            while (from.hasRemaining()) {
                int n = Math.min(chunk.length, from.remaining());
                from.get(chunk, 0, n);
                socket.getOutputStream().write(chunk, 0, n);
            }
            socket.getOutputStream().flush();
        }

        @Override
        public void close() throws IOException {
            if (!socket.isClosed()) socket.setSoTimeout(previousTimeout);
        }
    }
}
