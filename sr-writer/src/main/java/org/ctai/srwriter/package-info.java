/**
 * DICOM results of an analysed CT series: a binary Segmentation with one segment per lesion, a TID 1500
 * measurement report, and Secondary Capture overlays with the contours burned in. The public face is
 * {@link org.ctai.srwriter.ResultWriter} with its {@link org.ctai.srwriter.ResultOptions} and
 * {@link org.ctai.srwriter.Results}; the builders ({@code SegWriter}, {@code OverlayWriter}) and the modules
 * every object shares with its source ({@code CommonModules}) are package-private. Pure: data sets in, data
 * sets out; only {@code ResultWriter.write} touches the file system.
 */
package org.ctai.srwriter;
