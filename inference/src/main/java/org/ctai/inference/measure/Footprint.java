package org.ctai.inference.measure;

import java.util.List;

/**
 * The pixels of one lesion on one slice, as a 0/1 mask over the lesion's bounding box there, and the same
 * pixels split into the slice's 2-D connected pieces (with the settings' connectivity). Diameters are
 * measured within one piece; area, perimeter and HU over all of them. {@code mask} is row-major,
 * {@code width * height} long; no array is modified after construction.
 */
record Footprint(int lesion, int slice, int x, int y, int width, int height, byte[] mask, int pixelCount,
                 List<Piece> pieces) {

    Footprint {
        pieces = List.copyOf(pieces);
    }

    /** One 2-D connected piece: a 0/1 mask over its own bounding box, in slice pixel coordinates. */
    record Piece(int x, int y, int width, int height, byte[] mask, int pixelCount) {
    }
}
