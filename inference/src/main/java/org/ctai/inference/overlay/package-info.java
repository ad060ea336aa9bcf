/**
 * Overlay images: a CT slice in a display window with the lesion contours drawn on it, as PNG bytes for
 * the web page and for secondary-capture overlays. OpenCV does the drawing and the encoding.
 */
package org.ctai.inference.overlay;
