package org.ctai.inference.phantom;

import java.util.SplittableRandom;

/**
 * Attenuation of one tissue, HU: a base value plus, optionally, a smooth low-frequency texture made
 * of three plane waves (parenchymal inhomogeneity). Immutable.
 */
final class Tissue {

    private final double baseHu;
    private final double textureHu;
    /** For each wave: kx, ky, kz (rad/mm) and phase. */
    private final double[] waves;

    private Tissue(double baseHu, double textureHu, double[] waves) {
        this.baseHu = baseHu;
        this.textureHu = textureHu;
        this.waves = waves;
    }

    static Tissue uniform(double hu) {
        return new Tissue(hu, 0, new double[0]);
    }

    /** {@code textureHu} is about the standard deviation of the texture; wavelengths are 15..60 mm. */
    static Tissue textured(double hu, double textureHu, SplittableRandom random) {
        double[] waves = new double[12];
        for (int i = 0; i < 3; i++) {
            double wavelength = 15 + 45 * random.nextDouble();
            double k = 2 * Math.PI / wavelength;
            double theta = random.nextDouble() * Math.PI, phi = random.nextDouble() * 2 * Math.PI;
            waves[4 * i] = k * StrictMath.sin(theta) * StrictMath.cos(phi);
            waves[4 * i + 1] = k * StrictMath.sin(theta) * StrictMath.sin(phi);
            waves[4 * i + 2] = k * StrictMath.cos(theta);
            waves[4 * i + 3] = random.nextDouble() * 2 * Math.PI;
        }
        return new Tissue(hu, textureHu, waves);
    }

    double baseHu() {
        return baseHu;
    }

    double hu(double x, double y, double z) {
        if (textureHu == 0) return baseHu;
        double sum = 0;
        for (int i = 0; i < waves.length; i += 4) {
            sum += StrictMath.sin(waves[i] * x + waves[i + 1] * y + waves[i + 2] * z + waves[i + 3]);
        }
        // each wave has variance 1/2, three of them 3/2
        return baseHu + textureHu * sum * 0.8165;
    }
}
