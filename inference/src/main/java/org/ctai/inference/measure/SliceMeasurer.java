package org.ctai.inference.measure;

import org.ctai.inference.series.Geometry;
import org.ctai.inference.series.Vector3;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.imgproc.Imgproc;
import org.opencv.imgproc.Moments;

/** Measures one lesion footprint on one slice. Stateless. */
final class SliceMeasurer {

    /** The measurement and the HU histogram it came from (for the whole-lesion statistics). */
    record Result(SliceMeasurement measurement, HuHistogram histogram) {
    }

    private SliceMeasurer() {
    }

    /**
     * @param slice HU of the whole slice as CV_16SC1 (for the texture's Sobel), same values as {@code hu}
     */
    static Result measure(Footprint footprint, Geometry geometry, short[] hu, Mat slice, MeasurementSettings settings) {
        double sx = geometry.columnSpacingMm();
        double sy = geometry.rowSpacingMm();
        int columns = geometry.columns();
        int x = footprint.x(), y = footprint.y(), w = footprint.width(), h = footprint.height();
        byte[] mask = footprint.mask();

        HuHistogram histogram = new HuHistogram();
        for (int r = 0; r < h; r++) {
            for (int c = 0; c < w; c++) {
                if (mask[r * w + c] != 0) histogram.add(hu[(y + r) * columns + x + c]);
            }
        }

        Moments moments;
        Mat image = new Mat(h, w, CvType.CV_8UC1);
        try {
            image.put(0, 0, mask);
            moments = Imgproc.moments(image, true);
        } finally {
            image.release();
        }
        double count = moments.m00;
        double centreColumn = x + moments.m10 / count;
        double centreRow = y + moments.m01 / count;
        Vector3 centroid = geometry.patientPoint(footprint.slice(), centreRow, centreColumn);

        // covariance in mm2 of the pixels, each a uniform sx-by-sy rectangle (variance s^2 / 12 per axis)
        double cxx = moments.mu20 / count * sx * sx + sx * sx / 12;
        double cyy = moments.mu02 / count * sy * sy + sy * sy / 12;
        double cxy = moments.mu11 / count * sx * sy;
        double half = (cxx + cyy) / 2;
        double spread = Math.sqrt((cxx - cyy) * (cxx - cyy) / 4 + cxy * cxy);
        double major = 4 * Math.sqrt(half + spread);
        double minor = 4 * Math.sqrt(Math.max(0, half - spread));

        BoundaryTracer.Boundary boundary = BoundaryTracer.trace(footprint, sy, sx);
        long[][] matrix = Glgcm.matrix(slice, hu, x, y, w, h, mask, sy, sx, settings.glgcmBinWidthHu(),
                settings.glgcmGradientBinWidthHuPerMm());

        SliceMeasurement measurement = new SliceMeasurement(footprint.slice(),
                footprint.pixelCount() * geometry.pixelAreaMm2(), boundary.perimeterMm(), centroid, major, minor,
                minor / major, boundary.longestDiameterMm(), boundary.shortAxisMm(), histogram.statistics(), Glgcm.features(matrix));
        return new Result(measurement, histogram);
    }
}
