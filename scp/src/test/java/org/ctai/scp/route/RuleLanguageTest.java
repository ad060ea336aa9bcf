package org.ctai.scp.route;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Every operator of the routing language, over series whose instances agree and series whose instances do not. */
class RuleLanguageTest {
    private static final SeriesFacts ABDOMEN = Headers.series();

    private static Optional<String> failure(String rule, SeriesFacts facts) {
        try {
            return Rule.parse("pipeline.test.rule.1", rule).failure(facts);
        } catch (RuleSyntaxException e) {
            throw new AssertionError(rule + ": " + e.getMessage(), e);
        }
    }

    private static boolean holds(String rule, SeriesFacts facts) {
        return failure(rule, facts).isEmpty();
    }

    /** Two instances that disagree on {@code pair}'s attribute: the second has {@code pair}. */
    private static SeriesFacts mixed(String pair) {
        return SeriesFacts.of(List.of(Headers.instance("ImagePositionPatient=0\\0\\0"), Headers.instance(pair, "ImagePositionPatient=0\\0\\5")), "");
    }

    @Test
    void equalIsCaseInsensitiveAndNeedsEveryInstance() {
        assertThat(holds("modality = CT", ABDOMEN)).isTrue();
        assertThat(holds("modality = ct", ABDOMEN)).isTrue();
        assertThat(failure("modality = MR", ABDOMEN)).contains("modality is CT, not MR");
        assertThat(failure("modality = CT", mixed("Modality=MR"))).contains("modality is MR, not CT");
        assertThat(failure("bodyPart = ABDOMEN", Headers.series("BodyPartExamined="))).contains("bodyPart absent, not ABDOMEN");
    }

    @Test
    void notEqualNeedsNoInstanceToHaveTheValue() {
        assertThat(holds("modality != MR", ABDOMEN)).isTrue();
        assertThat(failure("modality != CT", ABDOMEN)).contains("modality is CT");
        assertThat(holds("modality != CT", mixed("Modality=MR"))).isFalse();
        assertThat(holds("bodyPart != HEAD", Headers.series("BodyPartExamined="))).isTrue();
    }

    @Test
    void oneOfAndNotOneOf() {
        assertThat(holds("bodyPart in (CHEST, abdomen)", ABDOMEN)).isTrue();
        assertThat(failure("bodyPart in (HEAD, BRAIN)", ABDOMEN)).contains("bodyPart is ABDOMEN, not one of (HEAD, BRAIN)");
        assertThat(holds("bodyPart not in (HEAD, BRAIN)", ABDOMEN)).isTrue();
        assertThat(failure("bodyPart not in (HEAD, ABDOMEN)", ABDOMEN)).contains("bodyPart is ABDOMEN, one of (HEAD, ABDOMEN)");
        assertThat(holds("bodyPart not in (HEAD)", mixed("BodyPartExamined=HEAD"))).isFalse();
    }

    @Test
    void containsAndNotContainsLookAtEveryValueOfEveryInstance() {
        assertThat(holds("imageType contains primary", ABDOMEN)).isTrue();
        assertThat(failure("imageType contains LOCALIZER", ABDOMEN)).contains("imageType is ORIGINAL\\PRIMARY\\AXIAL, without LOCALIZER");
        SeriesFacts localizer = Headers.series(2, "ImageType=ORIGINAL\\PRIMARY\\LOCALIZER");
        assertThat(failure("imageType not contains LOCALIZER", localizer)).contains("imageType contains LOCALIZER (ORIGINAL\\PRIMARY\\LOCALIZER)");
        // one localizer among axial slices is enough to keep the series out
        assertThat(holds("imageType not contains LOCALIZER", mixed("ImageType=ORIGINAL\\PRIMARY\\LOCALIZER"))).isFalse();
        assertThat(holds("kernel contains B30F", ABDOMEN)).isTrue();
    }

    @Test
    void likeIsACaseInsensitiveWholeValuePatternWithStarAndQuestionMark() {
        assertThat(holds("seriesDescription like \"*5MM\"", ABDOMEN)).isTrue();
        assertThat(holds("studyDescription like \"ct abd*\"", ABDOMEN)).isTrue();
        assertThat(holds("kernel contains B30f and protocolName like \"ABDOMEN ??\"", ABDOMEN)).isTrue();
        assertThat(failure("seriesDescription like \"*dose*\"", ABDOMEN)).contains("seriesDescription is Abdomen 5mm, not like \"*dose*\"");
        assertThat(holds("seriesDescription not like \"*dose*\"", ABDOMEN)).isTrue();
        assertThat(failure("seriesDescription not like \"abd*\"", ABDOMEN)).contains("seriesDescription is Abdomen 5mm, like \"abd*\"");
        // regular-expression characters are literal
        assertThat(holds("seriesDescription like \"Abdomen.5mm\"", ABDOMEN)).isFalse();
    }

    @Test
    void rangesAndComparisonsAreNumeric() {
        assertThat(holds("sliceThickness in 0.5..6", ABDOMEN)).isTrue();
        assertThat(failure("sliceThickness in 0.5..3", ABDOMEN)).contains("sliceThickness is 5, outside 0.5..3");
        assertThat(failure("sliceThickness in 0.5..6", Headers.series("SliceThickness="))).contains("sliceThickness absent, outside 0.5..6");
        assertThat(holds("sliceThickness = 5.0", ABDOMEN)).isTrue();
        assertThat(holds("slices >= 20 and slices <= 20 and slices > 19 and slices < 21", ABDOMEN)).isTrue();
        assertThat(failure("slices >= 21", ABDOMEN)).contains("slices is 20, not >= 21");
        assertThat(holds("instances = 20", ABDOMEN)).isTrue();
        // both pixel spacing values must be in range
        assertThat(failure("pixelSpacing in 0.5..1", Headers.series("PixelSpacing=0.75\\1.2"))).contains("pixelSpacing is 0.75\\1.2, outside 0.5..1");
        assertThat(holds("sliceThickness in -1..10", ABDOMEN)).isTrue();
    }

    @Test
    void presentAndAbsent() {
        assertThat(holds("contrast present", ABDOMEN)).isTrue();
        assertThat(failure("contrast absent", ABDOMEN)).contains("contrast present (IOPAMIDOL)");
        SeriesFacts plain = Headers.series("ContrastBolusAgent=");
        assertThat(holds("contrast absent", plain)).isTrue();
        assertThat(failure("contrast present", plain)).contains("contrast absent");
        assertThat(holds("contrast absent", mixed("ContrastBolusAgent="))).isFalse();
        assertThat(holds("contrast present", mixed("ContrastBolusAgent="))).isFalse();
    }

    @Test
    void andBindsTighterThanOrAndParenthesesAndNotChangeThat() {
        assertThat(holds("modality = MR and bodyPart = HEAD or modality = CT", ABDOMEN)).isTrue();
        assertThat(holds("modality = MR and (bodyPart = HEAD or modality = CT)", ABDOMEN)).isFalse();
        assertThat(holds("not modality = MR", ABDOMEN)).isTrue();
        assertThat(holds("NOT (modality = CT AND bodyPart = ABDOMEN)", ABDOMEN)).isFalse();
    }

    @Test
    void theReasonIsTheFirstFailingConditionInWords() {
        assertThat(failure("modality = CT and sliceThickness < 3 and bodyPart = HEAD", ABDOMEN)).contains("sliceThickness is 5, not < 3");
        assertThat(failure("bodyPart absent or bodyPart in (LIVER)", ABDOMEN))
                .contains("bodyPart present (ABDOMEN), and bodyPart is ABDOMEN, not one of (LIVER)");
        assertThat(failure("not (imageType contains AXIAL)", ABDOMEN)).contains("imageType contains AXIAL (imageType is ORIGINAL\\PRIMARY\\AXIAL)");
    }

    @Test
    void sopClassIsWrittenAsKeywordOrUidAndReportedByKeyword() {
        assertThat(holds("sopClass = CTImageStorage", ABDOMEN)).isTrue();
        assertThat(holds("sopClass in (1.2.840.10008.5.1.4.1.1.2, EnhancedCTImageStorage)", ABDOMEN)).isTrue();
        SeriesFacts dose = Headers.series(1, "SOPClassUID=1.2.840.10008.5.1.4.1.1.7");
        assertThat(failure("sopClass = CTImageStorage", dose)).contains("sopClass is SecondaryCaptureImageStorage, not CTImageStorage");
    }

    @Test
    void axialWithinDegreesSetsAsideAGantryTiltOnlyWhenAllowed() {
        SeriesFacts tilted = Headers.series("ImageOrientationPatient=1\\0\\0\\0\\0.948324\\-0.317305");
        assertThat(holds("orientation axial within 1", ABDOMEN)).isTrue();
        assertThat(failure("orientation axial within 5", tilted)).contains("orientation not axial within 5 (tilt 18.5, obliquity 0 degrees)");
        assertThat(holds("orientation axial within 5 tilt 20", tilted)).isTrue();
        assertThat(holds("orientation axial within 5 tilt 15", tilted)).isTrue(); // 3.5 degrees left after 15 of tilt
        assertThat(holds("orientation axial within 3 tilt 15", tilted)).isFalse();
        assertThat(holds("tilt in 18..19 and obliquity < 0.1", tilted)).isTrue();
        SeriesFacts coronal = Headers.series(2, "ImageOrientationPatient=1\\0\\0\\0\\0\\-1");
        assertThat(failure("orientation axial within 5 tilt 30", coronal)).contains("orientation not axial within 5 tilt 30 (tilt 90, obliquity 0 degrees)");
        SeriesFacts oblique = Headers.series("ImageOrientationPatient=0.9962\\0\\-0.0872\\0\\1\\0"); // 5 degrees about y: no tilt explains it
        assertThat(holds("orientation axial within 4 tilt 30", oblique)).isFalse();
        assertThat(holds("orientation axial within 6", oblique)).isTrue();
        assertThat(failure("orientation axial within 5", Headers.series("ImageOrientationPatient="))).contains("orientation not axial within 5 (absent)");
    }

    @Test
    void quotedValuesHoldSpacesAndKeywords() {
        assertThat(holds("seriesDescription = \"Abdomen 5mm\"", ABDOMEN)).isTrue();
        assertThat(holds("seriesDescription in (\"and\", \"abdomen 5MM\")", ABDOMEN)).isTrue();
    }

    @Test
    void anEmptyRuleIsRefused() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Rule.parse("pipeline.test.rule.1", "   "))
                .isInstanceOf(RuleSyntaxException.class).hasMessage("at character 1: the rule is empty");
    }

    @Test
    void callingAeIsAFactOfTheSeries() {
        assertThat(holds("callingAe = MODALITY1", ABDOMEN)).isTrue();
        assertThat(holds("callingAe absent", SeriesFacts.of(List.of(Headers.instance()), ""))).isTrue();
    }

    @Test
    void slicesCountDistinctPositionsAndInstancesCountFiles() {
        SeriesFacts twice = SeriesFacts.of(List.of(Headers.instance("ImagePositionPatient=0\\0\\0"), Headers.instance("ImagePositionPatient=0\\0\\0")), "");
        assertThat(holds("instances = 2 and slices = 1", twice)).isTrue();
    }

    @Test
    void routerAnswersPerPipelineHighestPriorityFirstWithTheFirstFailingRule() throws Exception {
        Pipeline liver = new Pipeline("liver", "", List.of(Rule.parse("pipeline.liver.rule.1", "modality = CT"),
                Rule.parse("pipeline.liver.rule.2", "imageType not contains LOCALIZER")), List.of(), 50, Pipeline.SeriesChoice.ALL);
        Pipeline lung = new Pipeline("lung", "lung.onnx", List.of(Rule.parse("pipeline.lung.rule.1", "bodyPart = CHEST")), List.of(), 60,
                Pipeline.SeriesChoice.THINNEST);
        Router router = new Router(List.of(liver, lung));

        List<Decision> decisions = router.route(ABDOMEN);
        assertThat(decisions).extracting(d -> d.pipeline().name()).containsExactly("lung", "liver");
        assertThat(decisions.get(0)).isInstanceOfSatisfying(Decision.NotTaken.class, n -> {
            assertThat(n.rule().key()).isEqualTo("pipeline.lung.rule.1");
            assertThat(n.reason()).isEqualTo("bodyPart is ABDOMEN, not CHEST");
        });
        assertThat(decisions.get(1)).isInstanceOf(Decision.Taken.class);
        assertThat(router.taking(ABDOMEN)).containsExactly(liver);
        Decision localizer = router.route(Headers.series(2, "ImageType=ORIGINAL\\PRIMARY\\LOCALIZER")).get(1);
        assertThat(localizer).hasToString("liver: not taken, pipeline.liver.rule.2 (imageType not contains LOCALIZER): "
                + "imageType contains LOCALIZER (ORIGINAL\\PRIMARY\\LOCALIZER)");
    }
}
