package org.ctai.scp.receive;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The presentation contexts an A-ASSOCIATE-RQ proposes (PS3.8 9.3.2.2) and our answer: Verification and the
 * SOP classes the {@link SopClassPolicy} accepts in the configured transfer syntaxes, taking the first syntax in the sender's order that
 * is configured; every other context is refused with reason 3 (abstract syntax) or 4 (transfer syntaxes), so
 * the sender learns at association time. Builds the A-ASSOCIATE-AC (PS3.8 9.3.3).
 */
final class Negotiation {
    static final String VERIFICATION = "1.2.840.10008.1.1";
    private static final String APPLICATION_CONTEXT = "1.2.840.10008.3.1.1.1";
    private static final List<String> VERIFICATION_SYNTAXES = List.of("1.2.840.10008.1.2.1", "1.2.840.10008.1.2");
    /** The node's implementation class UID and version name, sent in every A-ASSOCIATE-AC. */
    static final String IMPLEMENTATION_CLASS_UID = "2.25.268993447093415602446413318066946312418";
    static final String IMPLEMENTATION_VERSION = "CTAI_NODE_0_1";

    record Proposed(int id, String abstractSyntax, List<String> transferSyntaxes) { }

    /** Our answer to one context: result 0 with the chosen transfer syntax, or 3 / 4. */
    record Answer(int id, String abstractSyntax, int result, String transferSyntax) {
        boolean accepted() {
            return result == 0;
        }
    }

    private final List<Proposed> proposed;
    private final long peerMaxPdu;

    private Negotiation(List<Proposed> proposed, long peerMaxPdu) {
        this.proposed = proposed;
        this.peerMaxPdu = peerMaxPdu;
    }

    /** Reads the variable items of an A-ASSOCIATE-RQ PDU (header included in {@code pdu}). */
    static Negotiation parse(byte[] pdu) throws AssociationRequest.MalformedPduException {
        List<Proposed> contexts = new ArrayList<>();
        long maxPdu = 0;
        int i = 74;
        while (i + 4 <= pdu.length) {
            int type = pdu[i] & 0xff;
            int length = u16(pdu, i + 2);
            int start = i + 4;
            int end = start + length;
            if (end > pdu.length) throw new AssociationRequest.MalformedPduException("item 0x" + Integer.toHexString(type) + " overruns the A-ASSOCIATE-RQ");
            if (type == 0x20) {
                int id = pdu[start] & 0xff;
                String abstractSyntax = null;
                List<String> syntaxes = new ArrayList<>();
                for (int j = start + 4; j + 4 <= end; ) {
                    int subType = pdu[j] & 0xff;
                    int subLength = u16(pdu, j + 2);
                    String value = uid(pdu, j + 4, subLength);
                    if (subType == 0x30) abstractSyntax = value;
                    else if (subType == 0x40) syntaxes.add(value);
                    j += 4 + subLength;
                }
                if (abstractSyntax == null) throw new AssociationRequest.MalformedPduException("presentation context " + id + " has no abstract syntax");
                contexts.add(new Proposed(id, abstractSyntax, syntaxes));
            } else if (type == 0x50) {
                for (int j = start; j + 4 <= end; ) {
                    int subType = pdu[j] & 0xff;
                    int subLength = u16(pdu, j + 2);
                    if (subType == 0x51 && subLength == 4) maxPdu = u32(pdu, j + 4);
                    j += 4 + subLength;
                }
            }
            i = end;
        }
        return new Negotiation(contexts, maxPdu);
    }

    /** The longest P-DATA-TF variable field the peer accepts; 0 means no limit. */
    long peerMaxPdu() {
        return peerMaxPdu;
    }

    List<Answer> answer(SopClassPolicy sopClasses, List<String> transferSyntaxes) {
        List<Answer> answers = new ArrayList<>();
        for (Proposed p : proposed) {
            boolean verification = VERIFICATION.equals(p.abstractSyntax());
            if (!verification && !sopClasses.accepts(p.abstractSyntax())) {
                answers.add(new Answer(p.id(), p.abstractSyntax(), 3, firstOr(p)));
                continue;
            }
            List<String> acceptable = verification ? VERIFICATION_SYNTAXES : transferSyntaxes;
            // the sender's order: it lists first what it holds (DCMTK, Orthanc), so the instance is stored as it
            // was received and neither side transcodes; our own order would make a PACS decompress (or compress)
            String chosen = p.transferSyntaxes().stream().filter(acceptable::contains).findFirst().orElse(null);
            answers.add(chosen == null ? new Answer(p.id(), p.abstractSyntax(), 4, firstOr(p)) : new Answer(p.id(), p.abstractSyntax(), 0, chosen));
        }
        return answers;
    }

    private static String firstOr(Proposed p) {
        return p.transferSyntaxes().isEmpty() ? "1.2.840.10008.1.2" : p.transferSyntaxes().get(0);
    }

    /** The A-ASSOCIATE-AC for {@code answers}, echoing the request's AE titles, offering {@code ourMaxPdu}. */
    static byte[] accept(AssociationRequest rq, List<Answer> answers, int ourMaxPdu) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(0);
        body.write(1); // protocol version 1
        body.write(0);
        body.write(0);
        body.write(rq.pdu(), 10, 32); // called and calling AE titles as received
        body.writeBytes(new byte[32]);
        item(body, 0x10, ascii(APPLICATION_CONTEXT));
        for (Answer a : answers) {
            ByteArrayOutputStream pc = new ByteArrayOutputStream();
            pc.write(a.id());
            pc.write(0);
            pc.write(a.result());
            pc.write(0);
            item(pc, 0x40, ascii(a.transferSyntax()));
            item(body, 0x21, pc.toByteArray());
        }
        ByteArrayOutputStream user = new ByteArrayOutputStream();
        item(user, 0x51, new byte[] {(byte) (ourMaxPdu >>> 24), (byte) (ourMaxPdu >>> 16), (byte) (ourMaxPdu >>> 8), (byte) ourMaxPdu});
        item(user, 0x52, ascii(IMPLEMENTATION_CLASS_UID));
        item(user, 0x55, IMPLEMENTATION_VERSION.getBytes(StandardCharsets.US_ASCII));
        item(body, 0x50, user.toByteArray());
        byte[] b = body.toByteArray();
        ByteArrayOutputStream pdu = new ByteArrayOutputStream();
        pdu.write(0x02);
        pdu.write(0);
        pdu.write(b.length >>> 24);
        pdu.write(b.length >>> 16);
        pdu.write(b.length >>> 8);
        pdu.write(b.length);
        pdu.writeBytes(b);
        return pdu.toByteArray();
    }

    /** A UID in an association item: not padded (PS3.8 Annex F), unlike in a dataset. */
    private static byte[] ascii(String uid) {
        return uid.getBytes(StandardCharsets.US_ASCII);
    }

    private static void item(ByteArrayOutputStream out, int type, byte[] value) {
        out.write(type);
        out.write(0);
        out.write(value.length >>> 8);
        out.write(value.length);
        out.writeBytes(value);
    }

    private static int u16(byte[] b, int i) {
        return ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
    }

    private static long u32(byte[] b, int i) {
        return ((b[i] & 0xffL) << 24) | ((b[i + 1] & 0xffL) << 16) | ((b[i + 2] & 0xffL) << 8) | (b[i + 3] & 0xffL);
    }

    private static String uid(byte[] b, int offset, int length) {
        int end = offset + length;
        while (end > offset && (b[end - 1] == 0 || b[end - 1] == ' ')) end--;
        return new String(b, offset, end - offset, StandardCharsets.US_ASCII);
    }

    /** Accepted contexts by id, for the data transfer. */
    static Map<Integer, Answer> accepted(List<Answer> answers) {
        Map<Integer, Answer> m = new LinkedHashMap<>();
        for (Answer a : answers) if (a.accepted()) m.put(a.id(), a);
        return m;
    }
}
