package org.ctai.inference.series;

/**
 * Pixel padding declared by a series (Pixel Padding Value, optionally with Pixel Padding Range Limit):
 * stored pixel values from {@code lowStoredValue} to {@code highStoredValue} inclusive mark pixels
 * outside the scanned field of view. {@link Volume#readSlices} returns {@code fillHu} for them instead
 * of rescaling them. Immutable.
 */
public record PixelPadding(int lowStoredValue, int highStoredValue, float fillHu) {

    public PixelPadding {
        if (lowStoredValue > highStoredValue) {
            throw new IllegalArgumentException("padding range " + lowStoredValue + ".." + highStoredValue + " is empty");
        }
    }

    boolean contains(int storedValue) {
        return storedValue >= lowStoredValue && storedValue <= highStoredValue;
    }
}
