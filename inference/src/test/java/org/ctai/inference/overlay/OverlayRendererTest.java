package org.ctai.inference.overlay;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.imgcodecs.Imgcodecs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OverlayRendererTest {

    private static final int ROWS = 48;
    private static final int COLUMNS = 64;

    @BeforeAll
    static void loadOpenCv() {
        nu.pattern.OpenCV.loadLocally();
    }

    /** Decoded image as int[row][column][bgr]. */
    private static int[][][] decode(byte[] png) {
        Mat image = Imgcodecs.imdecode(new MatOfByte(png), Imgcodecs.IMREAD_UNCHANGED);
        try {
            assertThat(image.rows()).isEqualTo(ROWS);
            assertThat(image.cols()).isEqualTo(COLUMNS);
            assertThat(image.channels()).isEqualTo(3);
            int[][][] pixels = new int[ROWS][COLUMNS][3];
            byte[] bgr = new byte[3];
            for (int r = 0; r < ROWS; r++) {
                for (int c = 0; c < COLUMNS; c++) {
                    image.get(r, c, bgr);
                    for (int k = 0; k < 3; k++) pixels[r][c][k] = bgr[k] & 0xff;
                }
            }
            return pixels;
        } finally {
            image.release();
        }
    }

    /** A disk of radius 10 pixels centred at row 24, column 30. */
    private static byte[] disk() {
        byte[] mask = new byte[ROWS * COLUMNS];
        for (int r = 0; r < ROWS; r++) {
            for (int c = 0; c < COLUMNS; c++) {
                if ((r - 24) * (r - 24) + (c - 30) * (c - 30) <= 100) mask[r * COLUMNS + c] = 1;
            }
        }
        return mask;
    }

    private static boolean isBoundary(byte[] mask, int r, int c) {
        if (mask[r * COLUMNS + c] == 0) return false;
        return mask[(r - 1) * COLUMNS + c] == 0 || mask[(r + 1) * COLUMNS + c] == 0
                || mask[r * COLUMNS + c - 1] == 0 || mask[r * COLUMNS + c + 1] == 0;
    }

    @Test
    void drawsEveryMaskBoundaryPixelInGreenAndLeavesTheInsideGray() {
        byte[] mask = disk();
        short[] hu = new short[ROWS * COLUMNS];
        java.util.Arrays.fill(hu, (short) 140);
        int[][][] image = decode(new OverlayRenderer().renderPng(ROWS, COLUMNS, hu, mask));

        int boundary = 0;
        for (int r = 1; r < ROWS - 1; r++) {
            for (int c = 1; c < COLUMNS - 1; c++) {
                if (!isBoundary(mask, r, c)) continue;
                boundary++;
                assertThat(image[r][c]).as("pixel (%d, %d)", r, c).containsExactly(0, 255, 0);
            }
        }
        assertThat(boundary).isGreaterThan(40);
        // 140 HU in W400/L40: 255 * (140 - (-160)) / 400 = 191.25 -> 191
        assertThat(image[24][30]).containsExactly(191, 191, 191);
        assertThat(image[2][2]).containsExactly(191, 191, 191);
    }

    @Test
    void appliesTheWindowAndClipsOutsideIt() {
        short[] hu = new short[ROWS * COLUMNS];
        hu[0] = -1000; // below -160: black
        hu[1] = -160;  // window bottom: 0
        hu[2] = 240;   // window top: 255
        hu[3] = 3000;  // above: white
        hu[4] = 140;   // 191.25 -> 191
        int[][][] soft = decode(new OverlayRenderer().renderPng(ROWS, COLUMNS, hu, new byte[ROWS * COLUMNS]));
        // lung-like W1500/L-600: -600 -> 127.5 -> 128 (OpenCV rounds half to even); -1000 -> 255 * 350 / 1500 = 59.5 -> 60
        short[] lungHu = new short[ROWS * COLUMNS];
        lungHu[0] = -600;
        lungHu[1] = -1000;
        int[][][] lung = decode(new OverlayRenderer(new CtWindow(-600, 1500)).renderPng(ROWS, COLUMNS, lungHu, new byte[ROWS * COLUMNS]));

        assertThat(new int[] {soft[0][0][1], soft[0][1][1], soft[0][2][1], soft[0][3][1], soft[0][4][1]})
                .containsExactly(0, 0, 255, 255, 191);
        assertThat(lung[0][0]).containsExactly(128, 128, 128);
        assertThat(lung[0][1]).containsExactly(60, 60, 60);
    }

    @Test
    void anEmptyMaskDrawsNoGreen() {
        int[][][] image = decode(new OverlayRenderer().renderPng(ROWS, COLUMNS, new short[ROWS * COLUMNS], new byte[ROWS * COLUMNS]));

        for (int[][] row : image) for (int[] p : row) assertThat(p[0]).isEqualTo(p[1]);
    }

    @Test
    void refusesArraysOfTheWrongSizeAndBadWindows() {
        OverlayRenderer renderer = new OverlayRenderer();

        assertThatThrownBy(() -> renderer.renderPng(ROWS, COLUMNS, new short[5], new byte[ROWS * COLUMNS]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("hu has 5 values");
        assertThatThrownBy(() -> new CtWindow(40, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("width").hasMessageContaining("0.0");
    }
}
