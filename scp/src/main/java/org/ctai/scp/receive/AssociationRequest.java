package org.ctai.scp.receive;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * The A-ASSOCIATE-RQ PDU as it came off the wire, read before PixelMed sees the connection so that the
 * calling AE title and the peer can be checked (PixelMed only checks the called AE title).
 * PS3.8 9.3.2: type 0x01, reserved, 4-byte length, protocol version, reserved, called AE (16 bytes at
 * offset 10), calling AE (16 bytes at offset 26).
 */
record AssociationRequest(byte[] pdu, String calledAeTitle, String callingAeTitle) {
    /** Larger than any sane A-ASSOCIATE-RQ (a few hundred presentation contexts); guards against garbage. */
    static final int MAX_LENGTH = 1 << 20;

    static AssociationRequest read(InputStream in) throws IOException {
        byte[] header = in.readNBytes(6);
        if (header.length < 6) throw new EOFException("connection closed before an A-ASSOCIATE-RQ");
        long length = length(header);
        byte[] pdu = new byte[6 + (int) length];
        System.arraycopy(header, 0, pdu, 0, 6);
        int read = in.readNBytes(pdu, 6, (int) length);
        if (read < length) throw new EOFException("A-ASSOCIATE-RQ truncated after " + read + " of " + length + " bytes");
        return new AssociationRequest(pdu, aeTitle(pdu, 10), aeTitle(pdu, 26));
    }

    /** The PDU length from the first 6 bytes, checked: the PDU type and a sane length, or a {@link MalformedPduException}. */
    static long length(byte[] header) throws MalformedPduException {
        if (header[0] != 0x01) throw new MalformedPduException("expected A-ASSOCIATE-RQ (PDU type 0x01), got 0x" + Integer.toHexString(header[0] & 0xff));
        long length = ((header[2] & 0xffL) << 24) | ((header[3] & 0xff) << 16) | ((header[4] & 0xff) << 8) | (header[5] & 0xff);
        if (length < 68 || length > MAX_LENGTH) throw new MalformedPduException("A-ASSOCIATE-RQ length " + length + " out of range");
        return length;
    }

    private static String aeTitle(byte[] pdu, int offset) {
        return new String(pdu, offset, 16, StandardCharsets.US_ASCII).trim();
    }

    /** A-ASSOCIATE-RJ PDU (PS3.8 9.3.4) with result, source and reason. */
    static byte[] reject(Rejection r) {
        return new byte[] {0x03, 0, 0, 0, 0, 4, 0, (byte) r.result, (byte) r.source, (byte) r.reason};
    }

    /** A-ABORT PDU (PS3.8 9.3.8) from the service user, reason not specified. */
    static byte[] abort() {
        return new byte[] {0x07, 0, 0, 0, 0, 4, 0, 0, 0, 0};
    }

    /** The rejections the node gives, with the standard's result/source/reason codes (PS3.8 Table 9-21). */
    enum Rejection {
        CALLED_AE_NOT_RECOGNIZED(1, 1, 7, "called AE title not recognized"),
        CALLING_AE_NOT_RECOGNIZED(1, 1, 3, "calling AE title not recognized"),
        /** transient, service provider (presentation), temporary congestion */
        DISK_FULL(2, 3, 1, "temporary congestion: the spool is below its free-space floor"),
        /** transient, service provider (presentation), local limit exceeded */
        TOO_MANY_ASSOCIATIONS(2, 3, 2, "local limit exceeded: too many associations"),
        /** transient, service provider (presentation), temporary congestion */
        SHUTTING_DOWN(2, 3, 1, "temporary congestion: the node is shutting down"),
        /** transient, service provider (presentation), temporary congestion */
        DATABASE_AWAY(2, 3, 1, "temporary congestion: the node's database does not answer");

        final int result;
        final int source;
        final int reason;
        final String description;

        Rejection(int result, int source, int reason, String description) {
            this.result = result;
            this.source = source;
            this.reason = reason;
            this.description = description;
        }
    }

    static final class MalformedPduException extends IOException {
        MalformedPduException(String message) {
            super(message);
        }
    }
}
