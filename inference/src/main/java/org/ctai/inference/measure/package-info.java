/**
 * Lesion measurements in physical units: binary masks and Hounsfield units in, immutable records out.
 *
 * <p>{@link org.ctai.inference.measure.LesionMeasurer} finds lesions as 3-D connected components of the
 * segmentation masks (not linked across gaps in the series; lesions smaller than a minimum area dropped
 * after linking) and measures each lesion per slice (area, perimeter, centroid, moment ellipse, longest
 * diameter and short axis within one connected piece, HU statistics, GLGCM texture) and as a whole
 * (volume from each slice's own slab, largest area, longest axial diameter and its short axis, HU
 * statistics, slice range). HU arrive slice by slice
 * through a {@link org.ctai.inference.measure.MeasurementRun}, so a long series never has to sit in memory
 * as a whole. Every number is in mm, mm2, mm3, mL or HU, or is unitless and says so; nothing is in pixels.
 * OpenCV does the image work; its native memory is released before each call returns.
 *
 * <p>Beside the lesions, {@link org.ctai.inference.measure.BodyOutliner} measures the patient's body on each slice
 * (largest region above -300 HU: area, centroid, clamped mean HU) into a {@link org.ctai.inference.measure.BodyProfile},
 * with which the patient page aligns studies of one patient before matching their lesions.
 */
package org.ctai.inference.measure;
