/**
 * Routing: which pipeline (model) may see which series. {@link org.ctai.scp.route.SeriesFacts} gathers what the
 * headers of all of a series' instances say; {@link org.ctai.scp.route.Rule}s in a small fixed language (documented
 * in docs/ROUTING.md; nothing in it can run code) select series for a {@link org.ctai.scp.route.Pipeline}; the
 * {@link org.ctai.scp.route.Router} answers per pipeline with a {@link org.ctai.scp.route.Decision}: taken, or not
 * taken with the first rule that failed and why, in words. Pure: no I/O but the header reads of SeriesFacts.
 */
package org.ctai.scp.route;
