package org.ctai.inference.series;

/** A point or direction in the patient coordinate system (LPS), mm. */
public record Vector3(double x, double y, double z) {

    public Vector3 plus(Vector3 o) { return new Vector3(x + o.x, y + o.y, z + o.z); }

    public Vector3 minus(Vector3 o) { return new Vector3(x - o.x, y - o.y, z - o.z); }

    public Vector3 times(double f) { return new Vector3(x * f, y * f, z * f); }

    public double dot(Vector3 o) { return x * o.x + y * o.y + z * o.z; }

    public Vector3 cross(Vector3 o) {
        return new Vector3(y * o.z - z * o.y, z * o.x - x * o.z, x * o.y - y * o.x);
    }

    public double length() { return Math.sqrt(dot(this)); }

    public Vector3 normalized() {
        double l = length();
        if (!(l > 0)) throw new IllegalArgumentException("zero-length vector");
        return times(1 / l);
    }

    /** From a DICOM triplet such as Image Position (Patient). */
    public static Vector3 of(double[] v) {
        if (v == null || v.length < 3) throw new IllegalArgumentException("need 3 values");
        return new Vector3(v[0], v[1], v[2]);
    }
}
