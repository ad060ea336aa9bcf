package org.ctai.inference;

/** Loads OpenCV's native library from the openpnp jar, once per class loader. */
public final class OpenCvNatives {

    private OpenCvNatives() {
    }

    private static final class Holder {
        static {
            // loadShared does not work on Java >= 12; loadLocally extracts and System.load()s the library
            nu.pattern.OpenCV.loadLocally();
        }

        static void touch() {
        }
    }

    public static void load() {
        Holder.touch();
    }
}
