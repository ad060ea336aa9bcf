package org.ctai.inference.measure;

/**
 * The pixels of one lesion on one slice, as a 0/1 mask over the lesion's bounding box there.
 * {@code mask} is row-major, {@code width * height} long, and is never modified after construction.
 */
record Footprint(int lesion, int slice, int x, int y, int width, int height, byte[] mask, int pixelCount) {
}
