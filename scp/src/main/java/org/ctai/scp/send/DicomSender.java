package org.ctai.scp.send;

import org.ctai.scp.PixelMedAssociations;

import org.ctai.scp.config.NodeConfig;
import org.ctai.scp.tls.DicomTls;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.DicomOutputStream;
import com.pixelmed.dicom.DicomStreamCopier;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import com.pixelmed.network.Association;
import com.pixelmed.network.CStoreRequestCommandMessage;
import com.pixelmed.network.CompositeResponseHandler;
import com.pixelmed.network.PresentationContext;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.time.Duration;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.LinkedHashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * C-STORE SCU for results: one association per delivery, carrying all of a job's objects, with
 * TCP_NODELAY and a read timeout. Reports each object's outcome by the status the destination answered: warnings
 * (Bxxx, 0001, 0107, 0116) count as delivered and are logged; any other non-zero status is a failure, named in the report.
 * Thread-safe (no shared state).
 */
public final class DicomSender {
    private static final Logger log = LoggerFactory.getLogger(DicomSender.class);

    /** What one association achieved. */
    record Report(int delivered, int warnings, List<String> failures) {
        boolean complete() {
            return failures.isEmpty();
        }
    }

    private final String callingAeTitle;
    private final Duration connectTimeout;
    private final Duration timeout;
    /** The TLS side of each destination that requires TLS, by its AE@host:port. */
    private final Map<String, DicomTls> tls;

    /** A sender to plain (non-TLS) destinations. */
    public DicomSender(String callingAeTitle, Duration connectTimeout, Duration timeout) {
        this(callingAeTitle, connectTimeout, timeout, Map.of());
    }

    /** @param tls the TLS side of every destination with {@code ;tls}, by its AE@host:port ({@link #tlsFor}) */
    DicomSender(String callingAeTitle, Duration connectTimeout, Duration timeout, Map<String, DicomTls> tls) {
        this.callingAeTitle = callingAeTitle;
        this.connectTimeout = connectTimeout;
        this.timeout = timeout;
        this.tls = Map.copyOf(tls);
    }

    /**
     * The TLS side of each TLS destination, built (and its files read) once at start.
     *
     * @throws IOException naming the destination whose certificate or key cannot be used
     */
    static Map<String, DicomTls> tlsFor(List<NodeConfig.Destination> destinations) throws IOException {
        Map<String, DicomTls> out = new HashMap<>();
        for (NodeConfig.Destination any : destinations) {
            if (!(any instanceof NodeConfig.AeDestination d) || d.tls().isEmpty()) continue;
            NodeConfig.TlsPeer t = d.tls().get();
            try {
                out.put(d.toString(), DicomTls.client(t.trusted(), t.cert(), t.key()));
            } catch (GeneralSecurityException e) {
                throw new IOException("cannot set up TLS towards " + d + ": " + e.getMessage(), e);
            }
        }
        return out;
    }

    /** @throws IOException when no association could be made or it broke down; nothing is known delivered then */
    public Report send(NodeConfig.AeDestination to, List<Outbox.Item> items) throws IOException {
        DicomTls secure = to.tls().isPresent() ? tls.get(to.toString()) : null;
        if (to.tls().isPresent() && secure == null) throw new IOException(to + " requires TLS but the sender was not given its TLS settings");
        Association association = secure != null
                ? TlsAssociation.open(to, secure, callingAeTitle, contexts(items), connectTimeout, timeout)
                : associate(to, items);
        try {
            int delivered = 0;
            int warnings = 0;
            List<String> failures = new ArrayList<>();
            for (Outbox.Item item : items) {
                int status = store(association, item);
                switch (Status.of(status)) {
                    case SUCCESS -> delivered++;
                    case WARNING -> {
                        delivered++;
                        warnings++;
                        log.warn("{} stored {} with warning status {}", to, item.sopInstanceUid(), Status.hex(status));
                    }
                    case FAILURE -> failures.add(item.sopInstanceUid() + " refused with status " + Status.hex(status));
                }
            }
            association.release();
            return new Report(delivered, warnings, List.copyOf(failures));
        } catch (IOException e) {
            PixelMedAssociations.abortQuietly(association);
            throw e;
        } catch (Exception e) {
            PixelMedAssociations.abortQuietly(association);
            throw new IOException("sending to " + to + " failed: " + e.getMessage(), e);
        }
    }

    /** C-STORE response statuses by kind (PS3.4 Annex B.2.3, PS3.7 Annex C). */
    enum Status {
        SUCCESS, WARNING, FAILURE;

        static Status of(int status) {
            if (status == 0x0000) return SUCCESS;
            // B000 coercion of data elements, B006 elements discarded, B007 data set does not match SOP class;
            // 0001, 0107 and 0116 are the general warnings of PS3.7
            if ((status & 0xF000) == 0xB000 || status == 0x0001 || status == 0x0107 || status == 0x0116) return WARNING;
            return FAILURE;
        }

        static String hex(int status) {
            return String.format("%04X", status);
        }
    }

    private static String orElse(String value, String fallback) {
        return value.isEmpty() ? fallback : value;
    }

    /**
     * One C-STORE on the association; returns the status the destination answered. PixelMed's SCU reports only
     * success or failure, and counts the warnings B000, B006 and B007 as plain success, so a warning could not
     * be told apart nor a failure named.
     */
    private static int store(Association association, Outbox.Item item) throws Exception {
        try (DicomInputStream in = new DicomInputStream(new BufferedInputStream(Files.newInputStream(item.file())))) {
            AttributeList meta = new AttributeList();
            meta.readOnlyMetaInformationHeader(in);
            String fileSyntax = Attribute.getSingleStringValueOrEmptyString(meta, TagFromName.TransferSyntaxUID);
            // the file says what it is (the demo's items, for one, name only the class)
            String sopClass = orElse(Attribute.getSingleStringValueOrEmptyString(meta, TagFromName.MediaStorageSOPClassUID), item.sopClassUid());
            String sopInstance = orElse(Attribute.getSingleStringValueOrEmptyString(meta, TagFromName.MediaStorageSOPInstanceUID),
                    item.sopInstanceUid());
            byte context = association.getSuitablePresentationContextID(sopClass);
            String wireSyntax = association.getTransferSyntaxForPresentationContextID(context);
            ResponseStatus response = new ResponseStatus();
            association.setReceivedDataHandler(response);
            association.send(context, new CStoreRequestCommandMessage(sopClass, sopInstance).getBytes(), null);
            OutputStream out = association.getAssociationOutputStream(context);
            if (fileSyntax.equals(wireSyntax)) {
                in.transferTo(out);
                out.close();
            } else {
                new DicomStreamCopier(in, new DicomOutputStream(out, null, wireSyntax)); // closes the output
            }
            association.waitForCommandPDataPDUs();
            return response.getStatus();
        }
    }

    /** Keeps the status of the C-STORE response. */
    private static final class ResponseStatus extends CompositeResponseHandler {
        @Override
        protected void evaluateStatusAndSetSuccess(AttributeList command) {
            status = Attribute.getSingleIntegerValueOrDefault(command, TagFromName.Status, 0xFFFF);
            success = status == 0x0000;
        }
    }

    private Association associate(NodeConfig.AeDestination to, List<Outbox.Item> items) throws IOException {
        return PixelMedAssociations.open(to.host(), to.port(), to.aeTitle(), callingAeTitle, contexts(items), connectTimeout, timeout, to);
    }

    /** Each SOP class in Explicit and Implicit VR Little Endian; the SCP picks. */
    private static LinkedList<PresentationContext> contexts(List<Outbox.Item> items) {
        Set<String> classes = new LinkedHashSet<>();
        items.forEach(i -> classes.add(i.sopClassUid()));
        LinkedList<PresentationContext> contexts = new LinkedList<>();
        byte id = 1;
        for (String sopClass : classes) {
            contexts.add(new PresentationContext(id, sopClass, TransferSyntax.ExplicitVRLittleEndian));
            id += 2;
            contexts.add(new PresentationContext(id, sopClass, TransferSyntax.ImplicitVRLittleEndian));
            id += 2;
        }
        return contexts;
    }
}
