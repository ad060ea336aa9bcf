package org.ctai.inference.phantom;

/**
 * An ellipsoid turned about the z axis, or with an infinite z semi-axis an elliptic cylinder, whose
 * centre may drift linearly with z (a vessel or rib running obliquely) and whose in-plane size may
 * taper linearly with z (an organ narrowing towards its tip). Immutable.
 */
final class Ellipsoid implements Region {

    private final double cx, cy, cz, a, b, c, cos, sin, taperPerMm, driftX, driftY;

    /**
     * @param a, b       in-plane semi-axes before rotation, mm
     * @param c          z semi-axis, mm; {@code Double.POSITIVE_INFINITY} for a cylinder
     * @param angleRad   rotation of the a axis from +x towards +y
     * @param taperPerMm the in-plane semi-axes are multiplied by {@code 1 + taperPerMm * (z - cz)}
     * @param driftX     centre x moves by {@code driftX * (z - cz)}; likewise driftY
     */
    Ellipsoid(double cx, double cy, double cz, double a, double b, double c, double angleRad,
              double taperPerMm, double driftX, double driftY) {
        if (!(a > 0) || !(b > 0) || !(c > 0)) throw new IllegalArgumentException("semi-axes must be positive, were " + a + ", " + b + ", " + c);
        this.cx = cx;
        this.cy = cy;
        this.cz = cz;
        this.a = a;
        this.b = b;
        this.c = c;
        this.cos = StrictMath.cos(angleRad);
        this.sin = StrictMath.sin(angleRad);
        this.taperPerMm = taperPerMm;
        this.driftX = driftX;
        this.driftY = driftY;
    }

    static Ellipsoid cylinder(double cx, double cy, double a, double b, double angleRad) {
        return new Ellipsoid(cx, cy, 0, a, b, Double.POSITIVE_INFINITY, angleRad, 0, 0, 0);
    }

    static Ellipsoid of(double cx, double cy, double cz, double a, double b, double c, double angleRad) {
        return new Ellipsoid(cx, cy, cz, a, b, c, angleRad, 0, 0, 0);
    }

    /** The same shape with every semi-axis changed by {@code deltaMm} (negative shrinks): a wall's inner surface. */
    Ellipsoid grownBy(double deltaMm) {
        double angle = StrictMath.atan2(sin, cos);
        return new Ellipsoid(cx, cy, cz, a + deltaMm, b + deltaMm, c + deltaMm, angle, taperPerMm, driftX, driftY);
    }

    double centreX() { return cx; }

    double centreY() { return cy; }

    double centreZ() { return cz; }

    /** Normalised radius of a point: below 1 inside. */
    double normalisedRadius(double x, double y, double z) {
        double s = scaleAt(z);
        if (s <= 0) return Double.POSITIVE_INFINITY;
        double dz = z - cz;
        double dx = x - cx - driftX * dz, dy = y - cy - driftY * dz;
        double qu = (dx * cos + dy * sin) / (a * s), qv = (-dx * sin + dy * cos) / (b * s);
        double qw = Double.isInfinite(c) ? 0 : dz / c;
        return Math.sqrt(qu * qu + qv * qv + qw * qw);
    }

    private double scaleAt(double z) {
        return 1 + taperPerMm * (z - cz);
    }

    @Override
    public double coverage(double x, double y, double z, double pixelMm, double sliceMm) {
        double s = scaleAt(z);
        if (s <= 0.02) return 0;
        double dz = z - cz;
        double dx = x - cx - driftX * dz, dy = y - cy - driftY * dz;
        double as = a * s, bs = b * s;
        double qu = (dx * cos + dy * sin) / as, qv = (-dx * sin + dy * cos) / bs;
        double qw = Double.isInfinite(c) ? 0 : dz / c;
        double rho2 = qu * qu + qv * qv + qw * qw;
        if (rho2 == 0) return 1;
        double rho = Math.sqrt(rho2);
        // first-order distance to the surface: (rho - 1) / |grad rho|, grad rho = (qu/as, qv/bs, qw/c) / rho
        double gu = qu / as, gv = qv / bs, gw = Double.isInfinite(c) ? 0 : qw / c;
        double gIn2 = gu * gu + gv * gv, g2 = gIn2 + gw * gw;
        double distance = (rho - 1) * rho / Math.sqrt(g2);
        // voxel extent along the surface normal: in-plane part by the pixel, z part by the slice
        double width = Math.sqrt((gIn2 * pixelMm * pixelMm + gw * gw * sliceMm * sliceMm) / g2);
        return Region.ramp(distance, width);
    }

    @Override
    public double[] boundsAt(double z) {
        double dz = z - cz;
        if (!Double.isInfinite(c) && Math.abs(dz) > c + 20) return null;
        double s = scaleAt(z);
        if (s <= 0.02) return null;
        double half = Math.max(a, b) * s + 2;
        double x = cx + driftX * dz, y = cy + driftY * dz;
        return new double[] {x - half, x + half, y - half, y + half};
    }
}
