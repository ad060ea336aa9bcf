package org.ctai.scp;

import com.pixelmed.dicom.SOPClass;
import com.pixelmed.dicom.SetOfDicomFiles;
import com.pixelmed.dicom.TransferSyntax;
import com.pixelmed.network.Association;
import com.pixelmed.network.AssociationFactory;
import com.pixelmed.network.MultipleInstanceTransferStatusHandlerWithFileName;
import com.pixelmed.network.PresentationContext;
import com.pixelmed.network.StorageSOPClassSCU;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedList;
import java.util.List;

/**
 * A real association from PixelMed's SCU that the test keeps open as long as it likes: to hold an
 * association slot, or to send instances and then go quiet without releasing.
 */
public final class HeldAssociation implements AutoCloseable {
    private final Association association;

    private HeldAssociation(Association association) {
        this.association = association;
    }

    public static HeldAssociation open(int port) throws Exception {
        return open("127.0.0.1", port, "PIXELMED");
    }

    /** An association to a node on another address, calling as {@code callingAeTitle}. */
    public static HeldAssociation open(String host, int port, String callingAeTitle) throws Exception {
        LinkedList<PresentationContext> contexts = new LinkedList<>();
        contexts.add(new PresentationContext((byte) 1, SOPClass.CTImageStorage, TransferSyntax.ExplicitVRLittleEndian));
        contexts.add(new PresentationContext((byte) 3, SOPClass.Verification, TransferSyntax.ImplicitVRLittleEndian));
        return new HeldAssociation(AssociationFactory.createNewAssociation(host, port, "CTAI", callingAeTitle, contexts, null, false));
    }

    /** Sends the files on this association, one C-STORE each; returns the SOP Instance UIDs answered with success. */
    public List<String> send(List<Path> files) throws Exception {
        List<String> acknowledged = Collections.synchronizedList(new ArrayList<>());
        for (Path f : files) {
            SetOfDicomFiles one = new SetOfDicomFiles();
            one.add(f.toFile());
            new StorageSOPClassSCU(association, one, new MultipleInstanceTransferStatusHandlerWithFileName() {
                @Override
                public void updateStatus(int remaining, int completed, int failed, int warning, String sop, String file, boolean success) {
                    if (success) acknowledged.add(sop);
                }

                @Override
                public void updateStatus(int remaining, int completed, int failed, int warning, String sop) {
                    // the overload above carries the per-instance outcome
                }
            });
        }
        return acknowledged;
    }

    public void release() throws Exception {
        association.release();
    }

    @Override
    public void close() {
        try {
            association.abort();
        } catch (Exception ignored) {
            // already released or closed by the peer
        }
    }
}
