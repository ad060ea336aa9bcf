package org.ctai.inference.phantom;

/**
 * A solid in patient coordinates (mm) that knows how much of a voxel it fills.
 *
 * <p>Coverage is the fraction of the voxel centred at (x, y, z) inside the solid, 0..1, from an
 * estimate of the signed distance to the surface and the voxel's extent along the surface normal
 * (a box filter across a locally flat edge is a linear ramp). That is the partial-volume effect,
 * and coverage above one half means the voxel centre is inside. Immutable.
 */
interface Region {

    /**
     * Fraction of the voxel at (x, y, z) inside, 0..1.
     *
     * @param pixelMm in-plane voxel size, mm
     * @param sliceMm voxel size along z, mm
     */
    double coverage(double x, double y, double z, double pixelMm, double sliceMm);

    /** In-plane box {xMin, xMax, yMin, yMax} that holds the region on the plane at z, or null when absent there. */
    double[] boundsAt(double z);

    /** The part of this region that is also inside {@code other}; bounds stay this region's. */
    default Region within(Region other) {
        Region self = this;
        return new Region() {
            @Override
            public double coverage(double x, double y, double z, double pixelMm, double sliceMm) {
                double c = self.coverage(x, y, z, pixelMm, sliceMm);
                return c == 0 ? 0 : Math.min(c, other.coverage(x, y, z, pixelMm, sliceMm));
            }

            @Override
            public double[] boundsAt(double z) {
                return self.boundsAt(z);
            }
        };
    }

    /** Linear partial-volume ramp: {@code distanceMm} &lt; 0 inside, {@code widthMm} the voxel extent along the normal. */
    static double ramp(double distanceMm, double widthMm) {
        double c = 0.5 - distanceMm / widthMm;
        return c <= 0 ? 0 : c >= 1 ? 1 : c;
    }

    /** Everything anterior to (smaller y than) a level, for gas above fluid in a supine patient. */
    static Region anteriorOf(double yLevel) {
        return new Region() {
            @Override
            public double coverage(double x, double y, double z, double pixelMm, double sliceMm) {
                return ramp(y - yLevel, pixelMm);
            }

            @Override
            public double[] boundsAt(double z) {
                return new double[] {Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, yLevel};
            }
        };
    }

    /**
     * Slabs along z that repeat every {@code periodMm}, {@code widthMm} thick, the first centred at
     * {@code phaseMm}: intervertebral discs.
     */
    static Region zBands(double periodMm, double phaseMm, double widthMm) {
        return new Region() {
            @Override
            public double coverage(double x, double y, double z, double pixelMm, double sliceMm) {
                // signed distance from z to the nearest band centre
                double offset = (z - phaseMm) - Math.floor((z - phaseMm) / periodMm + 0.5) * periodMm;
                return ramp(Math.abs(offset) - widthMm / 2, sliceMm);
            }

            @Override
            public double[] boundsAt(double z) {
                return new double[] {Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY};
            }
        };
    }
}
