package org.ctai.scp.send;

import com.pixelmed.network.Association;
import com.pixelmed.network.PresentationContext;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import org.ctai.scp.config.NodeConfig;
import org.ctai.scp.tls.DicomTls;

/**
 * A requested association over DICOM TLS, usable wherever PixelMed's {@link Association} is (C-STORE, release,
 * abort). PixelMed's own secure transport takes the JVM-wide default SSL context and enables only TLS 1.0 with
 * TLS_RSA_WITH_AES_128_CBC_SHA (the retired basic profile), so this class opens the TLS connection itself with the
 * destination's {@link DicomTls} and speaks A-ASSOCIATE-RQ/AC (PS3.8 9.3.2-9.3.3); everything after the accept is
 * PixelMed's. The socket has TCP_NODELAY and the send timeout as its read timeout. Not thread-safe: one per delivery.
 */
final class TlsAssociation extends Association {
    /** The node's implementation identity, as the receiver's A-ASSOCIATE-AC gives it ({@code receive.Negotiation}). */
    private static final String IMPLEMENTATION_CLASS_UID = "2.25.268993447093415602446413318066946312418";
    private static final String IMPLEMENTATION_VERSION = "CTAI_NODE_0_1";
    private static final String APPLICATION_CONTEXT = "1.2.840.10008.3.1.1.1";
    /** What we offer to receive: responses are small. */
    private static final int OUR_MAX_PDU = 1 << 16;
    /** What we send when the destination sets no limit (0). */
    private static final int UNLIMITED_PDU = 1 << 18;

    private TlsAssociation(SSLSocket socket, String calledAeTitle, String callingAeTitle) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        this.calledAETitle = calledAeTitle;
        this.callingAETitle = callingAeTitle;
    }

    /**
     * Connects to {@code to} over TLS and requests the association.
     *
     * @throws IOException the connection, the handshake (message from {@link DicomTls#explain}) or the association
     *                     (rejected, aborted) failed; the message says which
     */
    static Association open(NodeConfig.AeDestination to, DicomTls tls, String callingAeTitle, LinkedList<PresentationContext> proposed,
                            Duration connectTimeout, Duration timeout) throws IOException {
        SSLSocket socket;
        try {
            socket = tls.connect(to.host(), to.port(), connectTimeout, connectTimeout);
        } catch (IOException e) {
            throw new IOException("TLS connection to " + to + " failed: " + DicomTls.explain(e), e);
        }
        try {
            socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
            TlsAssociation a = new TlsAssociation(socket, to.aeTitle(), callingAeTitle);
            a.out.write(request(to.aeTitle(), callingAeTitle, proposed));
            a.out.flush();
            a.accept(to, proposed);
            return a;
        } catch (SSLException e) {
            // with TLS 1.3 the server checks our certificate after our side of the handshake is done: its refusal
            // arrives as an alert on the first read, the answer to the association request
            socket.close();
            throw new IOException("TLS connection to " + to + " failed: " + DicomTls.explain(e), e);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** Reads the answer to our request: A-ASSOCIATE-AC (keeps the accepted contexts), -RJ or A-ABORT (throws). */
    private void accept(NodeConfig.AeDestination to, LinkedList<PresentationContext> proposed) throws IOException {
        DataInputStream data = new DataInputStream(in);
        int type;
        byte[] pdu;
        try {
            type = data.readUnsignedByte();
            data.readUnsignedByte();
            long length = data.readInt() & 0xffffffffL;
            if (length > 1 << 20) throw new IOException(to + " answered the association request with a PDU of " + length + " bytes");
            pdu = new byte[(int) length];
            data.readFully(pdu);
        } catch (EOFException e) {
            throw new IOException(to + " closed the connection instead of answering the association request", e);
        }
        if (type == 0x03 && pdu.length >= 4) {
            throw new IOException("association rejected by " + to + " (A-ASSOCIATE-RJ result " + pdu[1] + ", source " + pdu[2] + ", reason " + pdu[3] + ")");
        }
        if (type == 0x07) throw new IOException("association aborted by " + to + " (A-ABORT)");
        if (type != 0x02) throw new IOException(to + " answered the association request with PDU type 0x" + Integer.toHexString(type));
        Map<Integer, String> abstractSyntaxes = new HashMap<>();
        proposed.forEach(pc -> abstractSyntaxes.put(pc.getIdentifier() & 0xff, pc.getAbstractSyntaxUID()));
        LinkedList<PresentationContext> accepted = new LinkedList<>();
        int maxPdu = 0;
        ByteBuffer b = ByteBuffer.wrap(pdu);
        b.position(68); // protocol version, reserved, called and calling AE titles, reserved (PS3.8 Table 9-17)
        while (b.remaining() >= 4) {
            int itemType = b.get() & 0xff;
            b.get();
            int itemLength = b.getShort() & 0xffff;
            if (itemLength > b.remaining()) throw new IOException(to + " sent a malformed A-ASSOCIATE-AC");
            ByteBuffer item = b.slice(b.position(), itemLength);
            b.position(b.position() + itemLength);
            if (itemType == 0x21 && itemLength >= 4) {
                int id = item.get(0) & 0xff;
                int result = item.get(2) & 0xff;
                item.position(4);
                String syntax = null;
                while (item.remaining() >= 4) {
                    int subType = item.get() & 0xff;
                    item.get();
                    int subLength = item.getShort() & 0xffff;
                    byte[] value = new byte[Math.min(subLength, item.remaining())];
                    item.get(value);
                    if (subType == 0x40) syntax = uid(value);
                }
                if (result == 0 && syntax != null && abstractSyntaxes.containsKey(id)) {
                    accepted.add(new PresentationContext((byte) id, abstractSyntaxes.get(id), syntax));
                }
            } else if (itemType == 0x50) {
                while (item.remaining() >= 4) {
                    int subType = item.get() & 0xff;
                    item.get();
                    int subLength = item.getShort() & 0xffff;
                    if (subType == 0x51 && subLength == 4) maxPdu = item.getInt();
                    else item.position(Math.min(item.limit(), item.position() + subLength));
                }
            }
        }
        this.presentationContexts = accepted;
        this.maximumLengthReceived = maxPdu <= 0 ? UNLIMITED_PDU : Math.min(maxPdu, UNLIMITED_PDU);
    }

    /** A-ASSOCIATE-RQ (PS3.8 9.3.2): application context, the proposed presentation contexts, user information. */
    static byte[] request(String called, String calling, List<PresentationContext> proposed) {
        ByteArrayOutputStream items = new ByteArrayOutputStream();
        item(items, 0x10, ascii(APPLICATION_CONTEXT));
        for (PresentationContext pc : proposed) {
            ByteArrayOutputStream sub = new ByteArrayOutputStream();
            sub.writeBytes(new byte[] {pc.getIdentifier(), 0, 0, 0});
            item(sub, 0x30, ascii(pc.getAbstractSyntaxUID()));
            for (Object ts : pc.getTransferSyntaxUIDs()) item(sub, 0x40, ascii((String) ts));
            item(items, 0x20, sub.toByteArray());
        }
        ByteArrayOutputStream user = new ByteArrayOutputStream();
        item(user, 0x51, ByteBuffer.allocate(4).putInt(OUR_MAX_PDU).array());
        item(user, 0x52, ascii(IMPLEMENTATION_CLASS_UID));
        item(user, 0x55, IMPLEMENTATION_VERSION.getBytes(StandardCharsets.US_ASCII));
        item(items, 0x50, user.toByteArray());
        byte[] body = items.toByteArray();
        ByteBuffer pdu = ByteBuffer.allocate(6 + 68 + body.length);
        pdu.put((byte) 0x01).put((byte) 0).putInt(68 + body.length);
        pdu.putShort((short) 1).putShort((short) 0);
        pdu.put(aeTitle(called)).put(aeTitle(calling)).put(new byte[32]);
        pdu.put(body);
        return pdu.array();
    }

    private static void item(ByteArrayOutputStream out, int type, byte[] value) {
        out.write(type);
        out.write(0);
        out.write(value.length >> 8);
        out.write(value.length);
        out.writeBytes(value);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] aeTitle(String ae) {
        byte[] b = new byte[16];
        java.util.Arrays.fill(b, (byte) ' ');
        byte[] a = ascii(ae);
        System.arraycopy(a, 0, b, 0, Math.min(16, a.length));
        return b;
    }

    /** A UID value, without the trailing NUL padding of an odd length. */
    private static String uid(byte[] value) {
        int n = value.length;
        while (n > 0 && (value[n - 1] == 0 || value[n - 1] == ' ')) n--;
        return new String(value, 0, n, StandardCharsets.US_ASCII);
    }

    @Override
    public String getCallingAEHostName() {
        return getLocalHostName();
    }

    @Override
    public String getCalledAEHostName() {
        return getRemoteHostName();
    }

    @Override
    public int getCallingAEPort() {
        return getLocalPort();
    }

    @Override
    public int getCalledAEPort() {
        return getRemotePort();
    }
}
