package org.ctai.scp;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * A test of one node beside one Orthanc playing the PACS: each test sets {@link #pacs} and {@link #node} as it starts
 * them, in its own folder {@link #tmp}; both are closed after it, the node first so that it sends nothing into a PACS
 * that is going away. A subclass with more to close adds its own {@code @AfterEach}, which JUnit runs before this one.
 */
abstract class NodeWithOrthancTest {
    @TempDir
    protected Path tmp;

    protected OrthancPacs pacs;
    protected Node node;

    @AfterEach
    void closeNodeAndPacs() throws Exception {
        if (node != null) node.close();
        if (pacs != null) pacs.close();
    }
}
