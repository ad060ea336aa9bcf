package org.ctai.scp.send;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.network.AReleaseException;
import com.pixelmed.network.Association;
import com.pixelmed.network.AssociationFactory;
import com.pixelmed.network.CStoreResponseCommandMessage;
import com.pixelmed.network.CompositeResponseHandler;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A C-STORE SCP that answers every C-STORE with one chosen status, for what a PACS may answer (warnings,
 * out of resources) that DCMTK's storescp cannot be told to. PixelMed's association acceptor does the upper
 * layer; the objects are read and dropped.
 */
final class StatusScp implements AutoCloseable {
    private final ServerSocket server;
    private final String aeTitle;
    private final int status;
    private final List<String> received = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    private StatusScp(String aeTitle, int port, int status) throws IOException {
        this.aeTitle = aeTitle;
        this.status = status;
        this.server = new ServerSocket(port, 8, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::accept, "status-scp");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    static StatusScp start(String aeTitle, int port, int status) throws IOException {
        return new StatusScp(aeTitle, port, status);
    }

    /** SOP Instance UIDs of every C-STORE request answered, in order, repeats included. */
    List<String> received() {
        return List.copyOf(received);
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                Thread t = new Thread(() -> serve(socket), "status-scp-association");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            Association association = AssociationFactory.createNewAssociation(socket, aeTitle);
            while (true) {
                Request request = new Request();
                association.setReceivedDataHandler(request);
                association.waitForPDataPDUsUntilHandlerReportsDone();
                received.add(request.sopInstanceUid);
                byte context = association.getSuitablePresentationContextID(request.sopClassUid);
                association.send(context, new CStoreResponseCommandMessage(request.sopClassUid, request.sopInstanceUid,
                        request.messageId, status).getBytes(), null);
            }
        } catch (AReleaseException released) {
            // the sender released the association: done
        } catch (Exception e) {
            // the sender aborted or went away
        }
    }

    /** One C-STORE request: its command, then its data set. */
    private static final class Request extends CompositeResponseHandler {
        String sopClassUid;
        String sopInstanceUid;
        int messageId;

        Request() {
            allowData = true;
        }

        @Override
        protected void evaluateStatusAndSetSuccess(AttributeList command) {
            sopClassUid = Attribute.getSingleStringValueOrEmptyString(command, TagFromName.AffectedSOPClassUID);
            sopInstanceUid = Attribute.getSingleStringValueOrEmptyString(command, TagFromName.AffectedSOPInstanceUID);
            messageId = Attribute.getSingleIntegerValueOrDefault(command, TagFromName.MessageID, 0);
        }

        @Override
        protected void makeUseOfDataSet(AttributeList dataset) {
            setDone(true);
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
