package org.ctai.inference.measure;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.ctai.inference.series.Geometry;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.ctai.inference.measure.SyntheticSeries.*;

class MeasurementRunTest {

    private final Geometry geometry = axial(40, 40, 0.9, 0.9, 6, 2.0);

    /** Lesions on slices 1-2 and 4; slices 0, 3 and 5 are empty. */
    private List<byte[]> masks() {
        List<byte[]> masks = new ArrayList<>();
        for (int z = 0; z < 6; z++) {
            masks.add(switch (z) {
                case 1, 2 -> disk(geometry, 12.3, 12.7, 6);
                case 4 -> disk(geometry, 25.2, 24.9, 5);
                default -> empty(geometry);
            });
        }
        return masks;
    }

    /** HU that differ per slice and pixel, so any mix-up of slices shows. */
    private short[] hu(int slice) {
        short[] values = new short[40 * 40];
        for (int i = 0; i < values.length; i++) values[i] = (short) (slice * 100 - 300 + (i * 7) % 50);
        return values;
    }

    @Test
    void asksOnlyForTheSlicesThatHoldLesions() {
        MeasurementRun run = new LesionMeasurer().start(geometry, Double.NaN, masks());

        assertThat(run.slicesNeedingHu()).containsExactly(1, 2, 4);
        assertThat(run.lesionCount()).isEqualTo(2);
    }

    @Test
    void huFedInBatchesAndInAnyOrderGiveTheSameLesionsAsPulledOneByOne() {
        List<Lesion> pulled = new LesionMeasurer().measure(geometry, Double.NaN, masks(), this::hu);
        MeasurementRun run = new LesionMeasurer().start(geometry, Double.NaN, masks());
        for (int z : new int[] {5, 4, 3}) run.addHu(z, hu(z)); // a later batch first, empty slices included
        for (int z : new int[] {2, 1, 0}) run.addHu(z, hu(z));

        assertThat(run.finish()).isEqualTo(pulled);
        assertThat(pulled.get(0).firstSlice()).isEqualTo(1);
        assertThat(pulled.get(0).lastSlice()).isEqualTo(2);
        assertThat(pulled.get(1).firstSlice()).isEqualTo(4);
    }

    @Test
    void finishingBeforeAllLesionSlicesHaveHuNamesTheMissingSlices() {
        MeasurementRun run = new LesionMeasurer().start(geometry, Double.NaN, masks());
        run.addHu(2, hu(2));

        assertThatThrownBy(run::finish).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("2 slice(s)").hasMessageContaining("1, 4");
    }

    @Test
    void theSameSliceTwiceOrAWrongSizeIsRefused() {
        MeasurementRun run = new LesionMeasurer().start(geometry, Double.NaN, masks());
        run.addHu(1, hu(1));

        assertThatThrownBy(() -> run.addHu(1, hu(1))).isInstanceOf(IllegalStateException.class).hasMessageContaining("slice 1");
        assertThatThrownBy(() -> run.addHu(2, new short[10])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("10 values").hasMessageContaining("1600");
        assertThatThrownBy(() -> run.addHu(6, hu(1))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0..5");
    }

    @Test
    void lesionsSerialiseToJsonWithUnitsInTheNamesAndReadBack() throws Exception {
        List<Lesion> lesions = new LesionMeasurer().measure(geometry, Double.NaN, masks(), this::hu);
        ObjectMapper json = new ObjectMapper();
        String text = json.writeValueAsString(lesions);
        JsonNode first = json.readTree(text).get(0);

        assertThat(first.has("volumeMm3")).isTrue();
        assertThat(first.has("volumeMl")).isTrue();
        assertThat(first.get("centroidMm").has("x")).isTrue();
        assertThat(first.get("hu").has("meanHu")).isTrue();
        JsonNode slice = first.get("slices").get(0);
        assertThat(slice.has("areaMm2")).isTrue();
        assertThat(slice.has("perimeterMm")).isTrue();
        assertThat(slice.get("texture").has("inverseDifferenceMoment")).isTrue();
        Lesion back = json.readValue(json.writeValueAsString(lesions.get(0)), Lesion.class);
        assertThat(back).isEqualTo(lesions.get(0));
    }
}
