package org.ctai.scp.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomFileUtilities;
import com.pixelmed.dicom.TagFromName;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.ctai.scp.route.Decision;
import org.ctai.scp.route.Pipeline;
import org.ctai.scp.route.Router;
import org.ctai.scp.route.SeriesFacts;

/**
 * {@code ./ctai route PATH... [--calling-ae AE] [--json]}: a dry run of the routing rules on a folder, as the node
 * would decide on receipt. Groups the DICOM files into series by Series Instance UID (headers only, pixels are not
 * read) and prints, per series, which pipelines take it and, for the others, the first rule that failed and why, so
 * an administrator can try rules on a sample exam before going live. Writes nothing.
 */
final class RouteCommand {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Router router;
    private final PrintStream out;
    private final PrintStream err;

    /** Decisions go to {@code out}; files that cannot be read to {@code err}. */
    RouteCommand(List<Pipeline> pipelines, PrintStream out, PrintStream err) {
        this.router = new Router(pipelines);
        this.out = out;
        this.err = err;
    }

    /** A series as found on disk: its instances' headers and the folder of its first file. */
    private record Found(Path folder, List<AttributeList> headers) { }

    /**
     * @param callingAe the AE title to assume as the sender (the {@code callingAe} fact), or empty
     * @return 0 when every file was read, 1 when some could not be (the others are still routed), 2 when no series was found
     */
    int run(List<Path> paths, String callingAe, boolean json) throws IOException {
        Map<String, Found> series = new LinkedHashMap<>();
        int unreadable = 0;
        for (Path f : files(paths)) {
            try {
                AttributeList h = SeriesFacts.header(f);
                String uid = Attribute.getSingleStringValueOrEmptyString(h, TagFromName.SeriesInstanceUID).trim();
                series.computeIfAbsent(uid, u -> new Found(f.getParent(), new ArrayList<>())).headers().add(h);
            } catch (IOException e) {
                unreadable++;
                err.println("route: skipped " + f + ": " + e.getMessage());
            }
        }
        if (series.isEmpty()) {
            err.println("route: no DICOM series under " + paths);
            return 2;
        }
        List<Map<String, Object>> report = new ArrayList<>();
        int taken = 0;
        for (Map.Entry<String, Found> s : series.entrySet()) {
            SeriesFacts facts = SeriesFacts.of(s.getValue().headers(), callingAe);
            List<Decision> decisions = router.route(facts);
            if (decisions.stream().anyMatch(d -> d instanceof Decision.Taken)) taken++;
            if (json) report.add(json(s.getKey(), s.getValue(), facts, decisions));
            else print(s.getKey(), s.getValue(), facts, decisions);
        }
        if (json) out.println(JSON.writeValueAsString(Map.of("series", report)));
        else out.printf("%d series: %d taken by a pipeline, %d by none%n", series.size(), taken, series.size() - taken);
        return unreadable == 0 ? 0 : 1;
    }

    private void print(String uid, Found found, SeriesFacts facts, List<Decision> decisions) {
        out.printf("series %s \"%s\" (%s, %d instance%s) in %s%n", uid, facts.seriesDescription(), facts.modality(),
                facts.instances(), facts.instances() == 1 ? "" : "s", found.folder());
        if (decisions.isEmpty()) out.println("  no pipeline is configured: ignored");
        for (Decision d : decisions) {
            if (d instanceof Decision.Taken t) {
                out.printf("  %s: TAKEN (model %s)%n", t.pipeline().name(), t.pipeline().model().isEmpty() ? "model.file" : t.pipeline().model());
            } else if (d instanceof Decision.NotTaken n) {
                out.printf("  %s: not taken, %s (%s): %s%n", n.pipeline().name(), n.rule().key(), n.rule().text(), n.reason());
            }
        }
        out.println();
    }

    private static Map<String, Object> json(String uid, Found found, SeriesFacts facts, List<Decision> decisions) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("series", uid);
        s.put("description", facts.seriesDescription());
        s.put("modality", facts.modality());
        s.put("instances", facts.instances());
        s.put("folder", found.folder().toString());
        List<Map<String, Object>> ds = new ArrayList<>();
        for (Decision d : decisions) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("pipeline", d.pipeline().name());
            m.put("taken", d instanceof Decision.Taken);
            if (d instanceof Decision.NotTaken n) {
                m.put("rule", n.rule().key());
                m.put("condition", n.rule().text());
                m.put("reason", n.reason());
            }
            ds.add(m);
        }
        s.put("decisions", ds);
        return s;
    }

    /** Files named as given; inside folders only DICOM files (a phantom's PNG masks and truth.json are passed over). */
    private static List<Path> files(List<Path> paths) throws IOException {
        return DicomFolder.of(paths).files();
    }
}
