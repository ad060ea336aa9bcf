package org.ctai.viewer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The STOW-RS body reader: parts come out byte for byte, whatever they contain and however the body is cut. */
class MultipartRelatedTest {
    private static List<byte[]> parts(byte[] body, String boundary, int chunk) throws IOException {
        // a stream that hands out at most `chunk` bytes per read, as a network does
        InputStream in = new ByteArrayInputStream(body) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, chunk));
            }
        };
        MultipartRelated m = new MultipartRelated(in, boundary);
        List<byte[]> out = new ArrayList<>();
        Optional<MultipartRelated.Part> p;
        while ((p = m.next()).isPresent()) out.add(p.get().readAllBytes());
        return out;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void partsWithBoundaryLookalikesComeOutIntactAtAnyReadSize() throws IOException {
        byte[] tricky = ascii("a\r\n--b\r\n--bound\r\n--boundar\r\r\n-");
        byte[] random = new byte[200_000];
        new Random(7).nextBytes(random);
        byte[] body = concat(ascii("preamble to ignore\r\n--boundary\r\nContent-Type: application/dicom\r\n\r\n"), tricky,
                ascii("\r\n--boundary  \r\nContent-Type: application/dicom\r\n\r\n"), random, ascii("\r\n--boundary--\r\nepilogue"));
        for (int chunk : new int[] {1, 3, 7, 100, 65536}) {
            List<byte[]> got = parts(body, "boundary", chunk);
            assertThat(got).hasSize(2);
            assertThat(got.get(0)).isEqualTo(tricky);
            assertThat(got.get(1)).isEqualTo(random);
        }
    }

    @Test
    void unreadPartsAreSkippedAndHeadersAndParametersAreRead() throws IOException {
        byte[] body = ascii("--b\r\nContent-Type: text/plain\r\nX-Other: 1\r\n\r\nskip me\r\n--b\r\n\r\nsecond\r\n--b--");
        MultipartRelated m = new MultipartRelated(new ByteArrayInputStream(body), "b");
        assertThat(m.next().orElseThrow().contentType()).isEqualTo("text/plain");
        MultipartRelated.Part second = m.next().orElseThrow();
        assertThat(second.contentType()).isEmpty();
        assertThat(new String(second.readAllBytes(), StandardCharsets.ISO_8859_1)).isEqualTo("second");
        assertThat(m.next()).isEmpty();
        assertThat(MultipartRelated.boundary("multipart/related; type=\"application/dicom\"; boundary=\"a b\"")).contains("a b");
        assertThat(MultipartRelated.mediaType("Multipart/Related; boundary=x")).isEqualTo("multipart/related");
    }

    @Test
    void bodyWithoutItsClosingBoundaryIsAnError() {
        byte[] body = ascii("--b\r\n\r\ncut off here");
        assertThatThrownBy(() -> parts(body, "b", 10)).isInstanceOf(IOException.class).hasMessageContaining("no closing boundary");
        assertThatThrownBy(() -> parts(ascii("no boundary at all"), "b", 10)).hasMessageContaining("the boundary never appears");
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }
}
