package org.ctai.inference.phantom;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * UIDs of a phantom, derived from its whole spec so that the same spec always gives the same UIDs and
 * two different specs (a follow-up study of the same seed, say) never share one. They use the
 * {@code 2.25.} root for UUID-derived UIDs (PS3.5 B.2), from a name-based (MD5) UUID. Immutable.
 */
record PhantomUids(String study, String series, String frameOfReference, String instanceNamePrefix) {

    static PhantomUids of(PhantomSpec spec) {
        return of(spec, new org.ctai.inference.series.Vector3(0, 0, 0));
    }

    /** As {@link #of(PhantomSpec)}, and a patient lying elsewhere on the table gets UIDs of its own. */
    static PhantomUids of(PhantomSpec spec, org.ctai.inference.series.Vector3 patientShiftMm) {
        boolean moved = patientShiftMm.x() != 0 || patientShiftMm.y() != 0 || patientShiftMm.z() != 0;
        String name = "ctai-phantom|" + spec + (moved ? "|shift " + patientShiftMm : "");
        return new PhantomUids(uid(name + "|study"), uid(name + "|series"), uid(name + "|frame"), name + "|instance|");
    }

    String instance(int slice) {
        return uid(instanceNamePrefix + slice);
    }

    static String uid(String name) {
        UUID uuid = UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8));
        byte[] bytes = ByteBuffer.allocate(16).putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits()).array();
        return "2.25." + new BigInteger(1, bytes);
    }
}
