package org.ctai.inference.measure;

import org.ctai.inference.series.Vector3;

import java.util.Objects;

/**
 * One lesion on one slice: all of the lesion's pixels on that slice, however many pieces they form.
 *
 * <p><b>Area</b> is the pixel count times the pixel area (not the area of an outline polygon).
 * <b>Perimeter</b> is the total length of the lesion's boundary on the slice: outer boundaries plus the
 * boundaries of holes, summed over all pieces (a ring of radii R and r has 2 pi (R + r)). The boundary is
 * the 0.5 iso-line (marching squares, linearly interpolated) of the mask smoothed with a Gaussian of
 * sigma = 0.8 x the larger pixel spacing (isotropic in mm); the smoothing removes the pixel staircase that
 * makes a traced pixel contour about 5% too long at any resolution. Structures thinner than about one pixel
 * are smoothed away (two pieces one pixel apart count as touching; a one-pixel hole does not count).
 * <b>Ellipse</b>: the ellipse with the same second moments as the pixels, each pixel a uniform
 * rectangle of the pixel spacing (as MATLAB regionprops); with {@code l1 >= l2} the eigenvalues of the
 * covariance matrix in mm2, the axes are {@code 4 sqrt(l1)} and {@code 4 sqrt(l2)} (a disk of radius r gives
 * 2r and 2r). It exists for any region, holes and several pieces included. <b>Roundness</b> is
 * {@code minor / major}, 1 for a circle, towards 0 for a line (the seed reported major minus minor in
 * pixels; that is {@code majorAxisMm - minorAxisMm} here). <b>Longest diameter</b> (RECIST long axis): the
 * largest distance between two points of the boundary above, within one 2-D connected piece (never from one
 * piece to another; with several pieces, the largest of their diameters). <b>Short axis</b> (RECIST short
 * axis, what lymph-node follow-up uses): on the piece of the longest diameter, the longest extent
 * perpendicular to that diameter: over all lines perpendicular to it, the largest distance between the
 * first and the last crossing of the piece's boundary (for an ellipse, its minor axis).
 *
 * @param slice            index of the slice in the series' slice order (0-based)
 * @param areaMm2          area, mm2
 * @param perimeterMm      boundary length, mm
 * @param centroidMm       centre of mass of the pixels, patient coordinates (LPS), mm
 * @param majorAxisMm      major axis (full length) of the moment ellipse, mm
 * @param minorAxisMm      minor axis (full length) of the moment ellipse, mm
 * @param roundness        minor axis / major axis, unitless, 0..1
 * @param longestDiameterMm largest distance between boundary points of one piece, mm
 * @param shortAxisMm      longest extent perpendicular to the longest diameter, same piece, mm
 * @param hu               statistics of the HU of the lesion's pixels on this slice
 * @param texture          GLGCM features of the lesion's pixels on this slice (fixed bin widths)
 */
public record SliceMeasurement(int slice, double areaMm2, double perimeterMm, Vector3 centroidMm,
                               double majorAxisMm, double minorAxisMm, double roundness,
                               double longestDiameterMm, double shortAxisMm, HuStatistics hu, TextureFeatures texture) {

    public SliceMeasurement {
        Objects.requireNonNull(centroidMm, "centroidMm");
        Objects.requireNonNull(hu, "hu");
        Objects.requireNonNull(texture, "texture");
    }
}
