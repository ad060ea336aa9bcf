package org.ctai.inference.series;

import com.pixelmed.dicom.TransferSyntax;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/**
 * JPEG-LS pixel data, which no Java ImageIO plugin available here decodes, through GDCM's Java binding (Debian's
 * libgdcm-java, CharLS inside; its JNI library loads from {@code java.library.path}). Where the binding is
 * missing JPEG-LS is simply not decodable: not negotiated, and a stored series in it is refused with that reason.
 */
final class JpegLs {
    static final Set<String> TRANSFER_SYNTAXES = Set.of(TransferSyntax.JPEGLS, TransferSyntax.JPEGNLS);
    /** Empty when GDCM's binding loaded; otherwise why not. */
    private static final Optional<String> UNAVAILABLE = load();

    private JpegLs() {
    }

    private static Optional<String> load() {
        try {
            System.loadLibrary("gdcmjni");
            Class.forName("gdcm.ImageReader");
            return Optional.empty();
        } catch (LinkageError | ClassNotFoundException e) {
            return Optional.of("GDCM's Java binding (Debian package libgdcm-java) is not installed: " + e.getMessage());
        }
    }

    static boolean available() {
        return UNAVAILABLE.isEmpty();
    }

    /**
     * The decoded frame of a single-frame JPEG-LS file: samples as GDCM gives them, little-endian for 16 bits.
     *
     * @throws IllegalStateException with GDCM's failure (the caller names the series and instance)
     */
    static byte[] decode(Path file) {
        if (!available()) throw new IllegalStateException(UNAVAILABLE.get());
        gdcm.ImageReader reader = new gdcm.ImageReader();
        try {
            reader.SetFileName(file.toString());
            if (!reader.Read()) throw new IllegalStateException("GDCM cannot read " + file.getFileName());
            gdcm.Image image = reader.GetImage();
            byte[] buffer = new byte[Math.toIntExact(image.GetBufferLength())];
            if (!image.GetBuffer(buffer)) throw new IllegalStateException("GDCM cannot decode the JPEG-LS pixel data of " + file.getFileName());
            return buffer;
        } finally {
            reader.delete();
        }
    }
}
