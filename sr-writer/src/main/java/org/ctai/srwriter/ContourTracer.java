package org.ctai.srwriter;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.MatOfPoint;
import org.opencv.core.Point;
import org.opencv.imgproc.Imgproc;

/**
 * The outlines of a lesion on one slice as SR SCOORD POLYLINEs: every piece and every hole. Stateless; OpenCV's
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
     * One closed boundary, as image coordinates for a SCOORD: column, row pairs of the boundary pixels' centres
     * (x1, y1, x2, y2, ...). PS3.3 C.18.6.1.2 puts (0,0) at the top left corner of the top left pixel, so a pixel
     * centre is its index + 0.5. The first point is repeated at the end, as PS3.3 requires for a closed POLYLINE
     * and Cornerstone3D expects. A one-pixel piece gives a degenerate polyline of that point twice.
     *
     * @param hole whether it bounds a hole of a piece (its vertices are the piece's pixels around the hole)
     */
    record Outline(float[] points, boolean hole) {
    }

    /**
     * Every boundary of a 0/1 mask: the pieces by enclosed area, largest first (then by point count), each
     * followed by its holes. The lesion is the even-odd inside of all of them: a point inside a piece and one
     * of its holes is outside; a piece lying inside another's hole comes as a piece of its own.
     *
     * @param mask row-major, {@code rows * columns}, any non-zero byte is inside
     * @return empty when the mask is all zero
     */
    static List<Outline> outlines(byte[] mask, int rows, int columns) {
        byte[] binary = new byte[mask.length];
        for (int i = 0; i < mask.length; i++) if (mask[i] != 0) binary[i] = 1;
        Mat image = new Mat(rows, columns, CvType.CV_8UC1);
        Mat hierarchy = new Mat();
        List<MatOfPoint> contours = new ArrayList<>();
        try {
            image.put(0, 0, binary);
            // CCOMP: two levels, outer boundaries and the holes inside each; CHAIN_APPROX_SIMPLE keeps the
            // corners of straight runs only (the same polygon, fewer points)
            Imgproc.findContours(image, contours, hierarchy, Imgproc.RETR_CCOMP, Imgproc.CHAIN_APPROX_SIMPLE);
            List<Integer> pieces = new ArrayList<>();
            for (int i = 0; i < contours.size(); i++) if (hierarchy.get(0, i)[3] < 0) pieces.add(i);
            pieces.sort(Comparator.comparingDouble((Integer i) -> Imgproc.contourArea(contours.get(i)))
                    .thenComparingInt(i -> contours.get(i).rows()).reversed());
            List<Outline> outlines = new ArrayList<>();
            for (int piece : pieces) {
                outlines.add(new Outline(closedPolyline(contours.get(piece)), false));
                // hierarchy entry: next, previous, first child, parent
                for (int hole = (int) hierarchy.get(0, piece)[2]; hole >= 0; hole = (int) hierarchy.get(0, hole)[0]) {
                    outlines.add(new Outline(closedPolyline(contours.get(hole)), true));
                }
            }
            return List.copyOf(outlines);
        } finally {
            image.release();
            hierarchy.release();
            for (MatOfPoint c : contours) c.release();
        }
    }

    private static float[] closedPolyline(MatOfPoint contour) {
        Point[] points = contour.toArray();
        float[] data = new float[2 * (points.length + 1)];
        for (int i = 0; i <= points.length; i++) {
            Point p = points[i % points.length];
            data[2 * i] = (float) (p.x + 0.5);
            data[2 * i + 1] = (float) (p.y + 0.5);
        }
        return data;
    }
}
