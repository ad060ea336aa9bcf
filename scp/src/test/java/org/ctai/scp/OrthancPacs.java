package org.ctai.scp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real PACS for end-to-end tests: Debian's Orthanc on loopback with its own configuration. The node and
 * the test client are registered modalities; a Lua OnStableSeries routes CT series (never SEG or SR) to the
 * node. Storage survives {@link #stop()} / {@link #start()}.
 */
final class OrthancPacs implements AutoCloseable {
    static final String AE = "ORTHANC";
    private static final ObjectMapper JSON = new ObjectMapper();

    final int dicomPort;
    final int httpPort;
    private final Path dir;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Process process;
    /** The REST API's Authorization header once {@link #useDicomWebServer} turned authentication on, else null. */
    private String authorization;

    private OrthancPacs(Path dir, int dicomPort, int httpPort) {
        this.dir = dir;
        this.dicomPort = dicomPort;
        this.httpPort = httpPort;
    }

    /** Configures Orthanc to route CT to the node at {@code nodeAe@127.0.0.1:nodePort}; not started yet. */
    static OrthancPacs configure(Path dir, String nodeAe, int nodePort) throws IOException {
        OrthancPacs o = new OrthancPacs(dir, NodeProcess.freePort(), NodeProcess.freePort());
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("route.lua"), """
                function OnStableSeries(seriesId, tags, metadata)
                  if tags['Modality'] == 'CT' then
                    RestApiPost('/modalities/ctai/store', seriesId)
                  end
                end
                """);
        var config = JSON.createObjectNode();
        config.put("Name", "ctai-test-pacs");
        config.put("StorageDirectory", dir.resolve("storage").toString());
        config.put("IndexDirectory", dir.resolve("index").toString());
        config.put("HttpPort", o.httpPort);
        config.put("HttpBindAddress", "127.0.0.1");
        config.put("RemoteAccessAllowed", false);
        config.put("AuthenticationEnabled", false);
        config.put("DicomPort", o.dicomPort);
        config.put("DicomAet", AE);
        config.put("DicomCheckCalledAet", true);
        config.put("StableAge", 2);
        var modalities = config.putObject("DicomModalities");
        modalities.putArray("ctai").add(nodeAe).add("127.0.0.1").add(nodePort);
        modalities.putArray("client").add(TestNodes.CALLER).add("127.0.0.1").add(NodeProcess.freePort());
        config.putArray("LuaScripts").add(dir.resolve("route.lua").toString());
        config.putArray("Plugins");
        Files.writeString(dir.resolve("orthanc.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(config));
        return o;
    }

    /** Replaces the routing Lua (before {@link #start()}); the node stays registered as modality {@code ctai}. */
    void routeWith(String lua) throws IOException {
        Files.writeString(dir.resolve("route.lua"), lua);
    }

    /** Stores one DICOM file through the REST API (POST /instances): it arrives without any DICOM association. */
    void upload(Path file) throws IOException, InterruptedException {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/instances"))
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofFile(file)).build());
        if (r.statusCode() != 200) throw new IOException("POST /instances " + file + ": HTTP " + r.statusCode() + " " + r.body());
    }

    /** Registers (or changes) a DICOM modality while Orthanc runs: PUT /modalities/{name}. */
    void modality(String name, String aeTitle, int port) throws IOException, InterruptedException {
        String body = JSON.writeValueAsString(List.of(aeTitle, "127.0.0.1", port));
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/modalities/" + name))
                .timeout(Duration.ofSeconds(30)).PUT(HttpRequest.BodyPublishers.ofString(body)).build());
        if (r.statusCode() != 200) throw new IOException("PUT /modalities/" + name + ": HTTP " + r.statusCode() + " " + r.body());
    }

    /**
     * Makes Orthanc's DICOM port TLS-only with this certificate and key, trusting peers that {@code trusted} vouches
     * for, and reaches the node (modality {@code ctai}) over TLS at {@code nodeTlsPort}. Call before {@link #start()}.
     */
    void useDicomTls(Path cert, Path key, Path trusted, String nodeAe, int nodeTlsPort) throws IOException {
        var config = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(dir.resolve("orthanc.json").toFile());
        config.put("DicomTlsEnabled", true);
        config.put("DicomTlsCertificate", cert.toString());
        config.put("DicomTlsPrivateKey", key.toString());
        config.put("DicomTlsTrustedCertificates", trusted.toString());
        config.put("DicomTlsRemoteCertificateRequired", true);
        var node = ((com.fasterxml.jackson.databind.node.ObjectNode) config.get("DicomModalities")).putObject("ctai");
        node.put("AET", nodeAe).put("Host", "127.0.0.1").put("Port", nodeTlsPort).put("UseDicomTls", true);
        Files.writeString(dir.resolve("orthanc.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(config));
    }

    /**
     * Loads Orthanc's DICOMweb plugin (Debian orthanc-dicomweb) and registers the node's STOW-RS endpoint as DICOMweb
     * server {@code ctai} with HTTP Basic; the Lua routing is dropped, so series reach the node only when a test pushes
     * them ({@link #pushByStow}). Call before {@link #start()}.
     */
    void useDicomWebToNode(String url, String user, String password) throws IOException {
        var config = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(dir.resolve("orthanc.json").toFile());
        config.putArray("Plugins").add("/usr/share/orthanc/plugins/libOrthancDicomWeb.so");
        config.remove("LuaScripts");
        var web = config.putObject("DicomWeb");
        web.put("Enable", true);
        web.put("Root", "/dicom-web/");
        var server = web.putObject("Servers").putObject("ctai");
        server.put("Url", url).put("Username", user).put("Password", password);
        Files.writeString(dir.resolve("orthanc.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(config));
    }

    /**
     * Serves DICOMweb (the plugin, at {@code /dicom-web/}) with HTTP Basic for one registered user, who is also the
     * user this class's REST calls log in as. Call before {@link #start()}.
     *
     * @return the DICOMweb base URL
     */
    String useDicomWebServer(String user, String password) throws IOException {
        var config = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(dir.resolve("orthanc.json").toFile());
        config.putArray("Plugins").add("/usr/share/orthanc/plugins/libOrthancDicomWeb.so");
        config.put("AuthenticationEnabled", true);
        config.putObject("RegisteredUsers").put(user, password);
        config.putObject("DicomWeb").put("Enable", true).put("Root", "/dicom-web/");
        Files.writeString(dir.resolve("orthanc.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(config));
        authorization = "Basic " + java.util.Base64.getEncoder().encodeToString((user + ":" + password).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return "http://127.0.0.1:" + httpPort + "/dicom-web";
    }

    /** Drops the Lua routing: series reach the node only when a test sends them ({@link #sendStudyToNode}). Call before {@link #start()}. */
    void noAutomaticRouting() throws IOException {
        var config = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(dir.resolve("orthanc.json").toFile());
        config.remove("LuaScripts");
        Files.writeString(dir.resolve("orthanc.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(config));
    }

    /**
     * Forwards a whole study to the node (modality {@code ctai}) by C-STORE, as a PACS's "send to" does, and returns
     * Orthanc's answer (with its instance and failed-instance counts).
     */
    JsonNode sendStudyToNode(String studyUid) throws IOException, InterruptedException {
        String id = studyId(studyUid);
        if (id == null) throw new IOException("study " + studyUid + " is not in Orthanc");
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/modalities/ctai/store"))
                .timeout(Duration.ofSeconds(120))
                .POST(HttpRequest.BodyPublishers.ofString("{\"Resources\": [\"" + id + "\"], \"Synchronous\": true}")).build());
        if (r.statusCode() != 200) throw new IOException("C-STORE of study " + studyUid + " to the node: HTTP " + r.statusCode() + " " + r.body());
        return JSON.readTree(r.body());
    }

    /** Has Orthanc's DICOMweb client push a study to the node's STOW-RS; returns Orthanc's answer. */
    JsonNode pushByStow(String orthancStudyId) throws IOException, InterruptedException {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/dicom-web/servers/ctai/stow"))
                .timeout(Duration.ofSeconds(120)).POST(HttpRequest.BodyPublishers.ofString("{\"Resources\": [\"" + orthancStudyId + "\"]}")).build());
        if (r.statusCode() != 200) throw new IOException("STOW-RS push: HTTP " + r.statusCode() + " " + r.body());
        return JSON.readTree(r.body());
    }

    void start() throws Exception {
        ProcessBuilder pb = new ProcessBuilder("Orthanc", dir.resolve("orthanc.json").toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("orthanc.log").toFile()));
        pb.environment().put("TCP_NODELAY", "1");
        process = pb.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try {
                get("/system");
                return;
            } catch (IOException e) {
                if (!process.isAlive()) throw new IllegalStateException("Orthanc exited: " + Files.readString(dir.resolve("orthanc.log")));
                if (System.nanoTime() > deadline) throw new IllegalStateException("Orthanc did not answer in 30 s");
                Thread.sleep(100);
            }
        }
    }

    void stop() throws InterruptedException {
        if (process == null) return;
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        process = null;
    }

    JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path)).timeout(Duration.ofSeconds(30)).build());
        if (r.statusCode() != 200) throw new IOException("GET " + path + ": HTTP " + r.statusCode() + " " + r.body());
        return JSON.readTree(r.body());
    }

    /** Orthanc's id of a study by its Study Instance UID, or null. */
    String studyId(String studyUid) throws IOException, InterruptedException {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/tools/lookup"))
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(studyUid)).build());
        for (JsonNode hit : JSON.readTree(r.body())) if (hit.get("Type").asText().equals("Study")) return hit.get("ID").asText();
        return null;
    }

    /**
     * Orthanc closes idle keep-alive connections, and the client may pick one up just as it goes ("header
     * parser received no bytes"); such a request is sent again on a new client, whose connections are fresh.
     */
    private HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        if (authorization != null) request = HttpRequest.newBuilder(request, (name, value) -> true).header("Authorization", authorization).build();
        IOException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            HttpClient client = attempt == 0 ? http : HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            try {
                return client.send(request, HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                last = e;
            }
        }
        throw last;
    }

    /** The instances of a study whose series modality is {@code modality}, as simplified tag maps. */
    List<JsonNode> instances(String studyUid, String modality) throws IOException, InterruptedException {
        List<JsonNode> out = new ArrayList<>();
        String study = studyId(studyUid);
        if (study == null) return out;
        for (JsonNode series : get("/studies/" + study + "/series")) {
            if (!series.path("MainDicomTags").path("Modality").asText().equals(modality)) continue;
            for (JsonNode instance : series.get("Instances")) out.add(get("/instances/" + instance.asText() + "/simplified-tags"));
        }
        return out;
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
