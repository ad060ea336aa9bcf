package org.ctai.scp.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.ctai.scp.config.ConfigException;
import org.ctai.scp.config.ConfigLoader;
import org.ctai.scp.config.NodeConfig;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Pipelines in the configuration: the shipped one, and every message that stops start-up. */
class PipelineConfigTest {
    private static NodeConfig load(String... cli) {
        return ConfigLoader.withShippedDefaults().load(Optional.empty(), Map.of(), List.of(cli));
    }

    private static String problems(String... cli) {
        try {
            load(cli);
        } catch (ConfigException e) {
            return e.getMessage();
        }
        throw new AssertionError("the configuration was accepted: " + List.of(cli));
    }

    @Test
    void shippedConfigurationHasOnePipelineForTheBundledModel() {
        NodeConfig c = load("--send.destinations=PACS@10.0.0.5:104");
        assertThat(c.pipelines()).hasSize(1);
        Pipeline liver = c.pipelines().get(0);
        assertThat(liver.name()).isEqualTo("liver");
        assertThat(liver.model()).isEmpty();
        assertThat(liver.priority()).isEqualTo(50);
        assertThat(liver.oneSeriesPerStudy()).isEqualTo(Pipeline.SeriesChoice.ALL);
        // names none: its results go to send.destinations as the node runs with it
        assertThat(liver.destinations()).isEmpty();
        assertThat(liver.rules()).extracting(Rule::key).startsWith("pipeline.liver.rule.1", "pipeline.liver.rule.2")
                .endsWith("pipeline.liver.rule.9", "pipeline.liver.rule.10"); // by number, not as text
        Router router = new Router(c.pipelines());
        assertThat(router.taking(Headers.series())).containsExactly(liver);
        assertThat(router.taking(Headers.series("BodyPartExamined="))).containsExactly(liver);
        assertThat(router.taking(Headers.series("BodyPartExamined=ABD_PELVIS"))).containsExactly(liver);
        assertThat(router.taking(Headers.series("BodyPartExamined=HEAD"))).isEmpty();
    }

    @Test
    void aSecondPipelineHasItsOwnDestinationsPriorityAndChoice() {
        NodeConfig c = load("--pipelines=liver,lung", "--pipeline.lung.model=/models/lung.onnx", "--pipeline.lung.priority=70",
                "--pipeline.lung.destinations=LUNGPACS@pacs:11112", "--pipeline.lung.one-series-per-study=thinnest",
                "--pipeline.lung.rule.1=modality = CT and bodyPart in (CHEST, CHESTABDOMEN)");
        Pipeline lung = c.pipelines().stream().filter(p -> p.name().equals("lung")).findFirst().orElseThrow();
        assertThat(lung.model()).isEqualTo("/models/lung.onnx");
        assertThat(lung.destinations()).containsExactly(new NodeConfig.AeDestination("LUNGPACS", "pacs", 11112));
        assertThat(lung.oneSeriesPerStudy()).isEqualTo(Pipeline.SeriesChoice.THINNEST);
        assertThat(new Router(c.pipelines()).pipelines()).extracting(Pipeline::name).containsExactly("lung", "liver");
    }

    @Test
    void anEmptyRuleDropsAShippedRule() {
        NodeConfig c = load("--pipeline.liver.rule.3=");
        assertThat(c.pipelines().get(0).rules()).extracting(Rule::key).doesNotContain("pipeline.liver.rule.3").hasSize(9);
        assertThat(new Router(c.pipelines()).taking(Headers.series("BodyPartExamined=HEAD"))).hasSize(1);
    }

    /** Each syntax error names the pipeline, the key, the character and what was expected there. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
            "modality = CT and bodypartt = X              | 19 | unknown fact 'bodypartt' (known: modality, sopClass",
            "modality == CT                               | 11 | expected a value for modality, found '='",
            "modality = CT and                            | 18 | expected a fact",
            "modality CT                                  | 10 | expected an operator after modality",
            "modality = CT bodyPart = HEAD                | 15 | expected 'and', 'or' or the end of the rule, found 'bodyPart'",
            "(modality = CT                               | 15 | expected ')' to close the parenthesis, found the end of the rule",
            "modality = CT & bodyPart = HEAD              | 15 | unexpected character '&'",
            "seriesDescription like \"abd*                | 24 | a quoted value is not closed",
            "bodyPart not = HEAD                          | 14 | expected 'in', 'contains' or 'like' after 'not', found '='",
            "bodyPart in HEAD                             | 13 | expected '(' to start the list of values after 'in', found 'HEAD'",
            "bodyPart in (HEAD, BRAIN                     | 25 | expected ')' or ',' in the list, found the end of the rule",
            "bodyPart in ()                               | 14 | expected a value for bodyPart, found ')'",
            "imageType = LOCALIZER                        | 11 | imageType holds several values per instance: use contains",
            "modality in 1..5                             | 13 | expected '(' to start the list of values after 'in'",
            "bodyPart contains ABD                        | 10 | bodyPart holds one value: use like",
            "sliceThickness like \"5*\"                   | 16 | sliceThickness is a number",
            "sliceThickness < thin                        | 18 | expected a number after '<', found 'thin'",
            "sliceThickness in 6..0.5                     | 19 | the range 6..0.5 is empty (low above high)",
            "sliceThickness in 0.5 6                      | 23 | expected '..' in a range such as 0.5..6, found '6'",
            "sliceThickness = five                        | 18 | expected a number for sliceThickness, found 'five'",
            "sopClass = CtImage                           | 12 | unknown SOP class 'CtImage'",
            "sopClass like \"1.2*\"                       | 10 | sopClass compares UIDs",
            "orientation = axial                          | 13 | expected 'axial' after orientation",
            "orientation axial 5                          | 19 | expected 'within' after 'orientation axial', found '5'",
            "orientation axial within 95                  | 26 | within takes 0 to 90 degrees, was 95",
            "orientation axial within 5 tilt -1           | 33 | tilt takes 0 to 90 degrees, was -1",
            "orientation axial within five                | 26 | expected degrees after 'within', found 'five'",
            "not                                          | 4  | expected a fact",
    })
    void syntaxErrorStopsStartUpNamingPipelineKeyAndPosition(String rule, int position, String message) {
        String problems = problems("--pipeline.liver.rule.4=" + rule.strip());
        assertThat(problems).contains("pipeline liver: pipeline.liver.rule.4 at character " + position + ": " + message);
        // the rule and a caret under the character
        assertThat(problems).contains("\n    " + rule.strip() + "\n    " + " ".repeat(position - 1) + "^");
    }

    @Test
    void aUidIsReadAsOneValueNotAsNumbers() {
        assertThat(problems("--pipeline.liver.rule.1=sopClass = 1.2.840.10008.5.1.4.1.1.2 or")).contains("at character 40: expected a fact");
    }

    @Test
    void pipelineSettingsAreCheckedAndNamed() {
        String p = problems("--pipeline.liver.priority=high", "--pipeline.liver.one-series-per-study=best",
                "--pipeline.liver.destinations=PACS@host", "--pipeline.liver.colour=red", "--pipeline.lung.rule.1=modality = CT",
                "--pipeline.liver=x", "--pipeline.liver.study-wait-seconds=soon");
        assertThat(p).contains("pipeline.liver.priority must be a whole number from 0 to 1000, was high")
                .contains("pipeline.liver.one-series-per-study must be all, thinnest, thickest or most-slices, was best")
                .contains("pipeline.liver.destinations entry must be AE@host:port, was PACS@host")
                .contains("pipeline.liver.study-wait-seconds must be a number of seconds from 0 to 86400, was soon")
                .contains("unknown key pipeline.liver.colour (a pipeline takes rule.<n>, model, priority, destinations, one-series-per-study, study-wait-seconds)")
                .contains("pipeline.lung.rule.1 belongs to pipeline lung, which pipelines (liver) does not list")
                .contains("unknown key pipeline.liver (pipeline keys are pipeline.<name>.rule.<n>");
    }

    @Test
    void pipelineNamesAreCheckedAndAPipelineWithoutRulesIsRefused() {
        assertThat(problems("--pipelines=liver,Lung!,liver")).contains("pipelines must name pipelines of a-z, 0-9 and - (up to 32), was Lung!")
                .contains("pipelines names liver twice");
        assertThat(problems("--pipelines=liver,lung", "--pipeline.lung.priority=10"))
                .contains("pipeline lung has no rule (pipeline.lung.rule.1 = ...): it would take every series");
    }

    @Test
    void theShippedPipelineLeftOutOfPipelinesIsOffAndNoPipelineAtAllIsAllowed() {
        assertThat(load("--pipelines=").pipelines()).isEmpty();
        NodeConfig c = load("--pipelines=lung", "--pipeline.lung.rule.1=bodyPart = CHEST");
        assertThat(c.pipelines()).extracting(Pipeline::name).containsExactly("lung");
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        String p = problems("--pipeline.liver.rule.1=modality = ", "--pipeline.liver.rule.2=sopClass = Nope", "--dicom.port=70000");
        assertThat(p).contains("pipeline.liver.rule.1 at character").contains("pipeline.liver.rule.2 at character")
                .contains("dicom.port must be");
    }
}
