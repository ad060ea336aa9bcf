package org.ctai.srwriter;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.imgproc.Imgproc;

/**
 * The outlines of a lesion on one slice as SR SCOORD POLYLINEs: every piece and every hole, traced along the
 * pixels' edges, so that the polygon of a piece minus its holes encloses exactly its pixels (a reader computing
 * the area of the outline, as OHIF does, gets the pixel count the Area NUM is derived from). Stateless; OpenCV's
 * native memory is released before each call returns.
 */
final class ContourTracer {

    static {
        // loadShared does not work on Java >= 12; loadLocally extracts and System.load()s the library once
        nu.pattern.OpenCV.loadLocally();
    }

    private ContourTracer() {
    }

    /**
     * One closed boundary, as image coordinates for a SCOORD: column, row pairs of pixel corners (x1, y1, x2, y2,
     * ...). PS3.3 C.18.6.1.2 puts (0,0) at the top left corner of the top left pixel, so the corner above and left
     * of pixel (row r, column c) is (c, r). Only the corners where the boundary turns are listed; the first point
     * is repeated at the end, as PS3.3 requires for a closed POLYLINE and Cornerstone3D expects. A one-pixel
     * piece is its pixel's square.
     *
     * @param hole whether it bounds a hole of a piece (the lesion is outside it)
     */
    record Outline(float[] points, boolean hole) {
    }

    /**
     * Every boundary of a 0/1 mask: the pieces (8-connected, as OpenCV's contours take them) by pixel count,
     * largest first (then by point count), each followed by its holes (4-connected background inside it). The
     * lesion is the even-odd inside of all of them: a point inside a piece and one of its holes is outside; a piece
     * lying inside another's hole comes as a piece of its own.
     *
     * @param mask row-major, {@code rows * columns}, any non-zero byte is inside
     * @return empty when the mask is all zero
     */
    static List<Outline> outlines(byte[] mask, int rows, int columns) {
        int[] labels = new int[mask.length];
        int pieces = label(mask, rows, columns, labels);
        List<Piece> found = new ArrayList<>();
        for (int p = 1; p <= pieces; p++) found.add(new Piece(p));
        for (int i = 0; i < labels.length; i++) if (labels[i] > 0) found.get(labels[i] - 1).pixels++;
        for (Piece piece : found) piece.loops = loops(labels, rows, columns, piece.label);
        found.sort(Comparator.comparingLong((Piece p) -> p.pixels)
                .thenComparingInt(p -> p.loops.get(0).length).reversed());
        List<Outline> outlines = new ArrayList<>();
        for (Piece piece : found) {
            for (int i = 0; i < piece.loops.size(); i++) outlines.add(new Outline(piece.loops.get(i), i > 0));
        }
        return List.copyOf(outlines);
    }

    private static final class Piece {
        final int label;
        long pixels;
        /** The outer boundary first, then the holes. */
        List<float[]> loops;

        Piece(int label) {
            this.label = label;
        }
    }

    /** 8-connected components of the mask (OpenCV), labels 1..n in {@code labels}; returns n. */
    private static int label(byte[] mask, int rows, int columns, int[] labels) {
        byte[] binary = new byte[mask.length];
        for (int i = 0; i < mask.length; i++) if (mask[i] != 0) binary[i] = 1;
        Mat image = new Mat(rows, columns, CvType.CV_8UC1);
        Mat out = new Mat();
        try {
            image.put(0, 0, binary);
            int n = Imgproc.connectedComponents(image, out, 8, CvType.CV_32S);
            out.get(0, 0, labels);
            return n - 1;
        } finally {
            image.release();
            out.release();
        }
    }

    // directions of a pixel edge, clockwise on screen (y down): right, down, left, up
    private static final int[] DX = {1, 0, -1, 0};
    private static final int[] DY = {0, 1, 0, -1};

    /**
     * The closed boundaries of one piece, walked along pixel edges with the piece on the right (clockwise on
     * screen around the piece, counter-clockwise around its holes): the outer boundary first, then the holes.
     */
    private static List<float[]> loops(int[] labels, int rows, int columns, int piece) {
        // every pixel edge between the piece and anything else, keyed by its start corner; a corner where two
        // diagonal pixels of the piece touch starts two edges
        Map<Long, List<int[]>> outgoing = new HashMap<>();
        int edges = 0;
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < columns; c++) {
                if (labels[r * columns + c] != piece) continue;
                if (r == 0 || labels[(r - 1) * columns + c] != piece) edges += add(outgoing, c, r, 0);
                if (c == columns - 1 || labels[r * columns + c + 1] != piece) edges += add(outgoing, c + 1, r, 1);
                if (r == rows - 1 || labels[(r + 1) * columns + c] != piece) edges += add(outgoing, c + 1, r + 1, 2);
                if (c == 0 || labels[r * columns + c - 1] != piece) edges += add(outgoing, c, r + 1, 3);
            }
        }
        List<float[]> loops = new ArrayList<>();
        float[] outer = null;
        while (edges > 0) {
            // start each loop at its top left corner: the first edge found scanning rows is the top of a pixel
            long start = outgoing.keySet().stream().min(Comparator.comparingLong((Long k) -> y(k)).thenComparingLong(k -> x(k)))
                    .orElseThrow();
            List<int[]> corners = new ArrayList<>();
            long at = start;
            int heading = -1;
            do {
                List<int[]> out = outgoing.get(at);
                int[] edge = choose(out, heading);
                out.remove(edge);
                if (out.isEmpty()) outgoing.remove(at);
                edges--;
                if (edge[2] != heading) corners.add(new int[] {x(at), y(at)});
                heading = edge[2];
                at = key(x(at) + DX[heading], y(at) + DY[heading]);
                // the start is the loop's top left corner, never a corner where two diagonal pixels touch (the
                // edge above them would start higher), so the loop ends where it began
            } while (at != start);
            float[] points = new float[2 * (corners.size() + 1)];
            for (int i = 0; i <= corners.size(); i++) {
                int[] p = corners.get(i % corners.size());
                points[2 * i] = p[0];
                points[2 * i + 1] = p[1];
            }
            // the piece on the right: positive shoelace sum (y down) for its outer boundary, negative for a hole
            if (signedArea(points) > 0 && outer == null) outer = points;
            else loops.add(points);
        }
        loops.add(0, outer);
        return loops;
    }

    /**
     * The edge to follow from a corner. Where two pixels of the piece touch only at this corner there are two:
     * turn left, towards the diagonal pixel, so that both stay in one boundary (8-connected pieces).
     */
    private static int[] choose(List<int[]> out, int heading) {
        if (out.size() == 1 || heading < 0) return out.get(0);
        int left = (heading + 3) % 4;
        for (int[] e : out) if (e[2] == left) return e;
        return out.get(0);
    }

    private static int add(Map<Long, List<int[]>> outgoing, int x, int y, int direction) {
        outgoing.computeIfAbsent(key(x, y), k -> new ArrayList<>(2)).add(new int[] {x, y, direction});
        return 1;
    }

    private static long key(int x, int y) {
        return ((long) y << 32) | (x & 0xffffffffL);
    }

    private static int x(long key) {
        return (int) key;
    }

    private static int y(long key) {
        return (int) (key >> 32);
    }

    /** Half the shoelace sum of a closed polyline (first point repeated at the end). */
    static double signedArea(float[] points) {
        double sum = 0;
        for (int i = 0; i + 3 < points.length; i += 2) {
            sum += (double) points[i] * points[i + 3] - (double) points[i + 2] * points[i + 1];
        }
        return sum / 2;
    }
}
