package org.ctai.inference.measure;

import org.ctai.inference.series.Geometry;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.imgproc.Imgproc;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Masks to lesions: per slice, OpenCV's connected components (8- or 4-connected by the settings), then
 * pieces of adjacent slices joined (union-find) where they touch in 3-D, then lesions whose largest area on
 * any slice is below the settings' minimum dropped. The size filter runs on the 3-D lesion, not on each
 * 2-D piece: the small cap of a large lesion on its first or last slice stays part of it (and of its
 * volume), while an isolated speck still goes. Keeps only one slice of labels at a time; what it returns is
 * bounded by the lesion pixels.
 */
final class LesionLabeller {

    /** Footprints per slice (outer index = slice), and how many lesions there are. */
    record LesionMap(int lesionCount, List<List<Footprint>> bySlice) {
    }

    /** One 2-D connected component of one slice. */
    private record Piece(int id, int slice, int x, int y, int width, int height, byte[] mask, int pixelCount) {
    }

    private final MeasurementSettings settings;

    LesionLabeller(MeasurementSettings settings) {
        this.settings = settings;
    }

    /** @param slabs which adjacent slices are contiguous: pieces are never linked across a gap */
    LesionMap label(Geometry geometry, List<byte[]> masks, SliceSlabs slabs) {
        int rows = geometry.rows();
        int columns = geometry.columns();
        boolean full = settings.connectivity() == MeasurementSettings.Connectivity.FULL_26;
        UnionFind sets = new UnionFind();
        List<Piece> pieces = new ArrayList<>();
        int[] previous = null; // piece id + 1 per pixel of the previous slice, 0 = background
        for (int z = 0; z < masks.size(); z++) {
            byte[] mask = masks.get(z);
            if (isEmpty(mask)) {
                previous = null;
                continue;
            }
            int[] current = labelSlice(z, mask, rows, columns, full, sets, pieces);
            if (previous != null && slabs.joinsNext(z - 1)) link(previous, current, rows, columns, full, sets);
            previous = current;
        }
        return group(pieces, sets, masks.size(), settings.minComponentAreaMm2() / geometry.pixelAreaMm2());
    }

    private static int[] labelSlice(int z, byte[] mask, int rows, int columns, boolean full,
                                    UnionFind sets, List<Piece> pieces) {
        Mat image = new Mat(rows, columns, CvType.CV_8UC1);
        Mat labels = new Mat();
        Mat stats = new Mat();
        Mat centroids = new Mat();
        try {
            image.put(0, 0, mask);
            int count = Imgproc.connectedComponentsWithStats(image, labels, stats, centroids, full ? 8 : 4, CvType.CV_32S);
            int[] local = new int[rows * columns];
            labels.get(0, 0, local);
            int[] globalOf = new int[count]; // local label -> piece id + 1
            int[] stat = new int[5];
            List<int[]> kept = new ArrayList<>();
            for (int label = 1; label < count; label++) {
                stats.get(label, 0, stat);
                int area = stat[Imgproc.CC_STAT_AREA];
                int id = sets.add();
                globalOf[label] = id + 1;
                kept.add(new int[] {label, id, stat[Imgproc.CC_STAT_LEFT], stat[Imgproc.CC_STAT_TOP],
                        stat[Imgproc.CC_STAT_WIDTH], stat[Imgproc.CC_STAT_HEIGHT], area});
            }
            for (int i = 0; i < local.length; i++) local[i] = globalOf[local[i]];
            for (int[] k : kept) {
                int x = k[2], y = k[3], w = k[4], h = k[5];
                byte[] crop = new byte[w * h];
                for (int r = 0; r < h; r++) {
                    int rowStart = (y + r) * columns + x;
                    for (int c = 0; c < w; c++) {
                        if (local[rowStart + c] == k[1] + 1) crop[r * w + c] = 1;
                    }
                }
                pieces.add(new Piece(k[1], z, x, y, w, h, crop, k[6]));
            }
            return local;
        } finally {
            image.release();
            labels.release();
            stats.release();
            centroids.release();
        }
    }

    private static void link(int[] previous, int[] current, int rows, int columns, boolean full, UnionFind sets) {
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < columns; c++) {
                int here = current[r * columns + c];
                if (here == 0) continue;
                if (!full) {
                    int there = previous[r * columns + c];
                    if (there != 0) sets.union(here - 1, there - 1);
                    continue;
                }
                for (int dr = -1; dr <= 1; dr++) {
                    int rr = r + dr;
                    if (rr < 0 || rr >= rows) continue;
                    for (int dc = -1; dc <= 1; dc++) {
                        int cc = c + dc;
                        if (cc < 0 || cc >= columns) continue;
                        int there = previous[rr * columns + cc];
                        if (there != 0) sets.union(here - 1, there - 1);
                    }
                }
            }
        }
    }

    /**
     * Groups pieces by lesion and slice, drops lesions whose largest slice has fewer than {@code minPixels}
     * pixels, and numbers the rest by decreasing voxel count, then first slice.
     */
    private static LesionMap group(List<Piece> pieces, UnionFind sets, int sliceCount, double minPixels) {
        Map<Integer, List<Piece>> byRoot = new HashMap<>();
        for (Piece p : pieces) byRoot.computeIfAbsent(sets.find(p.id()), k -> new ArrayList<>()).add(p);
        List<List<Piece>> lesions = new ArrayList<>();
        for (List<Piece> lesion : byRoot.values()) if (largestSlicePixels(lesion) >= minPixels) lesions.add(lesion);
        // pieces were created in slice and raster order, so the first piece's id breaks ties deterministically
        lesions.sort(Comparator.<List<Piece>>comparingLong(l -> -l.stream().mapToLong(Piece::pixelCount).sum())
                .thenComparingInt(l -> l.get(0).id()));
        List<List<Footprint>> bySlice = new ArrayList<>(sliceCount);
        for (int z = 0; z < sliceCount; z++) bySlice.add(new ArrayList<>());
        for (int lesion = 0; lesion < lesions.size(); lesion++) {
            Map<Integer, List<Piece>> perSlice = new HashMap<>();
            for (Piece p : lesions.get(lesion)) perSlice.computeIfAbsent(p.slice(), k -> new ArrayList<>()).add(p);
            for (Map.Entry<Integer, List<Piece>> e : perSlice.entrySet()) {
                bySlice.get(e.getKey()).add(merge(lesion, e.getKey(), e.getValue()));
            }
        }
        List<List<Footprint>> frozen = new ArrayList<>(sliceCount);
        for (List<Footprint> f : bySlice) {
            f.sort(Comparator.comparingInt(Footprint::lesion));
            frozen.add(List.copyOf(f));
        }
        return new LesionMap(lesions.size(), List.copyOf(frozen));
    }

    private static long largestSlicePixels(List<Piece> lesion) {
        Map<Integer, Long> perSlice = new HashMap<>();
        for (Piece p : lesion) perSlice.merge(p.slice(), (long) p.pixelCount(), Long::sum);
        return perSlice.values().stream().mapToLong(Long::longValue).max().orElse(0);
    }

    private static Footprint merge(int lesion, int slice, List<Piece> parts) {
        int x0 = Integer.MAX_VALUE, y0 = Integer.MAX_VALUE, x1 = Integer.MIN_VALUE, y1 = Integer.MIN_VALUE;
        int pixels = 0;
        for (Piece p : parts) {
            x0 = Math.min(x0, p.x());
            y0 = Math.min(y0, p.y());
            x1 = Math.max(x1, p.x() + p.width());
            y1 = Math.max(y1, p.y() + p.height());
            pixels += p.pixelCount();
        }
        int w = x1 - x0, h = y1 - y0;
        byte[] mask = new byte[w * h];
        for (Piece p : parts) {
            for (int r = 0; r < p.height(); r++) {
                for (int c = 0; c < p.width(); c++) {
                    if (p.mask()[r * p.width() + c] != 0) mask[(p.y() - y0 + r) * w + (p.x() - x0 + c)] = 1;
                }
            }
        }
        List<Footprint.Piece> own = new ArrayList<>(parts.size());
        for (Piece p : parts) own.add(new Footprint.Piece(p.x(), p.y(), p.width(), p.height(), p.mask(), p.pixelCount()));
        return new Footprint(lesion, slice, x0, y0, w, h, mask, pixels, own);
    }

    private static boolean isEmpty(byte[] mask) {
        for (byte b : mask) if (b != 0) return false;
        return true;
    }

    /** Disjoint sets over piece ids, with path halving and union by size. */
    private static final class UnionFind {
        private int[] parent = new int[64];
        private int[] size = new int[64];
        private int count;

        int add() {
            if (count == parent.length) {
                parent = Arrays.copyOf(parent, count * 2);
                size = Arrays.copyOf(size, count * 2);
            }
            parent[count] = count;
            size[count] = 1;
            return count++;
        }

        int find(int a) {
            while (parent[a] != a) {
                parent[a] = parent[parent[a]];
                a = parent[a];
            }
            return a;
        }

        void union(int a, int b) {
            int ra = find(a), rb = find(b);
            if (ra == rb) return;
            if (size[ra] < size[rb]) { int t = ra; ra = rb; rb = t; }
            parent[rb] = ra;
            size[ra] += size[rb];
        }
    }
}
