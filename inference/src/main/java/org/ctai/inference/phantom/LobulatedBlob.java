package org.ctai.inference.phantom;

import java.util.SplittableRandom;

/**
 * An irregular, lobulated ellipsoid: the radius along each direction u (unit vector in the blob's own
 * frame) is the ellipsoid's radius times {@code 1 + sum of low-order spherical harmonics of u}.
 *
 * <p>The harmonics are written as polynomials of u (Re((ux + i uy)^m) and friends) so that no
 * trigonometry runs per voxel and the result does not depend on the platform's {@code Math.sin}.
 * Immutable.
 */
final class LobulatedBlob implements Region {

    private static final int MAX_ORDER = 5;

    private final double cx, cy, cz, a, b, c;
    /** Rows of the rotation from patient to blob frame. */
    private final double[] r;
    /** For order m = 2..MAX_ORDER: amplitude, cos and sin of the phase of the sectoral harmonic. */
    private final double[] sectoral;
    private final double zonal, tesseral, tesseralCos, tesseralSin;
    private final double maxRadius;

    private LobulatedBlob(double cx, double cy, double cz, double a, double b, double c, double[] r,
                          double[] sectoral, double zonal, double tesseral, double tesseralCos, double tesseralSin) {
        this.cx = cx;
        this.cy = cy;
        this.cz = cz;
        this.a = a;
        this.b = b;
        this.c = c;
        this.r = r;
        this.sectoral = sectoral;
        this.zonal = zonal;
        this.tesseral = tesseral;
        this.tesseralCos = tesseralCos;
        this.tesseralSin = tesseralSin;
        double amplitude = Math.abs(zonal) + Math.abs(tesseral);
        for (int i = 0; i < sectoral.length; i += 3) amplitude += Math.abs(sectoral[i]);
        this.maxRadius = Math.max(a, Math.max(b, c)) * (1 + amplitude);
    }

    /**
     * A random blob: orientation, axis ratios and lobulation drawn from {@code random}; mean radius
     * {@code radiusMm}. {@code lobulation} 0 gives a plain ellipsoid, 1 a clearly lobulated one.
     */
    static LobulatedBlob random(SplittableRandom random, double cx, double cy, double cz, double radiusMm, double lobulation) {
        double ra = radiusMm * (0.8 + 0.4 * random.nextDouble());
        double rb = radiusMm * (0.8 + 0.4 * random.nextDouble());
        double rc = radiusMm * (0.75 + 0.45 * random.nextDouble());
        double yaw = random.nextDouble() * 2 * Math.PI, pitch = (random.nextDouble() - 0.5) * 0.8;
        double cyaw = StrictMath.cos(yaw), syaw = StrictMath.sin(yaw), cp = StrictMath.cos(pitch), sp = StrictMath.sin(pitch);
        // rotation about z by yaw, then about the new x by pitch; rows map patient offsets into the blob frame
        double[] rot = {
                cyaw, syaw, 0,
                -syaw * cp, cyaw * cp, sp,
                syaw * sp, -cyaw * sp, cp};
        double[] sectoral = new double[3 * (MAX_ORDER - 1)];
        for (int m = 2; m <= MAX_ORDER; m++) {
            double phase = random.nextDouble() * 2 * Math.PI;
            int i = 3 * (m - 2);
            sectoral[i] = lobulation * (0.02 + 0.10 * random.nextDouble()) * (m <= 3 ? 1 : 0.6);
            sectoral[i + 1] = StrictMath.cos(phase);
            sectoral[i + 2] = StrictMath.sin(phase);
        }
        double zonal = lobulation * 0.08 * (random.nextDouble() - 0.5);
        double tPhase = random.nextDouble() * 2 * Math.PI;
        double tesseral = lobulation * 0.12 * random.nextDouble();
        return new LobulatedBlob(cx, cy, cz, ra, rb, rc, rot, sectoral, zonal, tesseral,
                StrictMath.cos(tPhase), StrictMath.sin(tPhase));
    }

    /** The same shape about the same centre with every radius multiplied by {@code factor}. */
    LobulatedBlob scaled(double factor) {
        return new LobulatedBlob(cx, cy, cz, a * factor, b * factor, c * factor, r, sectoral, zonal, tesseral, tesseralCos, tesseralSin);
    }

    double centreX() { return cx; }

    double centreY() { return cy; }

    double centreZ() { return cz; }

    /** Largest radius any direction can reach, mm. */
    double maxRadiusMm() { return maxRadius; }

    /** Nominal volume of the underlying ellipsoid, mm3 (the lobulation changes it by a few per cent). */
    double ellipsoidVolumeMm3() { return 4.0 / 3.0 * Math.PI * a * b * c; }

    private double radiusFactor(double ux, double uy, double uz) {
        double f = 1 + zonal * (3 * uz * uz - 1) * 0.5;
        // (ux + i uy)^m by repeated complex multiplication, starting from m = 1
        double re = ux, im = uy;
        f += tesseral * uz * (re * tesseralCos + im * tesseralSin);
        for (int m = 2; m <= MAX_ORDER; m++) {
            double nre = re * ux - im * uy, nim = re * uy + im * ux;
            re = nre;
            im = nim;
            int i = 3 * (m - 2);
            f += sectoral[i] * (re * sectoral[i + 1] + im * sectoral[i + 2]);
        }
        return f;
    }

    @Override
    public double coverage(double x, double y, double z, double pixelMm, double sliceMm) {
        double dx = x - cx, dy = y - cy, dz = z - cz;
        double dist2 = dx * dx + dy * dy + dz * dz;
        if (dist2 == 0) return 1;
        double reach = maxRadius + pixelMm + sliceMm;
        if (dist2 > reach * reach) return 0;
        double px = r[0] * dx + r[1] * dy + r[2] * dz;
        double py = r[3] * dx + r[4] * dy + r[5] * dz;
        double pz = r[6] * dx + r[7] * dy + r[8] * dz;
        double qx = px / a, qy = py / b, qz = pz / c;
        double rho = Math.sqrt(qx * qx + qy * qy + qz * qz);
        double factor = radiusFactor(qx / rho, qy / rho, qz / rho);
        double dist = Math.sqrt(dist2);
        // distance along the ray from the centre to the surface; exact sign, approximate magnitude
        double radial = dist * (1 - factor / rho);
        double nIn2 = (dx * dx + dy * dy) / dist2, nZ2 = dz * dz / dist2;
        double width = Math.sqrt(nIn2 * pixelMm * pixelMm + nZ2 * sliceMm * sliceMm);
        return Region.ramp(radial, width);
    }

    @Override
    public double[] boundsAt(double z) {
        double reach = maxRadius + 2;
        if (Math.abs(z - cz) > reach + 20) return null;
        return new double[] {cx - reach, cx + reach, cy - reach, cy + reach};
    }
}
