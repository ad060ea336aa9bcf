package org.ctai.inference.model;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import org.ctai.inference.InferenceException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;

/**
 * Where an ONNX model comes from: a file, or a model bundled with the node. Each kind knows how to give its
 * bytes, its manifest and an ONNX Runtime session, so no caller needs to ask which kind it holds. Immutable.
 */
public sealed interface ModelSource permits ModelSource.OnnxFile, ModelSource.Bundled {

    /** The bundled default model: a pipeline model trained on synthetic phantoms, not a clinical one. */
    ModelSource DEFAULT = new Bundled("/org/ctai/inference/model/ctai-phantom-unet.onnx");

    /** Prefix of {@code model.file} values that name a model bundled with the node instead of a file. */
    String BUNDLED_PREFIX = "bundled:";

    /** {@code model.file}: a path, or {@code bundled:NAME} for {@code NAME.onnx} among the bundled models. */
    static ModelSource of(Path file) {
        String text = file.toString();
        if (text.startsWith(BUNDLED_PREFIX)) return new Bundled("/org/ctai/inference/model/" + text.substring(BUNDLED_PREFIX.length()) + ".onnx");
        return new OnnxFile(file);
    }

    /** For logs and messages. */
    String description();

    /** Where the model is, as the results name it: the file's path or the bundled resource. */
    String location();

    /** The model's bytes, streamed. */
    InputStream open() throws IOException;

    /**
     * The contract the manifest beside the model ({@code NAME.manifest.json}) describes, if there is one.
     *
     * @throws ModelSpecException naming every bad key of a manifest that is there
     * @throws InferenceException if it is there but cannot be read
     */
    default Optional<ModelContract> manifest() {
        Optional<Manifest> manifest;
        try {
            manifest = manifestText();
        } catch (IOException e) {
            throw new InferenceException("model manifest of " + description() + " cannot be read: " + e.getMessage(), e);
        }
        return manifest.map(m -> ModelManifest.parse(m.json(), m.origin()));
    }

    /** The text of the manifest beside the model, if there is one. */
    Optional<Manifest> manifestText() throws IOException;

    /** A new ONNX Runtime session of this model. */
    OrtSession openSession(OrtEnvironment env, OrtSession.SessionOptions options) throws OrtException;

    /** A manifest's JSON text and where it was read, for messages. */
    record Manifest(String json, String origin) {
    }

    /**
     * SHA-256 of the model's bytes, streamed (a large model is not held in memory for it).
     *
     * @return 64 lower-case hex digits
     * @throws InferenceException if the model cannot be read
     */
    default String sha256() {
        try (InputStream in = open();
             DigestInputStream digest = new DigestInputStream(in, MessageDigest.getInstance("SHA-256"))) {
            digest.transferTo(OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(digest.getMessageDigest().digest());
        } catch (IOException e) {
            throw new InferenceException("model " + description() + " cannot be read for its SHA-256: " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    record OnnxFile(Path path) implements ModelSource {
        public OnnxFile {
            Objects.requireNonNull(path, "path");
        }

        @Override
        public String description() {
            return path.toString();
        }

        @Override
        public String location() {
            return path.toString();
        }

        @Override
        public InputStream open() throws IOException {
            return Files.newInputStream(path);
        }

        /** Where this model's manifest lies: the same name with {@code .onnx} replaced by {@code .manifest.json}. */
        public Path manifestPath() {
            return ModelManifest.pathFor(path);
        }

        @Override
        public Optional<Manifest> manifestText() throws IOException {
            Path manifest = manifestPath();
            if (!Files.exists(manifest)) return Optional.empty();
            return Optional.of(new Manifest(Files.readString(manifest), manifest.toString()));
        }

        @Override
        public OrtSession openSession(OrtEnvironment env, OrtSession.SessionOptions options) throws OrtException {
            if (!Files.isRegularFile(path)) {
                throw new InferenceException("model.file " + path + " does not exist or is not a file");
            }
            return env.createSession(path.toString(), options);
        }
    }

    /** A class-path resource, absolute (starting with '/'). */
    record Bundled(String resource) implements ModelSource {
        public Bundled {
            if (!resource.startsWith("/")) throw new IllegalArgumentException("resource must be absolute: " + resource);
        }

        @Override
        public String description() {
            return "bundled " + resource;
        }

        @Override
        public String location() {
            return resource;
        }

        @Override
        public InputStream open() throws IOException {
            InputStream in = ModelSource.class.getResourceAsStream(resource);
            if (in == null) throw new IOException("resource " + resource + " is not in this build");
            return in;
        }

        @Override
        public Optional<Manifest> manifestText() throws IOException {
            String manifest = resource.replaceFirst("\\.onnx$", "") + ModelManifest.SUFFIX;
            try (InputStream in = ModelSource.class.getResourceAsStream(manifest)) {
                if (in == null) return Optional.empty();
                return Optional.of(new Manifest(new String(in.readAllBytes(), StandardCharsets.UTF_8), "bundled " + manifest));
            }
        }

        @Override
        public OrtSession openSession(OrtEnvironment env, OrtSession.SessionOptions options) throws OrtException {
            byte[] model;
            try (InputStream in = ModelSource.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new InferenceException("model " + description() + " is not in this build; set model.file to an ONNX model");
                }
                model = in.readAllBytes();
            } catch (IOException e) {
                throw new InferenceException("model " + description() + " cannot be read: " + e.getMessage(), e);
            }
            return env.createSession(model, options);
        }
    }
}
