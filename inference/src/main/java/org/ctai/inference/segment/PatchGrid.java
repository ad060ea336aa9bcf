package org.ctai.inference.segment;

import org.ctai.inference.model.ModelContract;
import org.ctai.inference.model.ModelSpec;

/**
 * How a patch-3d model tiles one series: the grid at the model's spacing, the patch, and where the patches start
 * along each axis (the last ends at the grid's end; neighbours overlap as the manifest says). What the node runs
 * through ONNX Runtime for the series is one {@code 1 x 1 x patchSlices x patchRows x patchColumns} tensor per
 * start triple.
 */
public record PatchGrid(int slices, int rows, int columns, int patchSlices, int patchRows, int patchColumns,
                        int[] sliceStarts, int[] rowStarts, int[] columnStarts) {

    public PatchGrid {
        sliceStarts = sliceStarts.clone();
        rowStarts = rowStarts.clone();
        columnStarts = columnStarts.clone();
    }

    /** How {@code patch} tiles a grid of {@code slices x rows x columns} (the one tiling the node runs). */
    static PatchGrid tile(int slices, int rows, int columns, ModelContract.InputLayout.Patch3d patch) {
        return new PatchGrid(slices, rows, columns, patch.slices(), patch.rows(), patch.columns(),
                SlidingWindow.starts(slices, patch.slices(), patch.overlap()),
                SlidingWindow.starts(rows, patch.rows(), patch.overlap()),
                SlidingWindow.starts(columns, patch.columns(), patch.overlap()));
    }

    /** The number of patches the model runs on. */
    public int patches() {
        return sliceStarts.length * rowStarts.length * columnStarts.length;
    }
}
