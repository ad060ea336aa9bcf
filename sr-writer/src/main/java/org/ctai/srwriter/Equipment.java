package org.ctai.srwriter;

import java.util.Objects;

/**
 * The device that creates the results, as General Equipment and Enhanced General Equipment describe it (all
 * four values Type 1 for a SEG), and as the SR's device observer names it. Immutable.
 *
 * @param manufacturer       Manufacturer, {@value #MANUFACTURER} for the node
 * @param modelName          Manufacturer's Model Name
 * @param softwareVersion    Software Versions: the node's version
 * @param deviceSerialNumber Device Serial Number: identifies this installation (for example a host name or a
 *                           configured node id)
 */
public record Equipment(String manufacturer, String modelName, String softwareVersion, String deviceSerialNumber) {

    /** Manufacturer of everything the node writes. */
    public static final String MANUFACTURER = CommonModules.MANUFACTURER;
    /** Manufacturer's Model Name of the node. */
    public static final String MODEL_NAME = "CTAI Node";

    public Equipment {
        requireText(manufacturer, "manufacturer");
        requireText(modelName, "modelName");
        requireText(softwareVersion, "softwareVersion");
        requireText(deviceSerialNumber, "deviceSerialNumber");
    }

    /** The node: manufacturer and model {@value #MODEL_NAME}, the software version the model info carries. */
    public static Equipment node(ModelInfo model, String deviceSerialNumber) {
        return new Equipment(MANUFACTURER, MODEL_NAME, model.softwareVersion(), deviceSerialNumber);
    }

    private static void requireText(String value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isBlank()) throw new IllegalArgumentException(name + " must not be blank");
    }
}
