package org.ctai.srwriter;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.TransferSyntax;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.ctai.inference.model.ModelConfig;
import org.ctai.inference.segment.Segmenter;
import org.ctai.inference.SeriesAnalyzer;
import org.ctai.inference.SeriesAnalyzer.Analysis;
import org.ctai.inference.series.SeriesLoader;
import org.ctai.inference.series.Volume;
import org.ctai.inference.measure.LesionMeasurer;
import org.ctai.inference.phantom.Phantom;
import org.ctai.inference.phantom.PhantomFiles;
import org.ctai.inference.phantom.PhantomGenerator;
import org.ctai.inference.phantom.PhantomSpec;

/**
 * A synthetic CT series written as DICOM, loaded and analysed the way the node does it (real default model, real
 * measurer), for tests that need a real {@link Analysis}. The patient name is Chinese so that every object built
 * from it must carry it through ISO_IR 192.
 */
record AnalysedPhantom(Phantom phantom, PhantomFiles files, Analysis analysis, Segmenter segmenter) {

    /** A Chinese person name, family^given, as a hospital in China registers it. */
    static final String CHINESE_PATIENT_NAME = "王^小明";

    /** Generates the phantom under {@code dir}, analyses it; the caller closes {@link #segmenter()}. */
    static AnalysedPhantom create(long seed, int tumours, Path dir) throws Exception {
        PhantomSpec spec = PhantomSpec.of(seed).withSize(256).withSlices(10).withTumours(tumours)
                .withPatient(CHINESE_PATIENT_NAME, "CTAI-" + seed);
        Phantom phantom = PhantomGenerator.generate(spec);
        PhantomFiles files = PhantomGenerator.write(phantom, dir);
        Volume volume = new SeriesLoader().load(List.of(files.directory().resolve("dicom")), phantom.seriesInstanceUid())
                .volumeOrThrow();
        Segmenter segmenter = Segmenter.open(ModelConfig.defaults());
        Analysis analysis = new SeriesAnalyzer(segmenter, new LesionMeasurer()).analyze(volume);
        return new AnalysedPhantom(phantom, files, analysis, segmenter);
    }

    static Path save(AttributeList list, Path file) throws Exception {
        Files.createDirectories(file.getParent());
        list.write(file.toFile(), TransferSyntax.ExplicitVRLittleEndian, true, true);
        return file;
    }
}
