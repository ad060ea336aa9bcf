package org.ctai.inference.series;

import java.util.Optional;

/**
 * How one slice stores its pixels and how they become Hounsfield units: the stored bits (masked to
 * Bits Stored below High Bit, sign-extended when Pixel Representation is 1), then
 * {@code HU = stored * slope + intercept}, with padding pixels replaced by the padding's fill value.
 */
record PixelEncoding(int bitsAllocated, int bitsStored, int highBit, boolean signed,
                     double slope, double intercept, Optional<PixelPadding> padding) {

    PixelEncoding {
        if (bitsAllocated != 8 && bitsAllocated != 16) {
            throw new IllegalArgumentException("Bits Allocated " + bitsAllocated + " (need 8 or 16)");
        }
        if (bitsStored < 1 || bitsStored > bitsAllocated) {
            throw new IllegalArgumentException("Bits Stored " + bitsStored + " with Bits Allocated " + bitsAllocated);
        }
        if (highBit < bitsStored - 1 || highBit >= bitsAllocated) {
            throw new IllegalArgumentException("High Bit " + highBit + " with Bits Stored " + bitsStored
                    + " and Bits Allocated " + bitsAllocated);
        }
    }

    int bytesPerPixel() {
        return bitsAllocated / 8;
    }

    /** The stored value of a raw 8- or 16-bit sample (given as its unsigned bits). */
    int storedValue(int rawBits) {
        int shift = highBit + 1 - bitsStored;
        int value = (rawBits >>> shift) & ((1 << bitsStored) - 1);
        if (signed && (value & (1 << (bitsStored - 1))) != 0) {
            value -= 1 << bitsStored;
        }
        return value;
    }

    void toHu(short[] raw, float[] hu) {
        PixelPadding pad = padding.orElse(null);
        for (int i = 0; i < hu.length; i++) {
            hu[i] = huOf(storedValue(raw[i] & 0xFFFF), pad);
        }
    }

    void toHu(byte[] raw, float[] hu) {
        PixelPadding pad = padding.orElse(null);
        for (int i = 0; i < hu.length; i++) {
            hu[i] = huOf(storedValue(raw[i] & 0xFF), pad);
        }
    }

    private float huOf(int stored, PixelPadding pad) {
        if (pad != null && pad.contains(stored)) {
            return pad.fillHu();
        }
        return (float) (stored * slope + intercept);
    }
}
