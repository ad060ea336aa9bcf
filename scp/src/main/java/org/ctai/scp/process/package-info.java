/**
 * The production {@link org.ctai.scp.queue.SeriesProcessor}: load, segment and measure a series (module inference)
 * and write its SEG, SR and overlays (module sr-writer).
 */
package org.ctai.scp.process;
