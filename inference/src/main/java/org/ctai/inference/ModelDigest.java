package org.ctai.inference;

import org.ctai.inference.ModelSpec.ModelSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 of a model's bytes, streamed (a large model is not held in memory for it). Stateless. */
final class ModelDigest {

    private ModelDigest() {
    }

    /**
     * @return 64 lower-case hex digits
     * @throws InferenceException if the model cannot be read
     */
    static String sha256(ModelSource source) {
        try (InputStream in = open(source);
             DigestInputStream digest = new DigestInputStream(in, MessageDigest.getInstance("SHA-256"))) {
            digest.transferTo(OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(digest.getMessageDigest().digest());
        } catch (IOException e) {
            throw new InferenceException("model " + source.description() + " cannot be read for its SHA-256: " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    private static InputStream open(ModelSource source) throws IOException {
        if (source instanceof ModelSource.OnnxFile file) return Files.newInputStream(file.path());
        String resource = ((ModelSource.Bundled) source).resource();
        InputStream in = ModelDigest.class.getResourceAsStream(resource);
        if (in == null) throw new IOException("resource " + resource + " is not in this build");
        return in;
    }
}
