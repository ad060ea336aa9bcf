package org.ctai.viewer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a {@code multipart/related} body (RFC 2387, as STOW-RS sends it) part by part, each part's content as a
 * stream that ends at the next boundary, so a part of any size passes through without being held in memory.
 * Not thread-safe: one per request. Public for the node's DICOMweb client, which reads WADO-RS answers with it.
 */
public final class MultipartRelated {
    /** Part headers longer than this are refused: a part's headers are a few lines. */
    private static final int MAX_HEADER_BYTES = 16 * 1024;

    private final InputStream in;
    private final byte[] delimiter; // CRLF "--" boundary
    /** Read ahead of the caller: {@code buffer[pos, limit)}; a part's bytes are copied out of it in bulk. */
    private final byte[] buffer = new byte[64 * 1024];
    private int pos;
    private int limit;
    private boolean eof;
    private Part current;
    private boolean finished;

    public MultipartRelated(InputStream body, String boundary) {
        this.delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        this.in = body;
    }

    /** Tries to hold at least {@code n} bytes in the buffer; fewer only at the end of the body. */
    private void fill(int n) throws IOException {
        if (limit - pos >= n || eof) return;
        if (pos > 0) {
            System.arraycopy(buffer, pos, buffer, 0, limit - pos);
            limit -= pos;
            pos = 0;
        }
        while (limit - pos < n && !eof) {
            int r = in.read(buffer, limit, buffer.length - limit);
            if (r < 0) eof = true;
            else limit += r;
        }
    }

    private int readByte() throws IOException {
        fill(1);
        return pos < limit ? buffer[pos++] & 0xff : -1;
    }

    /** The boundary parameter of a {@code multipart/related} content type, or empty. */
    public static Optional<String> boundary(String contentType) {
        return parameter(contentType, "boundary");
    }

    /** A parameter of a media type ({@code type="application/dicom"}), unquoted. */
    static Optional<String> parameter(String contentType, String name) {
        if (contentType == null) return Optional.empty();
        for (String p : contentType.split(";")) {
            int eq = p.indexOf('=');
            if (eq > 0 && p.substring(0, eq).trim().equalsIgnoreCase(name)) {
                String v = p.substring(eq + 1).trim();
                if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) v = v.substring(1, v.length() - 1);
                return v.isEmpty() ? Optional.empty() : Optional.of(v);
            }
        }
        return Optional.empty();
    }

    /** The media type without parameters, in lower case. */
    public static String mediaType(String contentType) {
        return contentType == null ? "" : contentType.split(";")[0].trim().toLowerCase(Locale.ROOT);
    }

    /** One part: its headers (names in lower case) and its content, readable until the next boundary. */
    public static final class Part extends InputStream {
        final Map<String, String> headers;
        private final MultipartRelated body;
        private boolean ended;

        private Part(Map<String, String> headers, MultipartRelated body) {
            this.headers = headers;
            this.body = body;
        }

        public String contentType() {
            return headers.getOrDefault("content-type", "");
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (ended) return -1;
            if (len == 0) return 0;
            int n = body.readContent(b, off, len);
            if (n < 0) ended = true;
            return n;
        }
    }

    /**
     * The next part, after skipping what is left of the current one; empty after the closing boundary.
     *
     * @throws IOException the body is not multipart with this boundary, or ends early
     */
    public Optional<Part> next() throws IOException {
        if (finished) return Optional.empty();
        if (current == null) {
            skipPreamble();
        } else {
            byte[] skip = new byte[8192];
            while (current.read(skip, 0, skip.length) >= 0) {
                // drain the rest of the part
            }
        }
        // after a delimiter: "--" closes the body, CRLF starts the next part (transport padding allowed)
        int a = readByte();
        int b = readByte();
        if (a == '-' && b == '-') {
            finished = true;
            return Optional.empty();
        }
        while (a == ' ' || a == '\t') {
            a = b;
            b = readByte();
        }
        if (a != '\r' || b != '\n') throw new IOException("malformed multipart body: no line break after a boundary");
        current = new Part(headers(), this);
        return Optional.of(current);
    }

    /** The first boundary may follow a preamble, and is not preceded by CRLF when it opens the body. */
    private void skipPreamble() throws IOException {
        byte[] first = java.util.Arrays.copyOfRange(delimiter, 2, delimiter.length);
        int matched = 0;
        boolean lineStart = true;
        while (true) {
            int c = readByte();
            if (c < 0) throw new IOException("malformed multipart body: the boundary never appears");
            if (lineStart || matched > 0) {
                if (c == (first[matched] & 0xff)) {
                    if (++matched == first.length) return;
                    continue;
                }
                matched = 0;
            }
            lineStart = c == '\n';
        }
    }

    private Map<String, String> headers() throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        StringBuilder line = new StringBuilder();
        int total = 0;
        while (true) {
            int c = readByte();
            if (c < 0) throw new IOException("malformed multipart body: it ends inside part headers");
            if (++total > MAX_HEADER_BYTES) throw new IOException("multipart part headers longer than " + MAX_HEADER_BYTES + " bytes");
            if (c == '\n') {
                String l = line.toString().strip();
                line.setLength(0);
                if (l.isEmpty()) return headers;
                int colon = l.indexOf(':');
                if (colon > 0) headers.put(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim());
            } else {
                line.append((char) c);
            }
        }
    }

    /** Content bytes up to the next delimiter; -1 at the delimiter (consumed). */
    private int readContent(byte[] b, int off, int len) throws IOException {
        while (true) {
            fill(delimiter.length);
            int found = indexOfDelimiter();
            if (found == pos) {
                pos += delimiter.length;
                return -1;
            }
            // bytes before a delimiter found, or all but a tail that may be the start of one
            int safe = found >= 0 ? found - pos : limit - pos - (delimiter.length - 1);
            if (safe > 0) {
                int n = Math.min(len, safe);
                System.arraycopy(buffer, pos, b, off, n);
                pos += n;
                return n;
            }
            if (eof) throw new IOException("malformed multipart body: it ends inside a part (no closing boundary)");
            fill(limit - pos + 1);
        }
    }

    /** Where the delimiter starts in the buffer, or -1. */
    private int indexOfDelimiter() {
        int last = limit - delimiter.length;
        outer:
        for (int i = pos; i <= last; i++) {
            if (buffer[i] != '\r') continue;
            for (int k = 1; k < delimiter.length; k++) {
                if (buffer[i + k] != delimiter[k]) continue outer;
            }
            return i;
        }
        return -1;
    }
}
