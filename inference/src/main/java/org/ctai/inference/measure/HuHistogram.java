package org.ctai.inference.measure;

/**
 * Exact histogram of HU values (one bin per integer HU over the range seen), so that statistics, the
 * median included, can be computed exactly and merged across slices without keeping the voxels.
 * Single-threaded.
 */
final class HuHistogram {

    private long[] counts = new long[0];
    private int offset; // HU of counts[0]
    private long total;

    void add(int hu) {
        if (counts.length == 0) {
            counts = new long[1];
            offset = hu;
        } else if (hu < offset || hu >= offset + counts.length) {
            grow(Math.min(hu, offset), Math.max(hu, offset + counts.length - 1));
        }
        counts[hu - offset]++;
        total++;
    }

    void addAll(HuHistogram other) {
        if (other.total == 0) return;
        if (total == 0) {
            counts = other.counts.clone();
            offset = other.offset;
            total = other.total;
            return;
        }
        grow(Math.min(offset, other.offset), Math.max(offset + counts.length, other.offset + other.counts.length) - 1);
        for (int i = 0; i < other.counts.length; i++) counts[other.offset - offset + i] += other.counts[i];
        total += other.total;
    }

    private void grow(int low, int high) {
        long[] bigger = new long[high - low + 1];
        System.arraycopy(counts, 0, bigger, offset - low, counts.length);
        counts = bigger;
        offset = low;
    }

    long total() {
        return total;
    }

    HuStatistics statistics() {
        if (total == 0) throw new IllegalStateException("no HU values");
        double sum = 0;
        int min = Integer.MAX_VALUE, max = Integer.MIN_VALUE;
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] == 0) continue;
            int hu = offset + i;
            sum += (double) counts[i] * hu;
            min = Math.min(min, hu);
            max = Math.max(max, hu);
        }
        double mean = sum / total;
        double m2 = 0, m3 = 0, m4 = 0;
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] == 0) continue;
            double d = offset + i - mean;
            double d2 = d * d;
            m2 += counts[i] * d2;
            m3 += counts[i] * d2 * d;
            m4 += counts[i] * d2 * d2;
        }
        m2 /= total;
        m3 /= total;
        m4 /= total;
        double skewness = m2 > 0 ? m3 / Math.pow(m2, 1.5) : 0;
        double kurtosis = m2 > 0 ? m4 / (m2 * m2) : 0;
        double median = total % 2 == 1
                ? valueAtRank(total / 2)
                : (valueAtRank(total / 2 - 1) + valueAtRank(total / 2)) / 2.0;
        return new HuStatistics(total, mean, Math.sqrt(m2), min, max, median, skewness, kurtosis);
    }

    /** The value at 0-based rank {@code rank} in ascending order. */
    private int valueAtRank(long rank) {
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen > rank) return offset + i;
        }
        throw new IllegalStateException("rank " + rank + " beyond " + total + " values");
    }
}
