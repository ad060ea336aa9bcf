package org.ctai.srwriter;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.geom.Path2D;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The outlines of a mask: every piece, every hole, through the centres of the boundary pixels. */
class ContourTracerTest {

    static final int ROWS = 40, COLUMNS = 40;

    /** A 20 x 20 square with a 6 x 6 hole, and a separate 5 x 5 square. */
    static byte[] twoPiecesOneWithAHole() {
        byte[] mask = new byte[ROWS * COLUMNS];
        fill(mask, 2, 2, 22, 22, (byte) 1);
        fill(mask, 9, 9, 15, 15, (byte) 0);
        fill(mask, 30, 30, 35, 35, (byte) 1);
        return mask;
    }

    static void fill(byte[] mask, int row0, int column0, int row1, int column1, byte value) {
        for (int r = row0; r < row1; r++) for (int c = column0; c < column1; c++) mask[r * COLUMNS + c] = value;
    }

    @Test
    void givesEveryPieceAndItsHolesLargestPieceFirst() {
        List<ContourTracer.Outline> outlines = ContourTracer.outlines(twoPiecesOneWithAHole(), ROWS, COLUMNS);
        assertThat(outlines).extracting(ContourTracer.Outline::hole).containsExactly(false, true, false);
        // pixel centres: the big square's boundary runs from 2.5 to 21.5, the hole's from 8.5 to 15.5
        assertThat(polygon(outlines.get(0)).getBounds2D().getMinX()).isEqualTo(2.5);
        assertThat(polygon(outlines.get(0)).getBounds2D().getMaxX()).isEqualTo(21.5);
        assertThat(polygon(outlines.get(1)).getBounds2D().getMinX()).isEqualTo(8.5);
        assertThat(polygon(outlines.get(1)).getBounds2D().getMaxX()).isEqualTo(15.5);
        assertThat(polygon(outlines.get(2)).getBounds2D().getMinX()).isEqualTo(30.5);
    }

    @Test
    void evenOddInsideOfTheOutlinesIsTheMaskAwayFromTheBoundary() {
        List<ContourTracer.Outline> outlines = ContourTracer.outlines(twoPiecesOneWithAHole(), ROWS, COLUMNS);
        // centre of the hole: inside the big square and inside the hole, so outside the lesion
        assertThat(insideCount(outlines, 12, 12)).isEqualTo(2);
        // between square and hole: lesion
        assertThat(insideCount(outlines, 5, 5)).isEqualTo(1);
        // the small piece
        assertThat(insideCount(outlines, 32, 32)).isEqualTo(1);
        assertThat(insideCount(outlines, 27, 27)).isZero();
    }

    @Test
    void everyOutlineIsClosedThroughLesionOrHoleBorderPixels() {
        byte[] mask = twoPiecesOneWithAHole();
        for (ContourTracer.Outline o : ContourTracer.outlines(mask, ROWS, COLUMNS)) {
            float[] xy = o.points();
            assertThat(xy[0]).isEqualTo(xy[xy.length - 2]);
            assertThat(xy[1]).isEqualTo(xy[xy.length - 1]);
            for (int i = 0; i < xy.length; i += 2) {
                assertThat(mask[(int) (xy[i + 1] - 0.5) * COLUMNS + (int) (xy[i] - 0.5)]).isEqualTo((byte) 1);
            }
        }
    }

    @Test
    void anEmptyMaskHasNoOutline() {
        assertThat(ContourTracer.outlines(new byte[ROWS * COLUMNS], ROWS, COLUMNS)).isEmpty();
    }

    static int insideCount(List<ContourTracer.Outline> outlines, double x, double y) {
        int n = 0;
        for (ContourTracer.Outline o : outlines) if (polygon(o).contains(x, y)) n++;
        return n;
    }

    static Path2D polygon(ContourTracer.Outline o) {
        float[] xy = o.points();
        Path2D.Double p = new Path2D.Double();
        p.moveTo(xy[0], xy[1]);
        for (int i = 2; i < xy.length; i += 2) p.lineTo(xy[i], xy[i + 1]);
        p.closePath();
        return p;
    }
}
