/**
 * {@code ./ctai demo}: a node on embedded defaults, a stand-in PACS ({@code LocalPacs}) and a synthetic patient.
 */
package org.ctai.scp.demo;
