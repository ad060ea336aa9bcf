package org.ctai.scp.priors;

import org.ctai.scp.config.NodeConfig;
import org.ctai.scp.tls.DicomTls;
import org.ctai.viewer.MultipartRelated;
import org.ctai.viewer.StowReceiver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.SpecificCharacterSet;
import com.pixelmed.dicom.TagFromName;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Priors from a DICOMweb server ({@code priors.source=dicomweb:URL}): QIDO-RS for the studies
 * ({@code GET base/studies?PatientID=&ModalitiesInStudy=CT&StudyDate=from-to}) and their CT series
 * ({@code GET base/studies/{study}/series?Modality=CT}), each answer turned into the attribute list a C-FIND answer would
 * be; WADO-RS for a series ({@code GET base/studies/{study}/series/{series}}, {@code multipart/related;
 * type="application/dicom"}), each part streamed into the node's STOW-RS intake, so it is stored, routed and its
 * series completed (at the end of the response) exactly as for a series that arrives by C-STORE or STOW-RS.
 * Authentication and trust as for a DICOMweb destination; the secret is never logged. Thread-safe.
 */
final class DicomWebPriorSource implements PriorSource {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter DA = DateTimeFormatter.BASIC_ISO_DATE;
    /** Asked for at STUDY level, besides what QIDO-RS returns anyway. */
    private static final List<AttributeTag> STUDY_FIELDS = List.of(TagFromName.StudyDate, TagFromName.ModalitiesInStudy, TagFromName.PatientID,
            TagFromName.IssuerOfPatientID, TagFromName.StudyDescription, TagFromName.NumberOfStudyRelatedSeries);
    /** Asked for at SERIES level: every attribute a routing fact reads (QueryRetrieveScu asks for the same). */
    private static final List<AttributeTag> SERIES_FIELDS = List.of(TagFromName.SeriesInstanceUID, TagFromName.Modality,
            TagFromName.SeriesNumber, TagFromName.SeriesDescription, TagFromName.BodyPartExamined, TagFromName.ProtocolName,
            TagFromName.Manufacturer, TagFromName.ImageType, TagFromName.ConvolutionKernel, TagFromName.ContrastBolusAgent,
            TagFromName.SliceThickness, TagFromName.PixelSpacing, TagFromName.ImageOrientationPatient,
            TagFromName.NumberOfSeriesRelatedInstances);

    private final NodeConfig.WebDestination source;
    private final HttpClient http;
    private final Duration timeout;
    private final StowReceiver intake;
    private final String callingAeTitle;

    private DicomWebPriorSource(NodeConfig.WebDestination source, HttpClient http, Duration timeout, StowReceiver intake) {
        this.source = source;
        this.http = http;
        this.timeout = timeout;
        this.intake = intake;
        String host = source.base().getHost();
        // stands where a C-MOVE's storing PACS has its AE title: for routing rules and the instances' Source AE Title
        this.callingAeTitle = host.length() <= 16 ? host : host.substring(0, 16);
    }

    /** @throws IllegalStateException when the trusted bundle cannot be used (it was checked at configuration) */
    static DicomWebPriorSource create(NodeConfig.WebDestination source, Duration connectTimeout, Duration timeout, StowReceiver intake) {
        try {
            return new DicomWebPriorSource(source, DicomTls.httpClient(source.trusted(), connectTimeout), timeout, intake);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("priors.source " + source + ": cannot use its trusted bundle: " + e.getMessage(), e);
        }
    }

    @Override
    public String callingAeTitle() {
        return callingAeTitle;
    }

    @Override
    public List<AttributeList> findStudies(String patientId, String issuer, LocalDate from, LocalDate to) throws IOException {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("PatientID", patientId);
        if (!issuer.isEmpty()) query.put("IssuerOfPatientID", issuer);
        query.put("ModalitiesInStudy", "CT");
        query.put("StudyDate", from.format(DA) + "-" + to.format(DA));
        return qido("/studies", query, STUDY_FIELDS, "QIDO-RS studies", false);
    }

    @Override
    public List<AttributeList> findSeries(String studyUid) throws IOException {
        return qido("/studies/" + studyUid + "/series", Map.of("Modality", "CT"), SERIES_FIELDS, "QIDO-RS series of study " + studyUid, true);
    }

    /** @param quoteBody whether a failed answer's text may go into the error: not when the request carried the Patient ID, which servers echo */
    private List<AttributeList> qido(String path, Map<String, String> query, List<AttributeTag> fields, String what, boolean quoteBody)
            throws IOException {
        String q = query.entrySet().stream().map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        String include = fields.stream().map(t -> "includefield=" + String.format("%04X%04X", t.getGroup(), t.getElement()))
                .collect(Collectors.joining("&"));
        HttpResponse<InputStream> r = get(URI.create(source.base() + path + "?" + q + "&" + include), "application/dicom+json", what);
        try (InputStream body = r.body()) {
            if (r.statusCode() == 204) return List.of(); // no match
            if (r.statusCode() != 200) throw quoteBody ? failed(what, r.statusCode(), body) : new IOException(what + " at " + source + ": HTTP " + r.statusCode());
            JsonNode answer = JSON.readTree(body);
            if (answer == null || answer.isMissingNode() || answer.isNull()) return List.of();
            if (!answer.isArray()) throw new IOException(what + " at " + source + ": the answer is not a JSON array of datasets");
            List<AttributeList> out = new ArrayList<>();
            for (JsonNode dataset : answer) out.add(attributes(dataset));
            return out;
        }
    }

    @Override
    public void retrieve(String studyUid, String seriesUid) throws IOException {
        String what = "WADO-RS of series " + seriesUid;
        HttpResponse<InputStream> r = get(URI.create(source.base() + "/studies/" + studyUid + "/series/" + seriesUid),
                "multipart/related; type=\"application/dicom\"", what);
        try (InputStream body = r.body()) {
            if (r.statusCode() != 200) throw failed(what, r.statusCode(), body);
            String contentType = r.headers().firstValue("Content-Type").orElse("");
            Optional<String> boundary = MultipartRelated.boundary(contentType);
            if (!MultipartRelated.mediaType(contentType).equals("multipart/related") || boundary.isEmpty()) {
                throw new IOException(what + " at " + source + ": the answer is " + contentType + ", not multipart/related with a boundary");
            }
            MultipartRelated parts = new MultipartRelated(body, boundary.get());
            int stored = 0;
            List<String> failures = new ArrayList<>();
            // the request's end (close) counts as an association's release for series completion
            try (StowReceiver.Request request = intake.begin(callingAeTitle, source.base().getHost())) {
                for (Optional<MultipartRelated.Part> part = parts.next(); part.isPresent(); part = parts.next()) {
                    StowReceiver.Outcome outcome = request.store(part.get(), Optional.of(studyUid));
                    if (outcome.isStored()) stored++;
                    else failures.add(outcome.sopInstanceUid() + ": " + outcome.reason());
                }
            } catch (IOException e) {
                throw new IOException(what + " at " + source + " failed: " + e.getMessage(), e);
            } catch (Exception e) {
                throw new IOException(what + " at " + source + " failed: " + e, e);
            }
            if (!failures.isEmpty()) {
                throw new IOException(what + " at " + source + ": " + failures.size() + " of " + (stored + failures.size())
                        + " instances not stored, first " + failures.get(0));
            }
            if (stored == 0) throw new IOException(what + " at " + source + ": the answer held no instance");
        }
    }

    private HttpResponse<InputStream> get(URI uri, String accept, String what) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", accept).GET();
        source.auth().ifPresent(a -> request.header("Authorization", a.header()));
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (javax.net.ssl.SSLException e) {
            throw new IOException(what + ": HTTPS with " + source + " failed: " + DicomTls.explain(e), e);
        } catch (IOException e) {
            throw new IOException(what + ": GET at " + source + " failed: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.toString()), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(what + ": interrupted", e);
        }
    }

    private IOException failed(String what, int status, InputStream body) throws IOException {
        byte[] start = body.readNBytes(2000);
        String text = new String(start, StandardCharsets.UTF_8).replaceAll("\\s+", " ").strip();
        return new IOException(what + " at " + source + ": HTTP " + status + (text.isEmpty() ? "" : " " + (text.length() > 300 ? text.substring(0, 300) + "..." : text)));
    }

    /**
     * A DICOM JSON dataset (PS3.18 F.2) as an attribute list of the attributes the dictionary knows, with their
     * values as text: enough for the C-FIND-shaped reading of the answers. Sequences and bulk data are left out.
     */
    static AttributeList attributes(JsonNode dataset) throws IOException {
        AttributeList list = new AttributeList();
        var fields = dataset.fields();
        while (fields.hasNext()) {
            var field = fields.next();
            String vr = field.getValue().path("vr").asText();
            if (field.getKey().length() != 8 || vr.equals("SQ") || vr.startsWith("O") || vr.equals("UN")) continue;
            AttributeTag tag;
            try {
                tag = new AttributeTag(Integer.parseInt(field.getKey().substring(0, 4), 16), Integer.parseInt(field.getKey().substring(4), 16));
            } catch (NumberFormatException e) {
                continue;
            }
            try {
                Attribute a = list.putNewAttribute(tag, new SpecificCharacterSet((String[]) null));
                for (JsonNode v : field.getValue().path("Value")) {
                    String text = v.isObject() ? v.path("Alphabetic").asText("") : v.asText();
                    a.addValue(text);
                }
            } catch (DicomException e) {
                // a tag the dictionary does not know: no routing fact reads it
                list.remove(tag);
            }
        }
        return list;
    }
}
