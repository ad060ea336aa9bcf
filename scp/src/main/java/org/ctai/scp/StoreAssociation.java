package org.ctai.scp;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.DicomOutputStream;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import com.pixelmed.network.CEchoResponseCommandMessage;
import com.pixelmed.network.CStoreResponseCommandMessage;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data transfer phase of one accepted association (PS3.8 state 6): P-DATA-TF PDUs carrying C-ECHO and
 * C-STORE requests, each dataset written to the incoming folder as it arrives (see {@link IncomingFile}) and
 * handed to {@link InstanceStore}, which moves it into the spool, before the response is sent. A store that
 * fails is answered with status A700 (out of resources), so the sender retries that instance; the association
 * goes on. Ends at A-RELEASE-RQ (answered with A-RELEASE-RP), A-ABORT, or the connection's end. Not
 * thread-safe: one per connection.
 */
final class StoreAssociation {
    private static final Logger log = LoggerFactory.getLogger(StoreAssociation.class);
    private static final int C_STORE_RQ = 0x0001;
    private static final int C_ECHO_RQ = 0x0030;
    private static final int SUCCESS = 0x0000;
    private static final int OUT_OF_RESOURCES = 0xA700;
    private static final int NO_DATASET = 0x0101;

    /** How the association ended. */
    enum Ending { RELEASED, ABORTED, CLOSED }

    /** Told about each stored instance, as it is stored. */
    interface Listener {
        void stored(InstanceStore.Outcome outcome);
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final AssociationContext ctx;
    private final Map<Integer, Negotiation.Answer> contexts;
    private final InstanceStore store;
    private final Path incoming;
    private final Listener listener;
    private final int maxPdu;
    /** The instance being received, meta information and dataset; reused from one instance to the next. */
    private final IncomingFile.Buffer memory = new IncomingFile.Buffer();
    private final ByteArrayOutputStream meta = new ByteArrayOutputStream(512);
    /** The file for the next C-STORE, created while the sender prepares it. */
    private IncomingFile next;
    private int stored;

    StoreAssociation(Socket socket, AssociationContext ctx, Map<Integer, Negotiation.Answer> contexts, InstanceStore store, Path incoming,
                     Listener listener, int maxPdu) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 1 << 16));
        this.out = new BufferedOutputStream(socket.getOutputStream(), 1 << 12);
        this.ctx = ctx;
        this.contexts = contexts;
        this.store = store;
        this.incoming = incoming;
        this.listener = listener;
        this.maxPdu = maxPdu;
    }

    int stored() {
        return stored;
    }

    Ending run() throws IOException {
        Request request = null;
        byte[] header = new byte[6];
        byte[] body = new byte[0];
        try {
            while (true) {
                int n = in.readNBytes(header, 0, 6);
                if (n == 0) return Ending.CLOSED;
                if (n < 6) throw new EOFException("connection closed inside a PDU header");
                int type = header[0] & 0xff;
                long length = ((header[2] & 0xffL) << 24) | ((header[3] & 0xffL) << 16) | ((header[4] & 0xffL) << 8) | (header[5] & 0xffL);
                if (type == 0x04) {
                    if (length > maxPdu + 6L || length < 6) throw protocol("P-DATA-TF of " + length + " bytes (we offered " + maxPdu + ")");
                    if (body.length < length) body = new byte[(int) length];
                    if (in.readNBytes(body, 0, (int) length) < length) throw new EOFException("connection closed inside a P-DATA-TF");
                    request = pdvs(body, (int) length, request);
                } else if (type == 0x05) {
                    in.skipNBytes(length);
                    write(new byte[] {0x06, 0, 0, 0, 0, 4, 0, 0, 0, 0});
                    return Ending.RELEASED;
                } else if (type == 0x07) {
                    in.skipNBytes(Math.min(length, 16));
                    return Ending.ABORTED;
                } else {
                    throw protocol("unexpected PDU type 0x" + Integer.toHexString(type));
                }
            }
        } finally {
            if (request != null) request.discard();
            if (next != null) next.discard();
        }
    }

    private IncomingFile newIncomingFile() {
        return new IncomingFile(incoming.resolve(UUID.randomUUID() + ".part"), memory);
    }

    /** Walks the PDV items of one P-DATA-TF; returns the request still waiting for data, if any. */
    private Request pdvs(byte[] b, int length, Request request) throws IOException {
        int i = 0;
        while (i + 6 <= length) {
            int itemLength = (int) (((b[i] & 0xffL) << 24) | ((b[i + 1] & 0xffL) << 16) | ((b[i + 2] & 0xffL) << 8) | (b[i + 3] & 0xffL));
            if (itemLength < 2 || i + 4 + itemLength > length) throw protocol("PDV item of " + itemLength + " bytes overruns its PDU");
            int contextId = b[i + 4] & 0xff;
            int control = b[i + 5];
            boolean command = (control & 1) != 0;
            boolean last = (control & 2) != 0;
            int offset = i + 6;
            int size = itemLength - 2;
            if (command) {
                if (request == null || request.commandDone) request = new Request(contextId);
                request.command.write(b, offset, size);
                if (last) request = commandComplete(request);
            } else {
                if (request == null || !request.commandDone || request.incoming == null || request.contextId != contextId) {
                    throw protocol("data on presentation context " + contextId + " without its C-STORE request");
                }
                request.incoming.append(b, offset, size);
                if (last) {
                    finishStore(request);
                    request = null;
                }
            }
            i += 4 + itemLength;
        }
        return request;
    }

    private Request commandComplete(Request r) throws IOException {
        r.commandDone = true;
        Negotiation.Answer context = contexts.get(r.contextId);
        if (context == null) throw protocol("command on presentation context " + r.contextId + ", which was not accepted");
        AttributeList cmd = new AttributeList();
        try {
            cmd.read(new DicomInputStream(new ByteArrayInputStream(r.command.toByteArray()), TransferSyntax.ImplicitVRLittleEndian, false));
            int field = Attribute.getSingleIntegerValueOrDefault(cmd, TagFromName.CommandField, 0xffff);
            r.messageId = Attribute.getSingleIntegerValueOrDefault(cmd, TagFromName.MessageID, 0);
            r.sopClass = Attribute.getSingleStringValueOrEmptyString(cmd, TagFromName.AffectedSOPClassUID);
            if (field == C_ECHO_RQ) {
                respond(r.contextId, new CEchoResponseCommandMessage(r.sopClass, r.messageId, SUCCESS).getBytes());
                return null;
            }
            if (field != C_STORE_RQ) throw protocol("command 0x" + Integer.toHexString(field) + " is not served");
            if (Attribute.getSingleIntegerValueOrDefault(cmd, TagFromName.CommandDataSetType, NO_DATASET) == NO_DATASET) {
                throw protocol("C-STORE request without a dataset");
            }
            r.sopInstance = Attribute.getSingleStringValueOrEmptyString(cmd, TagFromName.AffectedSOPInstanceUID);
            // a Part 10 file: the dataset bytes arrive in the context's transfer syntax, after our meta information
            meta.reset();
            DicomOutputStream dos = new DicomOutputStream(meta, TransferSyntax.ExplicitVRLittleEndian, null);
            new FileMetaInformation(r.sopClass, r.sopInstance, context.transferSyntax(), ctx.callingAeTitle()).getAttributeList().write(dos);
            dos.flush();
            r.incoming = next != null ? next : newIncomingFile();
            next = null;
            r.incoming.begin(meta.toByteArray());
            return r;
        } catch (DicomException e) {
            throw protocol("unreadable command: " + e.getMessage());
        }
    }

    private void finishStore(Request r) throws IOException {
        IncomingFile transfer = r.incoming;
        r.incoming = null;
        int status;
        IncomingFile.Received received = null;
        try {
            try {
                received = transfer.finish();
            } catch (IOException e) {
                throw new StoreFailedException("cannot write SOP Instance " + r.sopInstance + " to the incoming folder: " + e.getMessage(), e);
            }
            listener.stored(store.store(received, contexts.get(r.contextId).transferSyntax(), ctx));
            stored++;
            status = SUCCESS;
        } catch (StoreFailedException e) {
            // the sender learns this instance was not stored and may retry it; the others go on
            log.error("{} SOP Instance {} not stored, answered A700: {}", ctx, r.sopInstance, e.getMessage());
            if (received != null) Files.deleteIfExists(received.file()); // unless it reached the spool or quarantine
            status = OUT_OF_RESOURCES;
        }
        try {
            respond(r.contextId, new CStoreResponseCommandMessage(r.sopClass, r.sopInstance, r.messageId, status).getBytes());
        } catch (DicomException e) {
            throw new IOException("cannot build the C-STORE response: " + e.getMessage(), e);
        }
        next = newIncomingFile();
    }

    /** One P-DATA-TF with one command PDV, last fragment. */
    private void respond(int contextId, byte[] command) throws IOException {
        int pdv = command.length + 2;
        int pdu = pdv + 4;
        byte[] head = {0x04, 0, (byte) (pdu >>> 24), (byte) (pdu >>> 16), (byte) (pdu >>> 8), (byte) pdu,
                (byte) (pdv >>> 24), (byte) (pdv >>> 16), (byte) (pdv >>> 8), (byte) pdv, (byte) contextId, 0x03};
        out.write(head);
        out.write(command);
        out.flush();
    }

    private void write(byte[] pdu) throws IOException {
        out.write(pdu);
        out.flush();
    }

    private static AssociationRequest.MalformedPduException protocol(String what) {
        return new AssociationRequest.MalformedPduException(what);
    }

    /** A request being received: its command, and for a C-STORE the file its dataset goes to. */
    private static final class Request {
        final int contextId;
        final ByteArrayOutputStream command = new ByteArrayOutputStream(256);
        boolean commandDone;
        int messageId;
        String sopClass;
        String sopInstance;
        IncomingFile incoming;

        Request(int contextId) {
            this.contextId = contextId;
        }

        /** A transfer cut off mid-dataset was never acknowledged: nothing to keep. */
        void discard() {
            if (incoming != null) incoming.discard();
            incoming = null;
        }
    }
}
