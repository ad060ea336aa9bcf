package org.ctai.srwriter;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.geom.Path2D;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The outlines of a mask: every piece, every hole, along the edges of the boundary pixels. */
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
        // pixel edges: the big square (pixels 2..21) runs from 2 to 22, its hole (pixels 9..14) from 9 to 15
        assertThat(polygon(outlines.get(0)).getBounds2D().getMinX()).isEqualTo(2);
        assertThat(polygon(outlines.get(0)).getBounds2D().getMaxX()).isEqualTo(22);
        assertThat(polygon(outlines.get(1)).getBounds2D().getMinX()).isEqualTo(9);
        assertThat(polygon(outlines.get(1)).getBounds2D().getMaxX()).isEqualTo(15);
        assertThat(polygon(outlines.get(2)).getBounds2D().getMinX()).isEqualTo(30);
        // squares need their four corners only
        assertThat(outlines).allSatisfy(o -> assertThat(o.points()).hasSize(10));
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
    void everyOutlineIsClosedThroughCornersOfLesionPixels() {
        byte[] mask = twoPiecesOneWithAHole();
        for (ContourTracer.Outline o : ContourTracer.outlines(mask, ROWS, COLUMNS)) {
            float[] xy = o.points();
            assertThat(xy[0]).isEqualTo(xy[xy.length - 2]);
            assertThat(xy[1]).isEqualTo(xy[xy.length - 1]);
            for (int i = 0; i < xy.length; i += 2) {
                // PS3.3 C.18.6.1.2: (0,0) is the top left corner of the top left pixel, so a vertex is a pixel corner
                assertThat(xy[i]).isEqualTo((float) Math.rint(xy[i]));
                assertThat(xy[i + 1]).isEqualTo((float) Math.rint(xy[i + 1]));
                int x = (int) xy[i], y = (int) xy[i + 1];
                assertThat(mask[(y - 1) * COLUMNS + x - 1] + mask[(y - 1) * COLUMNS + x] + mask[y * COLUMNS + x - 1]
                        + mask[y * COLUMNS + x]).as("lesion pixels around corner (%d, %d)", x, y).isBetween(1, 3);
            }
        }
    }

    @Test
    void theOutlinesEncloseExactlyTheMasksPixels() {
        // a random blob with diagonal contacts, one-pixel pieces and holes: the even-odd area of its outlines
        // (pieces minus holes, by the shoelace formula) is its pixel count
        java.util.Random random = new java.util.Random(21);
        for (int trial = 0; trial < 20; trial++) {
            byte[] mask = new byte[ROWS * COLUMNS];
            long pixels = 0;
            for (int r = 1; r < ROWS - 1; r++) {
                for (int c = 1; c < COLUMNS - 1; c++) {
                    boolean in = Math.hypot(r - 20, c - 20) < 14 ? random.nextDouble() < 0.8 : random.nextDouble() < 0.05;
                    if (in) {
                        mask[r * COLUMNS + c] = 1;
                        pixels++;
                    }
                }
            }
            double area = 0;
            for (ContourTracer.Outline o : ContourTracer.outlines(mask, ROWS, COLUMNS)) {
                double a = Math.abs(ContourTracer.signedArea(o.points()));
                area += o.hole() ? -a : a;
            }
            assertThat(area).as("trial %d", trial).isEqualTo(pixels);
        }
    }

    @Test
    void diagonallyTouchingPixelsAreOnePiece() {
        byte[] mask = new byte[ROWS * COLUMNS];
        mask[5 * COLUMNS + 5] = 1;
        mask[6 * COLUMNS + 6] = 1;
        mask[7 * COLUMNS + 5] = 1;
        List<ContourTracer.Outline> outlines = ContourTracer.outlines(mask, ROWS, COLUMNS);
        assertThat(outlines).hasSize(1);
        assertThat(Math.abs(ContourTracer.signedArea(outlines.get(0).points()))).isEqualTo(3);
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
