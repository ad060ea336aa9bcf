package org.ctai.inference.overlay;

import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.core.MatOfPoint;
import org.opencv.core.Scalar;
import org.opencv.imgcodecs.Imgcodecs;
import org.opencv.imgproc.Imgproc;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Renders a CT slice as an 8-bit PNG in a {@link CtWindow} with the boundaries of a mask drawn on it in
 * green, 2 pixels thick (as the seed did). Every boundary is drawn: outer edges and the edges of holes, of
 * every piece. The image has the slice's rows and columns (one image pixel per CT pixel; anisotropic pixels
 * are not resampled). Gray value: {@code round(255 * (hu - (centre - width / 2)) / width)}, clipped to 0..255.
 *
 * <p>Immutable and thread-safe.
 */
public final class OverlayRenderer {

    static {
        nu.pattern.OpenCV.loadLocally();
    }

    /** Contour colour in OpenCV's blue-green-red order: pure green. */
    static final Scalar CONTOUR_BGR = new Scalar(0, 255, 0);
    /** Contour thickness, image pixels. */
    public static final int CONTOUR_THICKNESS = 2;

    private final CtWindow window;

    public OverlayRenderer(CtWindow window) {
        this.window = Objects.requireNonNull(window, "window");
    }

    /** With {@link CtWindow#SOFT_TISSUE} (W400/L40). */
    public OverlayRenderer() {
        this(CtWindow.SOFT_TISSUE);
    }

    public CtWindow window() {
        return window;
    }

    /**
     * @param hu   the slice's HU, row-major, {@code rows * columns}
     * @param mask row-major, {@code rows * columns}; non-zero is lesion; all zero draws no contour
     * @return PNG bytes, 3 channels, {@code columns} wide and {@code rows} high
     * @throws IllegalArgumentException when an array does not have {@code rows * columns} values
     */
    public byte[] renderPng(int rows, int columns, short[] hu, byte[] mask) {
        if (rows <= 0 || columns <= 0) throw new IllegalArgumentException("image must be at least 1x1, was " + rows + "x" + columns);
        check("hu", hu.length, rows, columns);
        check("mask", mask.length, rows, columns);
        Mat source = new Mat(rows, columns, CvType.CV_16SC1);
        Mat gray = new Mat();
        Mat colour = new Mat();
        Mat binary = new Mat(rows, columns, CvType.CV_8UC1);
        Mat hierarchy = new Mat();
        MatOfByte png = new MatOfByte();
        List<MatOfPoint> contours = new ArrayList<>();
        try {
            source.put(0, 0, hu);
            double scale = 255.0 / window.widthHu();
            // convertTo rounds and saturates to 0..255
            source.convertTo(gray, CvType.CV_8UC1, scale, -window.lowerHu() * scale);
            Imgproc.cvtColor(gray, colour, Imgproc.COLOR_GRAY2BGR);
            binary.put(0, 0, mask);
            Imgproc.findContours(binary, contours, hierarchy, Imgproc.RETR_LIST, Imgproc.CHAIN_APPROX_NONE);
            Imgproc.drawContours(colour, contours, -1, CONTOUR_BGR, CONTOUR_THICKNESS, Imgproc.LINE_8);
            if (!Imgcodecs.imencode(".png", colour, png)) {
                throw new IllegalStateException("OpenCV could not encode a " + rows + "x" + columns + " PNG");
            }
            return png.toArray();
        } finally {
            source.release();
            gray.release();
            colour.release();
            binary.release();
            hierarchy.release();
            png.release();
            contours.forEach(Mat::release);
        }
    }

    private static void check(String name, int length, int rows, int columns) {
        if (length != rows * columns) {
            throw new IllegalArgumentException(name + " has " + length + " values, expected " + rows * columns
                    + " (" + rows + " rows x " + columns + " columns)");
        }
    }
}
