package org.ctai.scp;

import com.pixelmed.dicom.SOPClass;
import com.pixelmed.network.PresentationContext;
import com.pixelmed.network.PresentationContextSelectionPolicy;
import java.util.LinkedList;
import java.util.List;

/**
 * Accepts Verification and the configured storage SOP classes in the configured transfer syntaxes (first
 * configured match wins); refuses everything else per presentation context, so the sender learns at
 * association time that we will not take it (PS3.8 Table 9-18 reasons 3 and 4).
 */
final class ContextPolicy implements PresentationContextSelectionPolicy {
    private static final byte ABSTRACT_SYNTAX_NOT_SUPPORTED = 3;
    private static final byte TRANSFER_SYNTAXES_NOT_SUPPORTED = 4;
    private static final List<String> VERIFICATION_SYNTAXES = List.of("1.2.840.10008.1.2.1", "1.2.840.10008.1.2");

    private final List<String> sopClasses;
    private final List<String> transferSyntaxes;

    ContextPolicy(List<String> sopClasses, List<String> transferSyntaxes) {
        this.sopClasses = List.copyOf(sopClasses);
        this.transferSyntaxes = List.copyOf(transferSyntaxes);
    }

    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    public LinkedList applyPresentationContextSelectionPolicy(LinkedList contexts, int associationNumber) {
        for (Object o : contexts) {
            PresentationContext pc = (PresentationContext) o;
            List<String> offered = List.copyOf((List<String>) pc.getTransferSyntaxUIDs());
            pc.newTransferSyntaxUIDs();
            String as = pc.getAbstractSyntaxUID();
            if (!SOPClass.Verification.equals(as) && !sopClasses.contains(as)) {
                pc.setResultReason(ABSTRACT_SYNTAX_NOT_SUPPORTED);
            } else {
                List<String> acceptable = SOPClass.Verification.equals(as) ? VERIFICATION_SYNTAXES : transferSyntaxes;
                String chosen = acceptable.stream().filter(offered::contains).findFirst().orElse(null);
                if (chosen == null) {
                    pc.setResultReason(TRANSFER_SYNTAXES_NOT_SUPPORTED);
                } else {
                    pc.addTransferSyntaxUID(chosen);
                    pc.setResultReason((byte) 0);
                }
            }
        }
        return contexts;
    }

    @Override
    @SuppressWarnings("rawtypes")
    public LinkedList applyPresentationContextSelectionPolicy(LinkedList contexts, int associationNumber, int debugLevel) {
        return applyPresentationContextSelectionPolicy(contexts, associationNumber);
    }
}
