package org.ctai.scp.receive;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.DicomOutputStream;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.ctai.scp.config.NodeConfig;
import org.ctai.scp.queue.SeriesTracker;
import org.ctai.viewer.StowReceiver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * STOW-RS instances, and those the node retrieves itself with C-GET ({@code priors.retrieve=get}, written to a file
 * by PixelMed's C-GET SCU and read from there), into the same intake as C-STORE: each part streamed into this process's incoming folder behind
 * file meta information the node writes (as for a C-STORE), its SOP class and transfer syntax checked against
 * {@code dicom.sop-classes} and {@code dicom.transfer-syntaxes}, then taken by the {@link Intake} before the part's
 * outcome is known to the client: so a referenced instance is as durable as a C-STORE success under {@code data.fsync}.
 * The request's end reaches the series tracker as an association's release. Thread-safe; a Request is one thread's.
 */
final class StowIntake implements StowReceiver {
    private static final Logger log = LoggerFactory.getLogger(StowIntake.class);
    private static final int CANNOT_UNDERSTAND = 0xC000;
    private static final int SOP_CLASS_NOT_SUPPORTED = 0x0122;
    private static final int TRANSFER_SYNTAX_NOT_SUPPORTED = 0xC122;
    private static final int DOES_NOT_MATCH = 0xA900;
    private static final int OUT_OF_RESOURCES = 0xA700;

    private final NodeConfig.Dicom config;
    private final Intake intake;
    private final Spool spool;
    private final SeriesTracker tracker;
    private final long maxRequestBytes;
    private final AtomicLong requests = new AtomicLong();
    private final java.util.function.BooleanSupplier stopping;
    private final Kind kind;

    /** What the instances come by: named in the log, and the first letter of each request's id. */
    enum Kind {
        /** Posted to the node's {@code /dicomweb/studies}. */
        STOW_RS("STOW-RS", "w"),
        /** Retrieved by the node itself from a PACS, by C-GET or WADO-RS. */
        RETRIEVAL("retrieval", "r");

        private final String name;
        private final String idPrefix;

        Kind(String name, String idPrefix) {
            this.name = name;
            this.idPrefix = idPrefix;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    StowIntake(NodeConfig.Dicom config, Intake intake, Spool spool, SeriesTracker tracker, long maxRequestBytes,
               java.util.function.BooleanSupplier stopping, Kind kind) {
        this.kind = kind;
        this.config = config;
        this.intake = intake;
        this.spool = spool;
        this.tracker = tracker;
        this.maxRequestBytes = maxRequestBytes;
        this.stopping = stopping;
    }

    @Override
    public long maxRequestBytes() {
        return maxRequestBytes;
    }

    @Override
    public Request begin(String user, String peer) throws IOException {
        if (stopping.getAsBoolean()) throw new IOException("the node is shutting down");
        if (spool.belowFloor()) throw new IOException("free space on " + spool.root() + " is below data.min-free-mb");
        // the web user stands where a C-STORE has its calling AE title (an AE title holds 16 characters)
        String caller = user.length() <= 16 ? user : user.substring(0, 16);
        return new StowRequest(new AssociationContext(kind.idPrefix + requests.incrementAndGet(), caller, peer));
    }

    /**
     * The SOP class rule C-STORE gets at association time ({@link Negotiation}), per part here: the same decision,
     * so that a class refused over DICOM is refused over DICOMweb. Keep the two in step.
     */
    /** The same rule as C-STORE's negotiation: every storage SOP class unless denied, or those named. */
    private boolean acceptsSopClass(String sopClass) {
        return SopClassPolicy.of(config).accepts(sopClass);
    }

    private final class StowRequest implements Request {
        private final AssociationContext ctx;
        private final byte[] head = new byte[IncomingFile.HEAD_BYTES];
        private final byte[] chunk = new byte[64 * 1024];
        private int stored;

        StowRequest(AssociationContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public Outcome store(InputStream part, Optional<String> study) {
            int headLength;
            try {
                headLength = part.readNBytes(head, 0, head.length);
            } catch (IOException e) {
                return Outcome.failed("", "", "", CANNOT_UNDERSTAND, "cannot read the part: " + e.getMessage());
            }
            int offset = InstanceStore.datasetOffset(java.util.Arrays.copyOf(head, headLength));
            if (offset == 0) return Outcome.failed("", "", "", CANNOT_UNDERSTAND, "not a DICOM Part 10 file (no preamble, DICM and meta group length)");
            AttributeList meta = new AttributeList();
            try (DicomInputStream in = new DicomInputStream(new ByteArrayInputStream(head, 0, offset))) {
                meta.readOnlyMetaInformationHeader(in);
            } catch (IOException | DicomException e) {
                return Outcome.failed("", "", "", CANNOT_UNDERSTAND, "unreadable file meta information: " + e.getMessage());
            }
            String sopClass = Attribute.getSingleStringValueOrEmptyString(meta, TagFromName.MediaStorageSOPClassUID);
            String sopInstance = Attribute.getSingleStringValueOrEmptyString(meta, TagFromName.MediaStorageSOPInstanceUID);
            String syntax = Attribute.getSingleStringValueOrEmptyString(meta, TagFromName.TransferSyntaxUID);
            if (!acceptsSopClass(sopClass)) {
                return Outcome.failed(sopClass, sopInstance, "", SOP_CLASS_NOT_SUPPORTED, "SOP class " + sopClass + " is not accepted (dicom.sop-classes, dicom.sop-classes-denied)");
            }
            if (!config.transferSyntaxes().contains(syntax)) {
                return Outcome.failed(sopClass, sopInstance, "", TRANSFER_SYNTAX_NOT_SUPPORTED, "transfer syntax " + syntax + " is not in dicom.transfer-syntaxes");
            }
            IncomingFile incoming = new IncomingFile(spool.newIncomingFile(), head.clone());
            IncomingFile.Received received;
            try {
                incoming.begin(ourMeta(sopClass, sopInstance, syntax));
                incoming.append(ByteBuffer.wrap(head, offset, headLength - offset));
                int n;
                while ((n = part.read(chunk)) > 0) incoming.append(ByteBuffer.wrap(chunk, 0, n));
                received = incoming.finish();
            } catch (IOException | DicomException e) {
                incoming.discard();
                return Outcome.failed(sopClass, sopInstance, "", OUT_OF_RESOURCES, "cannot receive the part: " + e.getMessage());
            }
            ReceivedInstance parsed;
            try {
                parsed = ReceivedInstance.parse(received);
            } catch (ReceivedInstance.UnusableObjectException e) {
                delete(received);
                return Outcome.failed(sopClass, sopInstance, "", CANNOT_UNDERSTAND, e.getMessage());
            }
            if (!parsed.sopInstanceUid().equals(sopInstance) || !parsed.sopClassUid().equals(sopClass)) {
                delete(received);
                return Outcome.failed(sopClass, sopInstance, parsed.studyUid(), DOES_NOT_MATCH, "the dataset's SOP class or instance UID differs from its file meta information");
            }
            if (study.isPresent() && !study.get().equals(parsed.studyUid())) {
                delete(received);
                return Outcome.failed(sopClass, sopInstance, parsed.studyUid(), DOES_NOT_MATCH,
                        "instance of study " + parsed.studyUid() + " posted to study " + study.get());
            }
            try {
                intake.take(received, ctx, outcome -> {
                    if (outcome instanceof InstanceStore.Outcome.Stored s) tracker.instanceStored(ctx.id(), s.seriesId());
                });
            } catch (StoreFailedException e) {
                log.error("{} SOP Instance {} from {} not stored: {}", ctx, sopInstance, kind, e.getMessage());
                delete(received);
                return Outcome.failed(sopClass, sopInstance, parsed.studyUid(), OUT_OF_RESOURCES, "not stored: " + e.getMessage());
            }
            stored++;
            return Outcome.stored(sopClass, sopInstance, parsed.studyUid());
        }

        private byte[] ourMeta(String sopClass, String sopInstance, String syntax) throws IOException, DicomException {
            ByteArrayOutputStream out = new ByteArrayOutputStream(512);
            DicomOutputStream dos = new DicomOutputStream(out, TransferSyntax.ExplicitVRLittleEndian, null);
            new FileMetaInformation(sopClass, sopInstance, syntax, ctx.callingAeTitle()).getAttributeList().write(dos);
            dos.flush();
            return out.toByteArray();
        }

        private void delete(IncomingFile.Received received) {
            try {
                Files.deleteIfExists(received.file());
            } catch (IOException e) {
                // the incoming folder of a dead process is cleared at start
            }
        }

        @Override
        public void close() {
            try {
                intake.settle(); // the tracker hears of every instance before it hears of the end
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            tracker.associationEnded(ctx.id(), true);
            log.info("{} {} request ended after {} instances", ctx, kind, stored);
        }
    }
}
