package org.ctai.inference.phantom;

import org.ctai.inference.series.Vector3;

/**
 * Ground truth for one tumour of a phantom, counted on the voxel grid of the series: a voxel belongs
 * to the tumour when more than half of it is tumour tissue (its centre lies inside the tumour).
 *
 * @param label            1-based number of the tumour, as in {@link Phantom#labels(int)}
 * @param centreMm         designed centre in patient coordinates (LPS), mm
 * @param nominalRadiusMm  mean radius the shape was drawn with, after the spec's tumour scale, mm
 * @param contrastHu       tumour HU minus liver HU before texture and noise (negative: hypodense)
 * @param voxelCount       truth voxels of this tumour within the series
 * @param volumeMm3        {@code voxelCount} times the voxel volume, mm3
 * @param meanHu           mean HU of the written pixels over those voxels (noise included); NaN when none
 * @param firstSlice       lowest slice index holding a voxel of it, -1 when none
 * @param lastSlice        highest slice index holding a voxel of it, -1 when none
 */
public record TumourTruth(int label, Vector3 centreMm, double nominalRadiusMm, double contrastHu,
                          long voxelCount, double volumeMm3, double meanHu, int firstSlice, int lastSlice) {
}
