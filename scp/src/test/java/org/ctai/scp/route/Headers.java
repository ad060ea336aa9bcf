package org.ctai.scp.route;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomDictionary;
import com.pixelmed.dicom.DicomException;
import java.util.ArrayList;
import java.util.List;

/** In-memory instance headers for rule tests: "Keyword=value" with backslashes between values. */
final class Headers {
    /** An axial abdominal CT slice as the liver pipeline wants it; later pairs replace earlier ones, "Keyword=" removes. */
    static final String[] ABDOMEN = {"SOPClassUID=1.2.840.10008.5.1.4.1.1.2", "Modality=CT", "ImageType=ORIGINAL\\PRIMARY\\AXIAL",
            "BodyPartExamined=ABDOMEN", "StudyDescription=CT Abdomen with contrast", "SeriesDescription=Abdomen 5mm",
            "ProtocolName=ABDOMEN PV", "ConvolutionKernel=B30f", "SliceThickness=5", "PixelSpacing=0.75\\0.75",
            "ImageOrientationPatient=1\\0\\0\\0\\1\\0", "ContrastBolusAgent=IOPAMIDOL", "SeriesInstanceUID=1.2.3"};

    private Headers() {
    }

    static AttributeList instance(String... pairs) {
        AttributeList list = new AttributeList();
        try {
            for (String[] source : List.of(ABDOMEN, pairs)) {
                for (String pair : source) {
                    int eq = pair.indexOf('=');
                    AttributeTag tag = DicomDictionary.StandardDictionary.getTagFromName(pair.substring(0, eq));
                    if (tag == null) throw new IllegalArgumentException("no keyword " + pair);
                    list.remove(tag);
                    if (eq == pair.length() - 1) continue;
                    Attribute a = list.putNewAttribute(tag);
                    for (String v : pair.substring(eq + 1).split("\\\\")) a.addValue(v);
                }
            }
        } catch (DicomException e) {
            throw new IllegalStateException(e);
        }
        return list;
    }

    /** A series of {@code slices} instances at z = 0, 5, 10, ... with the same other attributes. */
    static SeriesFacts series(int slices, String... pairs) {
        List<AttributeList> headers = new ArrayList<>();
        for (int k = 0; k < slices; k++) {
            String[] all = java.util.Arrays.copyOf(pairs, pairs.length + 1);
            all[pairs.length] = "ImagePositionPatient=0\\0\\" + (5 * k);
            headers.add(instance(all));
        }
        return SeriesFacts.of(headers, "MODALITY1");
    }

    static SeriesFacts series(String... pairs) {
        return series(20, pairs);
    }
}
