package org.ctai.inference;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.TagFromName;

import org.ctai.inference.model.ModelContract.Domain;
import org.ctai.inference.series.Geometry;
import org.ctai.inference.series.Vector3;
import org.ctai.inference.series.Volume;

import java.util.Locale;
import java.util.Optional;

/**
 * Checks a loaded series against a model's declared {@link Domain}: modality and body part from the first slice's
 * header, orientation, gantry tilt, pixel spacing and slice count from the geometry the loader built, slice thickness
 * from the header (else the slice spacing). The safety net under the routing rules: a result computed outside the
 * domain must never be written. Stateless.
 */
public final class DomainCheck {
    private static final Vector3 HEAD_FOOT = new Vector3(0, 0, 1);

    private DomainCheck() {
    }

    /** Why {@code volume} lies outside {@code domain}, in words; empty when it lies inside. */
    public static Optional<String> outside(Domain domain, Volume volume) {
        AttributeList header = volume.readHeader(0);
        String modality = Attribute.getSingleStringValueOrEmptyString(header, TagFromName.Modality).trim();
        if (!domain.modalities().isEmpty() && !domain.modalities().contains(modality)) {
            return why("modality " + (modality.isEmpty() ? "absent" : modality) + ", the model covers " + String.join(", ", domain.modalities()));
        }
        String bodyPart = Attribute.getSingleStringValueOrEmptyString(header, TagFromName.BodyPartExamined).trim().toUpperCase(Locale.ROOT);
        if (!bodyPart.isEmpty() && !domain.bodyParts().isEmpty() && !domain.bodyParts().contains(bodyPart)) {
            return why("body part " + bodyPart + ", the model covers " + String.join(", ", domain.bodyParts()));
        }
        Geometry g = volume.geometry();
        double fromAxial = angleDeg(g.normal(), HEAD_FOOT);
        if (fromAxial > domain.axialWithinDeg()) {
            return why(String.format(Locale.ROOT, "orientation %.1f° from axial, the model takes axial within %s°", fromAxial, number(domain.axialWithinDeg())));
        }
        if (g.slicePositions().size() > 1) {
            Vector3 step = g.slicePositions().get(g.slicePositions().size() - 1).minus(g.slicePositions().get(0));
            if (step.length() > 0) {
                double tilt = angleDeg(step.normalized(), g.normal());
                if (tilt > domain.maxTiltDeg()) {
                    return why(String.format(Locale.ROOT, "gantry tilt %.1f°, the model takes at most %s°", tilt, number(domain.maxTiltDeg())));
                }
            }
        }
        if (domain.pixelSpacingMm().isPresent()) {
            var range = domain.pixelSpacingMm().get();
            if (!range.contains(g.rowSpacingMm()) || !range.contains(g.columnSpacingMm())) {
                return why(String.format(Locale.ROOT, "pixel spacing %s x %s mm, the model covers %s", number(g.rowSpacingMm()),
                        number(g.columnSpacingMm()), range));
            }
        }
        if (domain.sliceThicknessMm().isPresent()) {
            double thickness = Attribute.getSingleDoubleValueOrDefault(header, TagFromName.SliceThickness, 0);
            if (!(thickness > 0) && g.slicePositions().size() > 1) thickness = g.sliceSpacingMm();
            if (thickness > 0 && !domain.sliceThicknessMm().get().contains(thickness)) {
                return why("slice thickness " + number(thickness) + " mm, the model covers " + domain.sliceThicknessMm().get());
            }
        }
        if (volume.sliceCount() < domain.minSlices()) {
            return why(volume.sliceCount() + " slices, the model needs at least " + domain.minSlices());
        }
        return Optional.empty();
    }

    private static Optional<String> why(String what) {
        return Optional.of("outside the model's domain: " + what);
    }

    /** The angle between two lines (not directions), 0..90 degrees. */
    private static double angleDeg(Vector3 a, Vector3 b) {
        double cos = Math.min(1, Math.abs(a.normalized().dot(b.normalized())));
        return Math.toDegrees(Math.acos(cos));
    }

    private static String number(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.2f", v).replaceAll("0+$", "");
    }
}
