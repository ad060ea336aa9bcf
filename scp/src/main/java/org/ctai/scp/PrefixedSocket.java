package org.ctai.scp;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;

/**
 * A connected socket whose input first replays bytes we already read (the A-ASSOCIATE-RQ), so PixelMed
 * can accept an association we have vetted, and watches the PDUs going by. Everything else goes to the
 * real socket.
 */
final class PrefixedSocket extends Socket {
    private final Socket socket;
    private final InputStream in;

    /** @param onReleaseRequest called when the peer's A-RELEASE-RQ arrives (see {@link PduWatcher}) */
    PrefixedSocket(Socket socket, byte[] prefix, Runnable onReleaseRequest) throws IOException {
        this.socket = socket;
        this.in = new PduWatcher(new SequenceInputStream(new ByteArrayInputStream(prefix), socket.getInputStream()), onReleaseRequest);
    }

    @Override public InputStream getInputStream() { return in; }
    @Override public OutputStream getOutputStream() throws IOException { return socket.getOutputStream(); }
    @Override public void close() throws IOException { socket.close(); }
    @Override public boolean isClosed() { return socket.isClosed(); }
    @Override public boolean isConnected() { return socket.isConnected(); }
    @Override public boolean isBound() { return socket.isBound(); }
    @Override public boolean isInputShutdown() { return socket.isInputShutdown(); }
    @Override public boolean isOutputShutdown() { return socket.isOutputShutdown(); }
    @Override public void shutdownInput() throws IOException { socket.shutdownInput(); }
    @Override public void shutdownOutput() throws IOException { socket.shutdownOutput(); }
    @Override public InetAddress getInetAddress() { return socket.getInetAddress(); }
    @Override public InetAddress getLocalAddress() { return socket.getLocalAddress(); }
    @Override public int getPort() { return socket.getPort(); }
    @Override public int getLocalPort() { return socket.getLocalPort(); }
    @Override public SocketAddress getRemoteSocketAddress() { return socket.getRemoteSocketAddress(); }
    @Override public SocketAddress getLocalSocketAddress() { return socket.getLocalSocketAddress(); }
    @Override public void setSoTimeout(int timeout) throws SocketException { socket.setSoTimeout(timeout); }
    @Override public int getSoTimeout() throws SocketException { return socket.getSoTimeout(); }
    @Override public void setTcpNoDelay(boolean on) throws SocketException { socket.setTcpNoDelay(on); }
    @Override public boolean getTcpNoDelay() throws SocketException { return socket.getTcpNoDelay(); }
    @Override public void setSendBufferSize(int size) throws SocketException { socket.setSendBufferSize(size); }
    @Override public int getSendBufferSize() throws SocketException { return socket.getSendBufferSize(); }
    @Override public void setReceiveBufferSize(int size) throws SocketException { socket.setReceiveBufferSize(size); }
    @Override public int getReceiveBufferSize() throws SocketException { return socket.getReceiveBufferSize(); }
    @Override public void setSoLinger(boolean on, int linger) throws SocketException { socket.setSoLinger(on, linger); }
    @Override public int getSoLinger() throws SocketException { return socket.getSoLinger(); }
    @Override public void setKeepAlive(boolean on) throws SocketException { socket.setKeepAlive(on); }
    @Override public boolean getKeepAlive() throws SocketException { return socket.getKeepAlive(); }
    @Override public String toString() { return socket.toString(); }
}
