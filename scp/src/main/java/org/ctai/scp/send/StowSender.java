package org.ctai.scp.send;

import org.ctai.scp.config.NodeConfig;
import org.ctai.scp.tls.DicomTls;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * STOW-RS client for results (PS3.18 10.5): one {@code multipart/related; type="application/dicom"} POST to
 * {@code base/studies} per delivery, carrying all of a job's objects, the files streamed from disk. The answer decides:
 * <ul>
 *   <li>200 and 202: each FailedSOPSequence entry is a failure named in the report (the delivery is retried whole, as a
 *       C-STORE delivery with refused objects is; STOW-RS stores by SOP Instance UID, so objects stored at the first
 *       try are stored again, not twice); a ReferencedSOPSequence entry with a WarningReason counts as delivered with
 *       a warning;</li>
 *   <li>408, 429, 5xx and network failures: {@link IOException}, retried with the outbox's backoff;</li>
 *   <li>any other answer (400, 401, 403, 404, 409, 413, 415, a redirect): {@link RefusedException} with the server's
 *       reason, trimmed; the delivery is dead at once, as the same request would be refused again.</li>
 * </ul>
 * The Authorization header is built from the destination's secret and never logged, nor is any header.
 * Thread-safe (the HTTP clients are).
 */
final class StowSender {
    private static final Logger log = LoggerFactory.getLogger(StowSender.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The longest excerpt of a server's answer kept as a delivery's last error. */
    static final int MAX_REASON_CHARS = 400;
    /** Added to {@code send.timeout-seconds} per MiB uploaded, so a large request on a slow link is not cut off. */
    private static final Duration PER_MIB = Duration.ofSeconds(1);
    private static final String FAILED_SOP_SEQUENCE = "00081198";
    private static final String REFERENCED_SOP_SEQUENCE = "00081199";
    private static final String REFERENCED_SOP_INSTANCE_UID = "00081155";
    private static final String FAILURE_REASON = "00081197";
    private static final String WARNING_REASON = "00081196";

    /** The server answered that this request will never succeed as it is; the reason is for the delivery's last error. */
    static final class RefusedException extends Exception {
        RefusedException(String reason) {
            super(reason);
        }
    }

    private final Duration timeout;
    private final HttpClient trustStoreClient;
    /** A client per destination with its own trusted bundle, by the destination's identity. */
    private final Map<String, HttpClient> bundleClients;

    private StowSender(Duration timeout, HttpClient trustStoreClient, Map<String, HttpClient> bundleClients) {
        this.timeout = timeout;
        this.trustStoreClient = trustStoreClient;
        this.bundleClients = Map.copyOf(bundleClients);
    }

    /**
     * The sender for these destinations (AE destinations are skipped); each trusted bundle is read once now.
     *
     * @throws IOException naming the destination whose bundle cannot be used
     */
    static StowSender create(List<NodeConfig.Destination> destinations, Duration connectTimeout, Duration timeout) throws IOException {
        Map<String, HttpClient> clients = new HashMap<>();
        HttpClient jvmTrust;
        try {
            for (NodeConfig.Destination d : destinations) {
                if (!(d instanceof NodeConfig.WebDestination web) || web.trusted().isEmpty()) continue;
                try {
                    clients.put(web.toString(), DicomTls.httpClient(web.trusted(), connectTimeout));
                } catch (GeneralSecurityException e) {
                    throw new IOException("cannot set up HTTPS towards " + web + ": " + e.getMessage(), e);
                }
            }
            jvmTrust = DicomTls.httpClient(java.util.Optional.empty(), connectTimeout);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot set up HTTPS with the JVM's trust store: " + e.getMessage(), e);
        }
        return new StowSender(timeout, jvmTrust, clients);
    }

    /**
     * Posts all items in one request.
     *
     * @throws IOException      when the request failed in a way worth retrying (network, 408, 429, 5xx); nothing is known delivered
     * @throws RefusedException when the server refused the request for good
     */
    DicomSender.Report send(NodeConfig.WebDestination to, List<Outbox.Item> items) throws IOException, RefusedException {
        URI uri = URI.create(to.base() + "/studies");
        String boundary = "ctai-" + UUID.randomUUID();
        List<HttpRequest.BodyPublisher> parts = new ArrayList<>();
        long bytes = 0;
        for (Outbox.Item item : items) {
            parts.add(HttpRequest.BodyPublishers.ofString("\r\n--" + boundary + "\r\nContent-Type: application/dicom\r\n\r\n", StandardCharsets.US_ASCII));
            parts.add(HttpRequest.BodyPublishers.ofFile(item.file()));
            bytes += Files.size(item.file());
        }
        parts.add(HttpRequest.BodyPublishers.ofString("\r\n--" + boundary + "--\r\n", StandardCharsets.US_ASCII));
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .timeout(timeout.plus(PER_MIB.multipliedBy(1 + bytes / (1024 * 1024))))
                .header("Content-Type", "multipart/related; type=\"application/dicom\"; boundary=" + boundary)
                .header("Accept", "application/dicom+json, application/json;q=0.9, */*;q=0.1")
                .POST(HttpRequest.BodyPublishers.concat(parts.toArray(HttpRequest.BodyPublisher[]::new)));
        to.auth().ifPresent(a -> request.header("Authorization", a.header()));
        HttpClient client = bundleClients.getOrDefault(to.toString(), trustStoreClient);
        HttpResponse<byte[]> response;
        try {
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (SSLException e) {
            throw new IOException("HTTPS with " + to + " failed: " + DicomTls.explain(e), e);
        } catch (IOException e) {
            // a refused connection comes without a message
            throw new IOException("POST " + uri + " failed: " + (e.getMessage() == null ? e.getClass().getSimpleName() + " (is the server up?)" : e.toString()), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while posting to " + uri, e);
        }
        int status = response.statusCode();
        String body = new String(response.body(), StandardCharsets.UTF_8);
        if (status == 200 || status == 202) return report(to, status, body, items.size());
        String reason = to + " answered HTTP " + status + (reasonOf(body).isEmpty() ? "" : ": " + reasonOf(body));
        if (status == 408 || status == 429 || status >= 500) throw new IOException(reason);
        throw new RefusedException(reason + (status == 401 || status == 403 ? " (check the destination's ;auth= and its environment variable)" : ""));
    }

    /** The PS3.18 store response: failed entries are failures, referenced entries with a warning reason are warnings. */
    private static DicomSender.Report report(NodeConfig.WebDestination to, int status, String body, int posted) {
        JsonNode answer;
        try {
            answer = body.isBlank() ? null : JSON.readTree(body);
        } catch (IOException e) {
            answer = null;
        }
        if (answer == null || !answer.isObject()) {
            if (status == 200) {
                log.warn("{} answered 200 without a PS3.18 JSON store response; all {} objects taken as stored", to, posted);
                return new DicomSender.Report(posted, 0, List.of());
            }
            return new DicomSender.Report(0, 0, List.of("HTTP 202 without a readable store response, so which objects were stored is unknown"));
        }
        List<String> failures = new ArrayList<>();
        for (JsonNode failed : sequence(answer, FAILED_SOP_SEQUENCE)) {
            failures.add(value(failed, REFERENCED_SOP_INSTANCE_UID) + " failed with reason " + reasonCode(failed, FAILURE_REASON));
        }
        int delivered = 0;
        int warnings = 0;
        for (JsonNode stored : sequence(answer, REFERENCED_SOP_SEQUENCE)) {
            delivered++;
            if (!value(stored, WARNING_REASON).isEmpty()) {
                warnings++;
                log.warn("{} stored {} with warning reason {}", to, value(stored, REFERENCED_SOP_INSTANCE_UID), reasonCode(stored, WARNING_REASON));
            }
        }
        if (status == 202 && failures.isEmpty() && warnings == 0) {
            failures.add("HTTP 202 (partly stored) without failed entries; " + delivered + " of " + posted + " referenced");
        }
        // a 200 whose referenced list is short names no failure: 200 says all were stored
        if (status == 200 && failures.isEmpty()) delivered = posted;
        return new DicomSender.Report(delivered, warnings, List.copyOf(failures));
    }

    private static Iterable<JsonNode> sequence(JsonNode dataset, String tag) {
        return dataset.path(tag).path("Value");
    }

    private static String value(JsonNode dataset, String tag) {
        JsonNode v = dataset.path(tag).path("Value");
        return v.isArray() && !v.isEmpty() ? v.get(0).asText() : "";
    }

    /** A reason code as PS3.18 writes it in hex (0xA700, 0xC000), or "unknown". */
    private static String reasonCode(JsonNode dataset, String tag) {
        String v = value(dataset, tag);
        try {
            return String.format("%04X", Integer.parseInt(v));
        } catch (NumberFormatException e) {
            return v.isEmpty() ? "unknown" : v;
        }
    }

    /**
     * A short account of why the server said no: Orthanc's JSON error ({@code Message}, {@code Details}), the first
     * failed entry of a DICOM JSON response, or the body's text, whitespace collapsed and cut to {@link #MAX_REASON_CHARS}.
     */
    static String reasonOf(String body) {
        String text = body.strip();
        try {
            JsonNode json = text.startsWith("{") || text.startsWith("[") ? JSON.readTree(text) : null;
            if (json != null && json.isObject()) {
                List<String> said = new ArrayList<>();
                for (String field : List.of("Message", "message", "Details", "details", "error", "error_description")) {
                    JsonNode v = json.get(field);
                    if (v != null && v.isValueNode() && !v.asText().isBlank() && !said.contains(v.asText().strip())) said.add(v.asText().strip());
                }
                for (JsonNode failed : sequence(json, FAILED_SOP_SEQUENCE)) {
                    said.add(value(failed, REFERENCED_SOP_INSTANCE_UID) + " failed with reason " + reasonCode(failed, FAILURE_REASON));
                    break;
                }
                if (!said.isEmpty()) text = String.join(": ", said);
            }
        } catch (IOException e) {
            // not JSON after all: the text itself is the reason
        }
        text = text.replaceAll("\\s+", " ");
        return text.length() > MAX_REASON_CHARS ? text.substring(0, MAX_REASON_CHARS) + "..." : text;
    }
}
