package org.ctai.scp;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Follows PDU boundaries in an association's inbound byte stream and reports an A-RELEASE-RQ the moment
 * its header arrives. PixelMed only signals a release after it has waited out its 5 s ARTIM timer, which
 * would delay release-triggered series completion by those 5 s.
 */
final class PduWatcher extends FilterInputStream {
    private static final int A_RELEASE_RQ = 0x05;

    private final Runnable onReleaseRequest;
    private final byte[] header = new byte[6];
    private int headerFill;
    private long bodyRemaining;

    PduWatcher(InputStream in, Runnable onReleaseRequest) {
        super(in);
        this.onReleaseRequest = onReleaseRequest;
    }

    @Override
    public int read() throws IOException {
        int b = in.read();
        if (b >= 0) follow(new byte[] {(byte) b}, 0, 1);
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        if (n > 0) follow(b, off, n);
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        byte[] buf = new byte[(int) Math.min(n, 8192)];
        int r = read(buf, 0, buf.length);
        return Math.max(r, 0);
    }

    private void follow(byte[] b, int off, int len) {
        int i = off;
        int end = off + len;
        while (i < end) {
            if (bodyRemaining > 0) {
                int skip = (int) Math.min(bodyRemaining, end - i);
                bodyRemaining -= skip;
                i += skip;
                continue;
            }
            header[headerFill++] = b[i++];
            if (headerFill == header.length) {
                headerFill = 0;
                bodyRemaining = ((header[2] & 0xffL) << 24) | ((header[3] & 0xffL) << 16) | ((header[4] & 0xffL) << 8) | (header[5] & 0xffL);
                if ((header[0] & 0xff) == A_RELEASE_RQ) onReleaseRequest.run();
            }
        }
    }
}
