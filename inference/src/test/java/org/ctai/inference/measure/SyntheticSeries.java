package org.ctai.inference.measure;

import org.ctai.inference.series.Geometry;
import org.ctai.inference.series.Vector3;

import java.util.ArrayList;
import java.util.List;

/**
 * Test series drawn in millimetres: in-plane coordinates are {@code x = column * columnSpacing} and
 * {@code y = row * rowSpacing}; a pixel is inside a shape when its centre is.
 */
final class SyntheticSeries {

    static final Vector3 ORIGIN = new Vector3(-120.5, -90.25, 35.0);
    static final Vector3 ROW_DIRECTION = new Vector3(1, 0, 0);
    static final Vector3 COLUMN_DIRECTION = new Vector3(0, 1, 0);

    private SyntheticSeries() {
    }

    /** Axial slices stacked along +z from {@link #ORIGIN}. */
    static Geometry axial(int rows, int columns, double rowSpacingMm, double columnSpacingMm, int slices,
                          double sliceSpacingMm) {
        List<Vector3> positions = new ArrayList<>();
        for (int z = 0; z < slices; z++) positions.add(ORIGIN.plus(new Vector3(0, 0, z * sliceSpacingMm)));
        return new Geometry(rows, columns, rowSpacingMm, columnSpacingMm, ROW_DIRECTION, COLUMN_DIRECTION, positions);
    }

    /** Ellipse with semi-axes {@code aMm} along x and {@code bMm} along y. */
    static byte[] ellipse(Geometry g, double centreXMm, double centreYMm, double aMm, double bMm) {
        byte[] mask = new byte[g.rows() * g.columns()];
        for (int r = 0; r < g.rows(); r++) {
            for (int c = 0; c < g.columns(); c++) {
                double dx = (c * g.columnSpacingMm() - centreXMm) / aMm;
                double dy = (r * g.rowSpacingMm() - centreYMm) / bMm;
                if (dx * dx + dy * dy <= 1) mask[r * g.columns() + c] = 1;
            }
        }
        return mask;
    }

    /** Ellipse with semi-axes {@code aMm} and {@code bMm}, its {@code a} axis turned {@code degrees} from x towards y. */
    static byte[] rotatedEllipse(Geometry g, double centreXMm, double centreYMm, double aMm, double bMm, double degrees) {
        double cos = Math.cos(Math.toRadians(degrees)), sin = Math.sin(Math.toRadians(degrees));
        byte[] mask = new byte[g.rows() * g.columns()];
        for (int r = 0; r < g.rows(); r++) {
            for (int c = 0; c < g.columns(); c++) {
                double x = c * g.columnSpacingMm() - centreXMm, y = r * g.rowSpacingMm() - centreYMm;
                double along = (x * cos + y * sin) / aMm, across = (-x * sin + y * cos) / bMm;
                if (along * along + across * across <= 1) mask[r * g.columns() + c] = 1;
            }
        }
        return mask;
    }

    static byte[] disk(Geometry g, double centreXMm, double centreYMm, double radiusMm) {
        return ellipse(g, centreXMm, centreYMm, radiusMm, radiusMm);
    }

    /** Pixels in {@code a} but not in {@code b}. */
    static byte[] minus(byte[] a, byte[] b) {
        byte[] out = a.clone();
        for (int i = 0; i < out.length; i++) if (b[i] != 0) out[i] = 0;
        return out;
    }

    /** Pixels in {@code a} or in {@code b}. */
    static byte[] union(byte[] a, byte[] b) {
        byte[] out = a.clone();
        for (int i = 0; i < out.length; i++) if (b[i] != 0) out[i] = 1;
        return out;
    }

    /** Rectangle of pixels, rows {@code row0..row1} and columns {@code col0..col1} inclusive. */
    static byte[] block(Geometry g, int row0, int col0, int row1, int col1) {
        byte[] mask = new byte[g.rows() * g.columns()];
        for (int r = row0; r <= row1; r++) for (int c = col0; c <= col1; c++) mask[r * g.columns() + c] = 1;
        return mask;
    }

    static byte[] empty(Geometry g) {
        return new byte[g.rows() * g.columns()];
    }

    /** A uniform HU slice. */
    static short[] flat(Geometry g, int hu) {
        short[] slice = new short[g.rows() * g.columns()];
        java.util.Arrays.fill(slice, (short) hu);
        return slice;
    }
}
