package org.ctai.viewer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * STOW-RS (PS3.18 10.5): {@code POST /dicomweb/studies[/{study}]} with a {@code multipart/related;
 * type="application/dicom"} body, each part stored by the {@link StowReceiver} as it streams in, answered with the
 * PS3.18 JSON (DICOM JSON model) store response: a referenced entry per stored instance, a failed one (with its
 * failure reason) per refused part; 200 when all were stored, 202 when some, 409 when none; 415 for another media
 * type, 400 for a malformed body or study UID, 413 above the size limit. Thread-safe.
 */
final class StowHandler {
    private static final Logger log = LoggerFactory.getLogger(StowHandler.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern UID = Pattern.compile("[0-9]+(\\.[0-9]+)*");
    static final String MEDIA_TYPE = "application/dicom+json";

    private final StowReceiver receiver;

    StowHandler(StowReceiver receiver) {
        this.receiver = receiver;
    }

    /** @param study the {study} path segment, if the path has one */
    void handle(HttpServerExchange ex, Optional<String> study, String user) throws IOException {
        if (study.isPresent() && (study.get().length() > 64 || !UID.matcher(study.get()).matches())) {
            Exchanges.error(ex, 400, "the study in the path is not a UID: " + printable(study.get()));
            return;
        }
        String contentType = ex.getRequestHeaders().getFirst(Headers.CONTENT_TYPE);
        Optional<String> type = MultipartRelated.parameter(contentType, "type");
        if (!MultipartRelated.mediaType(contentType).equals("multipart/related")
                || (type.isPresent() && !type.get().equalsIgnoreCase("application/dicom"))) {
            Exchanges.error(ex, 415, "only multipart/related; type=\"application/dicom\" is accepted (was " + printable(String.valueOf(contentType)) + ")");
            return;
        }
        Optional<String> boundary = MultipartRelated.boundary(contentType);
        if (boundary.isEmpty()) {
            Exchanges.error(ex, 400, "multipart/related without a boundary parameter");
            return;
        }
        long length = ex.getRequestContentLength();
        if (length > receiver.maxRequestBytes()) {
            Exchanges.error(ex, 413, "request of " + length + " bytes exceeds the limit of " + receiver.maxRequestBytes() + " bytes");
            return;
        }
        ex.setMaxEntitySize(receiver.maxRequestBytes());
        // the checks above answer before the body is sent; a client that asked (curl does for large bodies) now sends it
        if (io.undertow.server.protocol.http.HttpContinue.requiresContinueResponse(ex)) {
            io.undertow.server.protocol.http.HttpContinue.sendContinueResponseBlocking(ex);
        }
        String peer = Exchanges.clientAddress(ex);
        List<StowReceiver.Outcome> outcomes = new ArrayList<>();
        String malformed = null;
        StowReceiver.Request request;
        try {
            request = receiver.begin(user, peer);
        } catch (IOException e) {
            Exchanges.error(ex, 503, "the node cannot take instances now: " + e.getMessage());
            return;
        }
        try (request) {
            MultipartRelated body = new MultipartRelated(new BufferedInputStream(ex.getInputStream(), 64 * 1024), boundary.get());
            Optional<MultipartRelated.Part> part;
            while ((part = body.next()).isPresent()) {
                String partType = MultipartRelated.mediaType(part.get().contentType());
                if (!partType.isEmpty() && !partType.equals("application/dicom")) {
                    outcomes.add(StowReceiver.Outcome.failed("", "", "", 0xC000, "part of media type " + printable(partType) + ", not application/dicom"));
                    continue;
                }
                outcomes.add(request.store(part.get(), study));
            }
        } catch (IOException e) {
            // what was stored before stays stored (and is listed); the rest of the body is unusable
            malformed = e.getMessage();
        }
        for (int i = 0; i < outcomes.size(); i++) {
            StowReceiver.Outcome o = outcomes.get(i);
            if (!o.isStored()) {
                log.info("STOW-RS from {} at {}: part {} ({}) failed with reason {}: {}", user, peer, i + 1,
                        o.sopInstanceUid().isEmpty() ? "unreadable" : o.sopInstanceUid(), String.format("%04X", o.failureReason().get()), o.reason());
            }
        }
        long stored = outcomes.stream().filter(StowReceiver.Outcome::isStored).count();
        log.info("STOW-RS from {} at {}: {} instances stored, {} failed{}", user, peer, stored, outcomes.size() - stored,
                malformed == null ? "" : ", body cut off: " + malformed);
        if (outcomes.isEmpty()) {
            Exchanges.error(ex, 400, malformed != null ? "malformed multipart body: " + malformed : "the request holds no part");
            return;
        }
        int status = stored == outcomes.size() && malformed == null ? 200 : stored > 0 ? 202 : 409;
        ex.setStatusCode(status);
        ex.getResponseHeaders().put(Headers.CONTENT_TYPE, MEDIA_TYPE);
        ex.getResponseSender().send(JSON.writeValueAsString(response(ex, outcomes, study)));
    }

    /** The store response of PS3.18 Table 10.5.3-2 in the DICOM JSON model. */
    private static ObjectNode response(HttpServerExchange ex, List<StowReceiver.Outcome> outcomes, Optional<String> study) {
        String base = ex.getRequestScheme() + "://" + ex.getHostAndPort() + "/dicomweb/studies/";
        ObjectNode root = JSON.createObjectNode();
        study.ifPresent(s -> url(root, base + s));
        ArrayNode referenced = JSON.createArrayNode();
        ArrayNode failed = JSON.createArrayNode();
        for (StowReceiver.Outcome o : outcomes) {
            ObjectNode item = JSON.createObjectNode();
            if (!o.sopClassUid().isEmpty()) uid(item, "00081150", o.sopClassUid());
            if (!o.sopInstanceUid().isEmpty()) uid(item, "00081155", o.sopInstanceUid());
            if (o.isStored()) {
                url(item, base + o.studyUid() + "/instances/" + o.sopInstanceUid());
                referenced.add(item);
            } else {
                // the standard response has a code only; the text is in the node's log
                ObjectNode reason = item.putObject("00081197");
                reason.put("vr", "US");
                reason.putArray("Value").add(o.failureReason().get());
                failed.add(item);
            }
        }
        if (!referenced.isEmpty()) sequence(root, "00081199", referenced);
        if (!failed.isEmpty()) sequence(root, "00081198", failed);
        return root;
    }

    private static void uid(ObjectNode item, String tag, String value) {
        ObjectNode a = item.putObject(tag);
        a.put("vr", "UI");
        a.putArray("Value").add(value);
    }

    private static void url(ObjectNode item, String value) {
        ObjectNode a = item.putObject("00081190");
        a.put("vr", "UR");
        a.putArray("Value").add(value);
    }

    private static void sequence(ObjectNode root, String tag, ArrayNode items) {
        ObjectNode a = root.putObject(tag);
        a.put("vr", "SQ");
        a.set("Value", items);
    }

    private static String printable(String s) {
        String t = s.replaceAll("[^\\x20-\\x7e]", "?");
        return t.length() <= 100 ? t : t.substring(0, 100) + "...";
    }
}
