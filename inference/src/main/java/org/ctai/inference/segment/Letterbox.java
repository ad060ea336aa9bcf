package org.ctai.inference.segment;

import org.ctai.inference.model.ModelContract.InputSize;
import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.Rect;
import org.opencv.core.Scalar;
import org.opencv.core.Size;
import org.opencv.imgproc.Imgproc;

/**
 * Maps a slice of {@code sliceRows x sliceColumns} to the model's {@code modelRows x modelColumns}
 * and a model-sized mask back. Forward: resize by one factor that keeps the aspect ratio and fits
 * (only for a fixed-size model whose size differs from the slice), then pad with zeros, centred.
 * Back: cut the padding off and resize the mask to the slice with nearest neighbour, sampling pixel
 * centres (INTER_NEAREST_EXACT; plain INTER_NEAREST samples each pixel's corner and shifts a mask by up
 * to one model pixel). Immutable; every Mat made here is released before returning.
 */
record Letterbox(int sliceRows, int sliceColumns, int modelRows, int modelColumns,
                 int scaledRows, int scaledColumns, int top, int left) {

    static Letterbox plan(int sliceRows, int sliceColumns, InputSize size) {
        if (size instanceof InputSize.Fixed fixed) {
            double scale = Math.min((double) fixed.rows() / sliceRows, (double) fixed.columns() / sliceColumns);
            int scaledRows = Math.min(fixed.rows(), Math.max(1, (int) Math.round(sliceRows * scale)));
            int scaledColumns = Math.min(fixed.columns(), Math.max(1, (int) Math.round(sliceColumns * scale)));
            return new Letterbox(sliceRows, sliceColumns, fixed.rows(), fixed.columns(), scaledRows, scaledColumns,
                    (fixed.rows() - scaledRows) / 2, (fixed.columns() - scaledColumns) / 2);
        }
        int multiple = ((InputSize.Dynamic) size).multipleOf();
        int rows = ceilToMultiple(sliceRows, multiple);
        int columns = ceilToMultiple(sliceColumns, multiple);
        return new Letterbox(sliceRows, sliceColumns, rows, columns, sliceRows, sliceColumns,
                (rows - sliceRows) / 2, (columns - sliceColumns) / 2);
    }

    private static int ceilToMultiple(int value, int multiple) {
        return (value + multiple - 1) / multiple * multiple;
    }

    boolean resizes() {
        return scaledRows != sliceRows || scaledColumns != sliceColumns;
    }

    /** Writes the slice (row-major, already normalised) into {@code out} as the model's input plane. */
    void toModel(float[] slice, float[] out) {
        Mat source = new Mat(sliceRows, sliceColumns, CvType.CV_32FC1);
        Mat scaled = new Mat();
        Mat padded = new Mat();
        try {
            source.put(0, 0, slice);
            if (resizes()) {
                // INTER_AREA averages when shrinking (no aliasing), INTER_LINEAR when enlarging
                int interpolation = scaledRows < sliceRows ? Imgproc.INTER_AREA : Imgproc.INTER_LINEAR;
                Imgproc.resize(source, scaled, new Size(scaledColumns, scaledRows), 0, 0, interpolation);
            } else {
                source.copyTo(scaled);
            }
            Core.copyMakeBorder(scaled, padded, top, modelRows - scaledRows - top, left, modelColumns - scaledColumns - left,
                    Core.BORDER_CONSTANT, new Scalar(0));
            padded.get(0, 0, out);
        } finally {
            source.release();
            scaled.release();
            padded.release();
        }
    }

    /** A model-sized label mask (row-major) back to the slice's size, nearest neighbour. */
    byte[] toSlice(byte[] modelMask) {
        Mat model = new Mat(modelRows, modelColumns, CvType.CV_8UC1);
        Mat inside = null;
        Mat slice = new Mat();
        try {
            model.put(0, 0, modelMask);
            inside = model.submat(new Rect(left, top, scaledColumns, scaledRows));
            if (resizes()) {
                Imgproc.resize(inside, slice, new Size(sliceColumns, sliceRows), 0, 0, Imgproc.INTER_NEAREST_EXACT);
            } else {
                inside.copyTo(slice);
            }
            byte[] mask = new byte[sliceRows * sliceColumns];
            slice.get(0, 0, mask);
            return mask;
        } finally {
            model.release();
            if (inside != null) inside.release();
            slice.release();
        }
    }
}
