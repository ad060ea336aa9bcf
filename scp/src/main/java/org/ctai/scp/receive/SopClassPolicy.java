package org.ctai.scp.receive;

import com.pixelmed.dicom.SOPClass;
import java.util.List;
import java.util.Set;
import org.ctai.scp.config.NodeConfig;

/**
 * Which abstract syntaxes the receiver accepts besides Verification: by default every storage SOP class, so a
 * PACS forwarding a whole study (localizers, dose pages, reports, vendors' private objects) never sees a refused
 * presentation context. DCMTK's storescu and PACS forwards stop the whole transfer at the first refused one, so
 * refusing what no pipeline wants would lose the series that one does want. Which series a model sees is decided
 * after receipt, by the routing rules; this only keeps out what the administrator denies. Immutable.
 */
record SopClassPolicy(boolean anyStorage, Set<String> named, Set<String> denied) {
    /** The root of the standard composite storage SOP classes (PS3.6 Table A-1), newer ones included. */
    private static final String STORAGE_ROOT = "1.2.840.10008.5.1.4.1.1.";
    /** The DICOM root: a UID outside it is a vendor's private SOP class, in practice a private storage class. */
    private static final String DICOM_ROOT = "1.2.840.10008.";

    static SopClassPolicy of(NodeConfig.Dicom config) {
        List<String> named = config.sopClasses();
        return new SopClassPolicy(named.contains(NodeConfig.Dicom.ANY_STORAGE_SOP_CLASS), Set.copyOf(named), config.deniedSopClasses());
    }

    boolean accepts(String sopClass) {
        if (denied.contains(sopClass)) return false;
        return anyStorage ? isStorage(sopClass) : named.contains(sopClass);
    }

    /**
     * A storage SOP class: in PixelMed's list, under the standard storage root (classes newer than the toolkit), or
     * private. Query/retrieve, worklist, print and the other services stay refused: the node serves only C-STORE.
     */
    static boolean isStorage(String sopClass) {
        return SOPClass.isStorage(sopClass) || sopClass.startsWith(STORAGE_ROOT) || !sopClass.startsWith(DICOM_ROOT);
    }
}
