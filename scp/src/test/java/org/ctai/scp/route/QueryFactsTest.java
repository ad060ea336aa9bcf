package org.ctai.scp.route;

import static org.assertj.core.api.Assertions.assertThat;

import com.pixelmed.dicom.AttributeList;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Routing on a C-FIND answer before retrieval (SeriesFacts.fromQuery): the rules exclude a series only on what the PACS
 * said; a rule that reads a fact the answer does not hold, or holds empty, holds.
 */
class QueryFactsTest {
    /** The shipped liver pipeline's rules (conf/ctai.conf). */
    private static final List<String> LIVER = List.of("modality = CT", "sopClass = CTImageStorage",
            "bodyPart absent or bodyPart in (ABDOMEN, ABDOMENPELVIS, CHESTABDOMEN, CHESTABDPELVIS, CHEST_TO_PELVIS, LIVER) or bodyPart like \"ABD*\"",
            "imageType not contains LOCALIZER",
            "imageType not contains DERIVED and imageType not contains SECONDARY and imageType not contains REFORMATTED",
            "imageType contains ORIGINAL and imageType contains PRIMARY", "orientation axial within 5", "sliceThickness in 0.5..6",
            "slices in 8..2000", "pixelSpacing in 0.3..2");

    private static Router router(List<String> texts) throws RuleSyntaxException {
        List<Rule> rules = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) rules.add(Rule.parse("pipeline.liver.rule." + (i + 1), texts.get(i)));
        return new Router(List.of(new Pipeline("liver", "", rules, List.of(), 50, Pipeline.SeriesChoice.ALL)));
    }

    /** A SERIES level answer holding only what a minimal PACS returns, plus {@code pairs}. */
    private static AttributeList answer(String... pairs) {
        List<String> all = new ArrayList<>(List.of("SOPClassUID=", "ImageType=", "BodyPartExamined=", "StudyDescription=", "SeriesDescription=",
                "ProtocolName=", "ConvolutionKernel=", "SliceThickness=", "PixelSpacing=", "ImageOrientationPatient=", "ContrastBolusAgent="));
        all.addAll(List.of(pairs));
        return Headers.instance(all.toArray(String[]::new));
    }

    @Test
    void aMinimalAnswerIsTakenByEveryRuleItCannotJudge() throws Exception {
        SeriesFacts facts = SeriesFacts.fromQuery(answer("NumberOfSeriesRelatedInstances=120"), "PACS");
        assertThat(router(LIVER).route(facts)).extracting(Object::toString).containsExactly("liver: taken");
        assertThat(facts.instances()).isEqualTo(120);
    }

    @Test
    void anEmptyValueIsUnknownNotAbsent() throws Exception {
        SeriesFacts facts = SeriesFacts.fromQuery(answer("BodyPartExamined="), "PACS");
        assertThat(router(List.of("bodyPart present")).taking(facts)).hasSize(1);
        assertThat(router(List.of("bodyPart absent")).taking(facts)).hasSize(1);
    }

    @Test
    void whatThePacsDidSayExcludes() throws Exception {
        assertThat(router(LIVER).route(SeriesFacts.fromQuery(answer("BodyPartExamined=HEAD"), "PACS")).get(0).toString())
                .contains("pipeline.liver.rule.3").contains("HEAD");
        assertThat(router(LIVER).route(SeriesFacts.fromQuery(answer("ImageType=ORIGINAL\\PRIMARY\\LOCALIZER"), "PACS")).get(0).toString())
                .contains("pipeline.liver.rule.4");
        assertThat(router(LIVER).taking(SeriesFacts.fromQuery(answer("Modality=MR"), "PACS"))).isEmpty();
        assertThat(router(LIVER).taking(SeriesFacts.fromQuery(answer("SliceThickness=10"), "PACS"))).isEmpty();
    }

    @Test
    void instancesComeFromTheRelatedInstancesCountAndSlicesStayUnknown() throws Exception {
        SeriesFacts two = SeriesFacts.fromQuery(answer("NumberOfSeriesRelatedInstances=2"), "PACS");
        assertThat(router(List.of("instances >= 8")).taking(two)).isEmpty();
        assertThat(router(List.of("slices in 8..2000")).taking(two)).hasSize(1);
        assertThat(router(List.of("instances >= 8")).taking(SeriesFacts.fromQuery(answer(), "PACS"))).hasSize(1);
    }

    @Test
    void aRuleReadingAnUnknownFactHoldsEvenBesideAKnownOne() throws Exception {
        SeriesFacts facts = SeriesFacts.fromQuery(answer("Modality=MR"), "PACS");
        // conservative: one unknown fact in a rule makes the whole rule hold, so nothing is excluded on a guess
        assertThat(router(List.of("modality = CT and bodyPart = ABDOMEN")).taking(facts)).hasSize(1);
    }

    @Test
    void factsReadFromHeadersAreAllKnownAsBefore() throws Exception {
        SeriesFacts facts = Headers.series("BodyPartExamined=");
        assertThat(router(List.of("bodyPart present")).taking(facts)).isEmpty();
        assertThat(router(List.of("bodyPart absent")).taking(facts)).hasSize(1);
    }
}
