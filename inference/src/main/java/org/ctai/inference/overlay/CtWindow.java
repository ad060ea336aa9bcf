package org.ctai.inference.overlay;

/**
 * A CT display window: HU from {@code centreHu - widthHu / 2} (black) to {@code centreHu + widthHu / 2}
 * (white), linear in between, clipped outside. Immutable.
 *
 * @param centreHu window centre (level), HU
 * @param widthHu  window width, HU, positive
 */
public record CtWindow(double centreHu, double widthHu) {

    /** Soft-tissue window, W400/L40. */
    public static final CtWindow SOFT_TISSUE = new CtWindow(40, 400);

    /** @throws IllegalArgumentException when the width is not positive or a value is not finite */
    public CtWindow {
        if (!Double.isFinite(centreHu)) throw new IllegalArgumentException("window centre must be finite, was " + centreHu);
        if (!(widthHu > 0) || Double.isInfinite(widthHu)) {
            throw new IllegalArgumentException("window width must be a positive number of HU, was " + widthHu);
        }
    }

    /** Lowest HU shown above black. */
    public double lowerHu() {
        return centreHu - widthHu / 2;
    }
}
