package org.ctai.srwriter;

import org.ctai.inference.overlay.CtWindow;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What {@link ResultWriter} writes and how the new series are labelled. Immutable; the constructor rejects
 * bad values and names every one.
 *
 * @param segSeriesNumber          Series Number of the SEG series
 * @param segSeriesDescription     Series Description of the SEG series
 * @param srSeriesNumber           Series Number of the SR series (used once the SR is written)
 * @param srSeriesDescription      Series Description of the SR series
 * @param overlaySeriesNumber      Series Number of the overlay series
 * @param overlaySeriesDescription Series Description of the overlay series
 * @param overlays                 write overlay Secondary Captures: one per lesion, on its largest slice
 * @param window                   CT window of the overlays
 * @param deviceSerialNumber       Device Serial Number of the node (General Equipment), identifies the installation
 */
public record ResultOptions(int segSeriesNumber, String segSeriesDescription,
                           int srSeriesNumber, String srSeriesDescription,
                           int overlaySeriesNumber, String overlaySeriesDescription,
                           boolean overlays, CtWindow window, String deviceSerialNumber) {

    /** High series numbers keep derived series after the scanner's own (which count from 1) in a viewer's list. */
    public static final int DEFAULT_SEG_SERIES_NUMBER = 9001;
    public static final String DEFAULT_SEG_SERIES_DESCRIPTION = "CTAI SEG";
    public static final int DEFAULT_SR_SERIES_NUMBER = 9002;
    public static final String DEFAULT_SR_SERIES_DESCRIPTION = "CTAI Measurement Report";
    public static final int DEFAULT_OVERLAY_SERIES_NUMBER = 9003;
    public static final String DEFAULT_OVERLAY_SERIES_DESCRIPTION = "CTAI overlays";
    public static final boolean DEFAULT_OVERLAYS = true;
    public static final CtWindow DEFAULT_WINDOW = CtWindow.SOFT_TISSUE;
    public static final String DEFAULT_DEVICE_SERIAL_NUMBER = "1";
    /** DICOM LO (Series Description) holds at most 64 characters. */
    static final int MAX_DESCRIPTION = 64;

    public ResultOptions {
        List<String> problems = new ArrayList<>();
        checkSeries("seg", segSeriesNumber, segSeriesDescription, problems);
        checkSeries("sr", srSeriesNumber, srSeriesDescription, problems);
        checkSeries("overlay", overlaySeriesNumber, overlaySeriesDescription, problems);
        if (window == null) problems.add("results.overlay-window missing");
        if (deviceSerialNumber == null || deviceSerialNumber.isBlank() || deviceSerialNumber.length() > 64) {
            problems.add("results.device-serial-number must be 1..64 characters, was '" + deviceSerialNumber + "'");
        }
        if (!problems.isEmpty()) throw new IllegalArgumentException("invalid result options: " + String.join("; ", problems));
    }

    /** Every default: series 9001 "CTAI SEG", 9002 SR, 9003 "CTAI overlays", overlays on, W400/L40. */
    public static ResultOptions defaults() {
        return new ResultOptions(DEFAULT_SEG_SERIES_NUMBER, DEFAULT_SEG_SERIES_DESCRIPTION,
                DEFAULT_SR_SERIES_NUMBER, DEFAULT_SR_SERIES_DESCRIPTION,
                DEFAULT_OVERLAY_SERIES_NUMBER, DEFAULT_OVERLAY_SERIES_DESCRIPTION,
                DEFAULT_OVERLAYS, DEFAULT_WINDOW, DEFAULT_DEVICE_SERIAL_NUMBER);
    }

    public ResultOptions withOverlays(boolean v) {
        return new ResultOptions(segSeriesNumber, segSeriesDescription, srSeriesNumber, srSeriesDescription,
                overlaySeriesNumber, overlaySeriesDescription, v, window, deviceSerialNumber);
    }

    public ResultOptions withDeviceSerialNumber(String v) {
        return new ResultOptions(segSeriesNumber, segSeriesDescription, srSeriesNumber, srSeriesDescription,
                overlaySeriesNumber, overlaySeriesDescription, overlays, window, v);
    }

    private static void checkSeries(String key, int number, String description, List<String> problems) {
        if (number < 0) problems.add("results." + key + "-series-number must be 0 or more, was " + number);
        if (description == null || description.length() > MAX_DESCRIPTION || description.contains("\\")) {
            problems.add("results." + key + "-series-description must be at most " + MAX_DESCRIPTION
                    + " characters without '\\', was '" + description + "'");
        }
    }
}
