package org.ctai.srwriter;

import java.util.ArrayList;
import java.util.List;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.MatOfPoint;
import org.opencv.core.Point;
import org.opencv.imgproc.Imgproc;

/**
 * The outline of a lesion on one slice as an SR SCOORD POLYLINE. Stateless; OpenCV's native memory is released
 * before each call returns.
 */
final class ContourTracer {

    static {
        // loadShared does not work on Java >= 12; loadLocally extracts and System.load()s the library once
        nu.pattern.OpenCV.loadLocally();
    }

    private ContourTracer() {
    }

    /**
     * The outer boundary of the largest piece (by enclosed area, then by point count) of a 0/1 mask, as image
     * coordinates for a SCOORD: column, row pairs of the boundary pixels' centres. PS3.3 C.18.6.1.2 puts (0,0) at
     * the top left corner of the top left pixel, so a pixel centre is its index + 0.5. The polyline is closed
     * (the first point repeated at the end), as PS3.3 requires for a closed POLYLINE and Cornerstone3D expects.
     * A one-pixel piece gives a degenerate polyline of that point twice.
     *
     * @param mask row-major, {@code rows * columns}, any non-zero byte is inside
     * @return x1, y1, x2, y2, ...; empty when the mask is all zero
     */
    static float[] outline(byte[] mask, int rows, int columns) {
        byte[] binary = new byte[mask.length];
        for (int i = 0; i < mask.length; i++) if (mask[i] != 0) binary[i] = 1;
        Mat image = new Mat(rows, columns, CvType.CV_8UC1);
        Mat hierarchy = new Mat();
        List<MatOfPoint> contours = new ArrayList<>();
        try {
            image.put(0, 0, binary);
            // CHAIN_APPROX_SIMPLE keeps the corners of straight runs only: the same polygon, fewer points
            Imgproc.findContours(image, contours, hierarchy, Imgproc.RETR_EXTERNAL, Imgproc.CHAIN_APPROX_SIMPLE);
            MatOfPoint best = null;
            double bestArea = -1;
            for (MatOfPoint c : contours) {
                double area = Imgproc.contourArea(c);
                if (best == null || area > bestArea || (area == bestArea && c.rows() > best.rows())) {
                    best = c;
                    bestArea = area;
                }
            }
            if (best == null) return new float[0];
            Point[] points = best.toArray();
            float[] data = new float[2 * (points.length + 1)];
            for (int i = 0; i <= points.length; i++) {
                Point p = points[i % points.length];
                data[2 * i] = (float) (p.x + 0.5);
                data[2 * i + 1] = (float) (p.y + 0.5);
            }
            return data;
        } finally {
            image.release();
            hierarchy.release();
            for (MatOfPoint c : contours) c.release();
        }
    }
}
