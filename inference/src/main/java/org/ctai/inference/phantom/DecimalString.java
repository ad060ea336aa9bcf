package org.ctai.inference.phantom;

import java.math.BigDecimal;
import java.math.MathContext;

/** Numbers as DICOM Decimal Strings (DS, at most 16 characters), and the value such a string reads back as. */
final class DecimalString {

    private static final int MAX_LENGTH = 16;

    private DecimalString() {
    }

    static String format(double value) {
        if (!Double.isFinite(value)) throw new IllegalArgumentException("DS cannot hold " + value);
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            String s = Long.toString((long) value);
            if (s.length() <= MAX_LENGTH) return s;
        }
        for (int digits = 15; digits > 0; digits--) {
            String s = new BigDecimal(value).round(new MathContext(digits)).stripTrailingZeros().toPlainString();
            if (s.length() > MAX_LENGTH) s = new BigDecimal(value).round(new MathContext(digits)).stripTrailingZeros().toString();
            if (s.length() <= MAX_LENGTH) return s;
        }
        throw new IllegalArgumentException("DS cannot hold " + value);
    }

    /** The value a reader gets back from {@link #format(double)}. */
    static double roundTrip(double value) {
        return Double.parseDouble(format(value));
    }
}
