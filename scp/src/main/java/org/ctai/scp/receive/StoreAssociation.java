package org.ctai.scp.receive;

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
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.net.Socket;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data transfer phase of one accepted association (PS3.8 state 6): P-DATA-TF PDUs carrying C-ECHO and
 * C-STORE requests, each dataset written to the incoming folder as it arrives (see {@link IncomingFile}) and
 * handed to the {@link Intake} before the response is sent. An instance the intake cannot take is answered
 * with status A700 (out of resources), so the sender retries that instance; the association goes on. Ends at A-RELEASE-RQ (answered with A-RELEASE-RP), A-ABORT, or the connection's end. Not
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

    private static final byte[] RELEASE_RP = {0x06, 0, 0, 0, 0, 4, 0, 0, 0, 0};

    private final Socket socket;
    private final Duration idle;
    private final AssociationContext ctx;
    private final Map<Integer, Negotiation.Answer> contexts;
    private final Intake intake;
    private final Spool spool;
    private final Listener listener;
    private final int maxPdu;
    private final ByteBuffer header = ByteBuffer.allocateDirect(6);
    private final ByteBuffer item = ByteBuffer.allocateDirect(6);
    /** Dataset bytes on their way from the socket to the instance's file. */
    private final ByteBuffer data;
    /** The head of the instance being received; reused from one instance to the next. */
    private final byte[] head = new byte[IncomingFile.HEAD_BYTES];
    private final ByteArrayOutputStream meta = new ByteArrayOutputStream(512);
    private Wire wire;
    /** The file for the next C-STORE, created while the sender prepares it. */
    private IncomingFile next;
    private int stored;

    /** @param idle the longest wait for the peer's next bytes */
    StoreAssociation(Socket socket, Duration idle, AssociationContext ctx, Map<Integer, Negotiation.Answer> contexts,
                     Intake intake, Spool spool, Listener listener, int maxPdu) {
        this.socket = socket;
        this.idle = idle;
        this.ctx = ctx;
        this.contexts = contexts;
        this.intake = intake;
        this.spool = spool;
        this.listener = listener;
        this.maxPdu = maxPdu;
        this.data = ByteBuffer.allocateDirect(maxPdu);
    }

    int stored() {
        return stored;
    }

    /** Runs the data transfer to its end; the socket is left open (a plain one's channel blocking again). */
    Ending run() throws IOException {
        Request request = null;
        try (Wire w = Wire.over(socket, idle)) {
            wire = w;
            while (true) {
                header.clear();
                if (wire.readSome(header) < 0) return Ending.CLOSED;
                wire.readFully(header, "a PDU header");
                int type = header.get(0) & 0xff;
                long length = header.getInt(2) & 0xffffffffL;
                if (type == 0x04) {
                    if (length > maxPdu + 6L || length < 6) throw protocol("P-DATA-TF of " + length + " bytes (we offered " + maxPdu + ")");
                    request = pdvs(length, request);
                } else if (type == 0x05) {
                    wire.skip(length, "an A-RELEASE-RQ");
                    wire.write(ByteBuffer.wrap(RELEASE_RP));
                    return Ending.RELEASED;
                } else if (type == 0x07) {
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
        return new IncomingFile(spool.newIncomingFile(), head);
    }

    /** Reads the PDV items of one P-DATA-TF; returns the request still waiting for data, if any. */
    private Request pdvs(long pduLength, Request request) throws IOException {
        long left = pduLength;
        while (left > 0) {
            if (left < 6) throw protocol("P-DATA-TF ends inside a PDV item header");
            item.clear();
            wire.readFully(item, "a PDV item header");
            long itemLength = item.getInt(0) & 0xffffffffL;
            if (itemLength < 2 || 4 + itemLength > left) throw protocol("PDV item of " + itemLength + " bytes overruns its PDU");
            left -= 4 + itemLength;
            int contextId = item.get(4) & 0xff;
            int control = item.get(5);
            boolean command = (control & 1) != 0;
            boolean last = (control & 2) != 0;
            int size = (int) itemLength - 2;
            if (command) {
                if (request == null || request.commandDone) request = new Request(contextId);
                byte[] fragment = new byte[size];
                wire.readFully(ByteBuffer.wrap(fragment), "a command");
                request.command.write(fragment, 0, size);
                if (last) request = commandComplete(request);
            } else {
                if (request == null || !request.commandDone || request.incoming == null || request.contextId != contextId) {
                    throw protocol("data on presentation context " + contextId + " without its C-STORE request");
                }
                // each chunk goes to the file as soon as it is here, while the sender writes the next
                for (int remaining = size; remaining > 0; ) {
                    data.clear().limit(Math.min(remaining, data.capacity()));
                    if (wire.readSome(data) < 0) throw new EOFException("connection closed inside a dataset");
                    data.flip();
                    remaining -= data.remaining();
                    request.incoming.append(data);
                }
                if (last) {
                    finishStore(request);
                    request = null;
                }
            }
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
            intake.take(received, ctx, listener);
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
        ByteBuffer b = ByteBuffer.allocate(6 + pdu);
        b.put((byte) 0x04).put((byte) 0).putInt(pdu).putInt(pdv).put((byte) contextId).put((byte) 0x03).put(command).flip();
        wire.write(b);
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
