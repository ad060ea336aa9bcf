package org.ctai.inference.measure;

import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.MatOfInt;
import org.opencv.core.MatOfPoint;
import org.opencv.core.Point;
import org.opencv.core.Size;
import org.opencv.imgproc.Imgproc;

import java.util.ArrayList;
import java.util.List;

/**
 * Boundary length, longest diameter and short axis of a lesion on one slice, in mm, from the 0.5 iso-line of
 * the region smoothed with an isotropic Gaussian (see {@link SliceMeasurement} for why). The iso-line is
 * found by marching squares with linear interpolation; its length is summed cell by cell, so outer
 * boundaries, holes and separate pieces all count, and no loop needs to be chained. The diameters are
 * taken within one connected piece at a time (each piece's own iso-line): the longest diameter is the
 * largest over the pieces, and the short axis belongs to the piece that has it. Stateless.
 */
final class BoundaryTracer {

    /** Gaussian sigma as a multiple of the larger pixel spacing: removes the staircase, keeps the shape. */
    static final double SMOOTHING_SIGMA_PIXELS = 0.8;
    private static final double ISO = 0.5;
    /** Boundary points are rounded to this many per mm for OpenCV's integer convex hull. */
    private static final double HULL_POINTS_PER_MM = 1000;

    /**
     * Boundary length (mm), the longest distance between boundary points of one piece (mm), and the longest
     * extent of that piece perpendicular to it (mm).
     */
    record Boundary(double perimeterMm, double longestDiameterMm, double shortAxisMm) {
    }

    /** The iso-line as segments: {@code x1, y1, x2, y2} per segment, mm, and its total length. */
    private record IsoLine(double lengthMm, double[] segments) {
        int count() {
            return segments.length / 4;
        }
    }

    private BoundaryTracer() {
    }

    static Boundary trace(Footprint footprint, double rowSpacingMm, double columnSpacingMm) {
        IsoLine all = isoLine(footprint.mask(), footprint.width(), footprint.height(), rowSpacingMm, columnSpacingMm);
        double longest = 0, shortAxis = 0;
        for (Footprint.Piece piece : footprint.pieces()) {
            IsoLine own = footprint.pieces().size() == 1 ? all
                    : isoLine(piece.mask(), piece.width(), piece.height(), rowSpacingMm, columnSpacingMm);
            double[] axes = axes(own);
            if (axes[0] > longest) {
                longest = axes[0];
                shortAxis = axes[1];
            }
        }
        return new Boundary(all.lengthMm(), longest, shortAxis);
    }

    /**
     * @param mask row-major 0/1 mask of {@code width x height} pixels
     */
    private static IsoLine isoLine(byte[] mask, int width, int height, double rowSpacingMm, double columnSpacingMm) {
        double sigmaMm = SMOOTHING_SIGMA_PIXELS * Math.max(rowSpacingMm, columnSpacingMm);
        double sigmaX = sigmaMm / columnSpacingMm;
        double sigmaY = sigmaMm / rowSpacingMm;
        int marginX = (int) Math.ceil(4 * sigmaX) + 2;
        int marginY = (int) Math.ceil(4 * sigmaY) + 2;
        int w = width + 2 * marginX;
        int h = height + 2 * marginY;
        float[] field = new float[w * h];
        for (int r = 0; r < height; r++) {
            for (int c = 0; c < width; c++) {
                if (mask[r * width + c] != 0) field[(r + marginY) * w + c + marginX] = 1f;
            }
        }
        float[] smooth = new float[w * h];
        Mat image = new Mat(h, w, CvType.CV_32FC1);
        try {
            image.put(0, 0, field);
            Imgproc.GaussianBlur(image, image, new Size(0, 0), sigmaX, sigmaY, Core.BORDER_CONSTANT);
            image.get(0, 0, smooth);
        } finally {
            image.release();
        }
        List<Point> points = new ArrayList<>();
        double length = march(smooth, w, h, columnSpacingMm, rowSpacingMm, points);
        if (points.isEmpty()) {
            // a region smaller than the smoothing kernel vanishes: fall back to the unsmoothed mask, whose
            // iso-line joins the midpoints between inside and outside pixel centres
            length = march(field, w, h, columnSpacingMm, rowSpacingMm, points);
        }
        double[] segments = new double[points.size() * 2];
        for (int i = 0; i < points.size(); i++) {
            segments[2 * i] = points.get(i).x;
            segments[2 * i + 1] = points.get(i).y;
        }
        return new IsoLine(length, segments);
    }

    /** {longest diameter, short axis} of one piece's iso-line, mm; 0 and 0 for an empty line. */
    private static double[] axes(IsoLine line) {
        List<Point> points = new ArrayList<>(line.count() * 2);
        double[] s = line.segments();
        for (int i = 0; i < s.length; i += 2) points.add(new Point(s[i], s[i + 1]));
        Point[] ends = farthestPair(points);
        if (ends == null) return new double[] {0, 0};
        double longest = Math.hypot(ends[1].x - ends[0].x, ends[1].y - ends[0].y);
        if (!(longest > 0)) return new double[] {0, 0};
        double ux = (ends[1].x - ends[0].x) / longest, uy = (ends[1].y - ends[0].y) / longest;
        return new double[] {longest, perpendicularExtent(s, ux, uy)};
    }

    /**
     * The longest extent of the iso-line along {@code v = (-uy, ux)} over all lines perpendicular to the unit
     * vector {@code u}: for each such line, the distance between its first and last crossing of the iso-line.
     * Between two consecutive vertex positions along {@code u} the same segments cross, each linearly, so the
     * largest crossing is convex and the smallest concave there: the extent is largest at a vertex, and
     * checking every vertex position is exact. A sweep along {@code u} keeps only the crossing segments.
     */
    static double perpendicularExtent(double[] segments, double ux, double uy) {
        int n = segments.length / 4;
        double[] a1 = new double[n], a2 = new double[n], b1 = new double[n], b2 = new double[n];
        Integer[] byStart = new Integer[n];
        double[] stops = new double[2 * n];
        for (int i = 0; i < n; i++) {
            double x1 = segments[4 * i], y1 = segments[4 * i + 1], x2 = segments[4 * i + 2], y2 = segments[4 * i + 3];
            double p = x1 * ux + y1 * uy, q = x2 * ux + y2 * uy;
            double bp = -x1 * uy + y1 * ux, bq = -x2 * uy + y2 * ux;
            if (p <= q) { a1[i] = p; a2[i] = q; b1[i] = bp; b2[i] = bq; }
            else { a1[i] = q; a2[i] = p; b1[i] = bq; b2[i] = bp; }
            byStart[i] = i;
            stops[2 * i] = a1[i];
            stops[2 * i + 1] = a2[i];
        }
        java.util.Arrays.sort(byStart, java.util.Comparator.comparingDouble(i -> a1[i]));
        java.util.Arrays.sort(stops);
        List<Integer> active = new ArrayList<>();
        int next = 0;
        double best = 0;
        for (double t : stops) {
            while (next < n && a1[byStart[next]] <= t) active.add(byStart[next++]);
            double low = Double.POSITIVE_INFINITY, high = Double.NEGATIVE_INFINITY;
            for (int k = active.size() - 1; k >= 0; k--) {
                int i = active.get(k);
                if (a2[i] < t) { // passed: drop it, order does not matter
                    active.set(k, active.get(active.size() - 1));
                    active.remove(active.size() - 1);
                    continue;
                }
                double span = a2[i] - a1[i];
                if (span > 0) {
                    double v = b1[i] + (b2[i] - b1[i]) * (t - a1[i]) / span;
                    low = Math.min(low, v);
                    high = Math.max(high, v);
                } else {
                    low = Math.min(low, Math.min(b1[i], b2[i]));
                    high = Math.max(high, Math.max(b1[i], b2[i]));
                }
            }
            if (high > low) best = Math.max(best, high - low);
        }
        return best;
    }

    /**
     * Marching squares over all cells of {@code f}; adds segment end points (mm) to {@code points}.
     *
     * @return total iso-line length, mm
     */
    static double march(float[] f, int w, int h, double sx, double sy, List<Point> points) {
        double length = 0;
        double[] ex = new double[4];
        double[] ey = new double[4];
        for (int y = 0; y + 1 < h; y++) {
            for (int x = 0; x + 1 < w; x++) {
                float a = f[y * w + x], b = f[y * w + x + 1], c = f[(y + 1) * w + x + 1], d = f[(y + 1) * w + x];
                int index = (a >= ISO ? 1 : 0) | (b >= ISO ? 2 : 0) | (c >= ISO ? 4 : 0) | (d >= ISO ? 8 : 0);
                if (index == 0 || index == 15) continue;
                // crossing points on the four cell edges: 0 top (a-b), 1 right (b-c), 2 bottom (d-c), 3 left (a-d)
                ex[0] = x + cross(a, b); ey[0] = y;
                ex[1] = x + 1;           ey[1] = y + cross(b, c);
                ex[2] = x + cross(d, c); ey[2] = y + 1;
                ex[3] = x;               ey[3] = y + cross(a, d);
                for (int[] segment : segments(index, (a + b + c + d) / 4 >= ISO)) {
                    double x1 = ex[segment[0]] * sx, y1 = ey[segment[0]] * sy;
                    double x2 = ex[segment[1]] * sx, y2 = ey[segment[1]] * sy;
                    length += Math.hypot(x2 - x1, y2 - y1);
                    points.add(new Point(x1, y1));
                    points.add(new Point(x2, y2));
                }
            }
        }
        return length;
    }

    private static final int[][] TOP_LEFT = {{3, 0}};
    private static final int[][] TOP_RIGHT = {{0, 1}};
    private static final int[][] BOTTOM_RIGHT = {{1, 2}};
    private static final int[][] BOTTOM_LEFT = {{3, 2}};
    private static final int[][] HORIZONTAL = {{3, 1}};
    private static final int[][] VERTICAL = {{0, 2}};
    private static final int[][] CUT_TOP_LEFT_AND_BOTTOM_RIGHT = {{3, 0}, {1, 2}};
    private static final int[][] CUT_TOP_RIGHT_AND_BOTTOM_LEFT = {{0, 1}, {3, 2}};

    /** Segments (pairs of edge numbers) for a corner pattern; saddles resolved by the cell's mean value. */
    private static int[][] segments(int index, boolean centreInside) {
        return switch (index) {
            case 1, 14 -> TOP_LEFT;
            case 2, 13 -> TOP_RIGHT;
            case 4, 11 -> BOTTOM_RIGHT;
            case 8, 7 -> BOTTOM_LEFT;
            case 3, 12 -> HORIZONTAL;
            case 6, 9 -> VERTICAL;
            // a and c inside: joined through the centre, the outside corners b and d are cut off
            case 5 -> centreInside ? CUT_TOP_RIGHT_AND_BOTTOM_LEFT : CUT_TOP_LEFT_AND_BOTTOM_RIGHT;
            // b and d inside
            case 10 -> centreInside ? CUT_TOP_LEFT_AND_BOTTOM_RIGHT : CUT_TOP_RIGHT_AND_BOTTOM_LEFT;
            default -> throw new IllegalArgumentException("corner pattern " + index);
        };
    }

    private static double cross(float from, float to) {
        return (ISO - from) / (to - from);
    }

    /** The two points (mm) farthest apart, over the vertices of their convex hull; null for fewer than two. */
    static Point[] farthestPair(List<Point> points) {
        if (points.size() < 2) return null;
        Point[] scaled = new Point[points.size()];
        for (int i = 0; i < scaled.length; i++) {
            Point p = points.get(i);
            scaled[i] = new Point(Math.round(p.x * HULL_POINTS_PER_MM), Math.round(p.y * HULL_POINTS_PER_MM));
        }
        MatOfPoint all = new MatOfPoint(scaled);
        MatOfInt hull = new MatOfInt();
        try {
            Imgproc.convexHull(all, hull);
            int[] indices = hull.toArray();
            double best = -1;
            Point[] pair = null;
            for (int i = 0; i < indices.length; i++) {
                Point p = scaled[indices[i]];
                for (int j = i + 1; j < indices.length; j++) {
                    Point q = scaled[indices[j]];
                    double d = Math.hypot(p.x - q.x, p.y - q.y);
                    if (d > best) {
                        best = d;
                        pair = new Point[] {p, q};
                    }
                }
            }
            if (pair == null) return null;
            return new Point[] {new Point(pair[0].x / HULL_POINTS_PER_MM, pair[0].y / HULL_POINTS_PER_MM),
                    new Point(pair[1].x / HULL_POINTS_PER_MM, pair[1].y / HULL_POINTS_PER_MM)};
        } finally {
            all.release();
            hull.release();
        }
    }
}
