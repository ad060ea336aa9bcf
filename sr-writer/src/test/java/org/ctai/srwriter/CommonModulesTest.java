package org.ctai.srwriter;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.CodeStringAttribute;
import com.pixelmed.dicom.PersonNameAttribute;
import com.pixelmed.dicom.SpecificCharacterSet;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import com.pixelmed.dicom.UniqueIdentifierAttribute;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Patient and study copied faithfully, in the character set that can carry them; the shared new-instance modules. */
class CommonModulesTest {

    @TempDir
    Path dir;

    @Test
    void latin1SourceStaysIsoIr100AndItsNamesSurvive() throws Exception {
        AttributeList source = source(new String[] {"ISO_IR 100"}, "Müller^Jürgen");
        AttributeList written = roundTrip(derived(source, "CTAI SEG"));
        assertThat(Attribute.getSingleStringValueOrEmptyString(written, TagFromName.SpecificCharacterSet)).isEqualTo("ISO_IR 100");
        assertThat(Attribute.getSingleStringValueOrEmptyString(written, TagFromName.PatientName)).isEqualTo("Müller^Jürgen");
        assertThat(Files.readAllBytes(dir.resolve("out.dcm"))).containsSequence("Müller".getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void chineseNameInUtf8SourceSurvives() throws Exception {
        AttributeList written = roundTrip(derived(source(new String[] {"ISO_IR 192"}, "王^小明"), "CTAI SEG"));
        assertThat(Attribute.getSingleStringValueOrEmptyString(written, TagFromName.SpecificCharacterSet)).isEqualTo("ISO_IR 192");
        assertThat(Attribute.getSingleStringValueOrEmptyString(written, TagFromName.PatientName)).isEqualTo("王^小明");
    }

    @Test
    void iso2022JapaneseSourceIsWrittenAsUtf8WithEveryComponent() throws Exception {
        String name = "Yamada^Tarou=山田^太郎=やまだ^たろう";
        AttributeList written = roundTrip(derived(source(new String[] {"", "ISO 2022 IR 87"}, name), "CTAI SEG"));
        assertThat(Attribute.getSingleStringValueOrEmptyString(written, TagFromName.SpecificCharacterSet)).isEqualTo("ISO_IR 192");
        assertThat(Attribute.getSingleStringValueOrEmptyString(written, TagFromName.PatientName)).isEqualTo(name);
    }

    @Test
    void asciiSourceWithANonAsciiSeriesDescriptionBecomesUtf8() throws Exception {
        AttributeList written = roundTrip(derived(source(null, "DOE^JOHN"), "Läsionen 腫瘍"));
        assertThat(Attribute.getSingleStringValueOrEmptyString(written, TagFromName.SpecificCharacterSet)).isEqualTo("ISO_IR 192");
        assertThat(Attribute.getSingleStringValueOrEmptyString(written, TagFromName.SeriesDescription)).isEqualTo("Läsionen 腫瘍");
        assertThat(Attribute.getSingleStringValueOrEmptyString(written, TagFromName.PatientName)).isEqualTo("DOE^JOHN");
    }

    @Test
    void asciiSourceStaysWithoutSpecificCharacterSetEvenIfItSentAnEmptyOne() throws Exception {
        AttributeList written = roundTrip(derived(source(new String[0], "DOE^JOHN"), "CTAI SEG"));
        assertThat(written.get(TagFromName.SpecificCharacterSet)).isNull();
        assertThat(Attribute.getSingleStringValueOrEmptyString(written, TagFromName.PatientName)).isEqualTo("DOE^JOHN");
    }

    @Test
    void copiesPatientAndStudyDeeplyAndAddsMissingType2AsEmpty() throws Exception {
        AttributeList source = source(new String[] {"ISO_IR 192"}, "王^小明");
        AttributeList copy = CommonModules.fromSource(source);
        ((PersonNameAttribute) copy.get(TagFromName.PatientName)).removeValues();
        assertThat(Attribute.getSingleStringValueOrEmptyString(source, TagFromName.PatientName)).isEqualTo("王^小明");
        assertThat(copy.get(TagFromName.StudyInstanceUID).getSingleStringValueOrEmptyString()).isEqualTo("1.2.3.4");
        assertThat(copy.get(TagFromName.AccessionNumber)).isNotNull();
        assertThat(copy.get(TagFromName.ReferringPhysicianName)).isNotNull();
        assertThat(copy.get(TagFromName.SeriesInstanceUID)).as("series attributes are not copied").isNull();
        assertThat(copy.get(TagFromName.Modality)).isNull();
    }

    @Test
    void refusesASourceWithoutStudyInstanceUid() {
        AttributeList source = new AttributeList();
        assertThatThrownBy(() -> CommonModules.fromSource(source)).isInstanceOf(SrWriteException.class)
                .hasMessageContaining("Study Instance UID");
    }

    @Test
    void decimalStringsFitSixteenCharacters() {
        assertThat(CommonModules.ds(-191.25)).isEqualTo("-191.25");
        assertThat(CommonModules.ds(2.0)).isEqualTo("2");
        assertThat(CommonModules.ds(0.1 + 0.2)).hasSizeLessThanOrEqualTo(16);
        assertThat(Double.parseDouble(CommonModules.ds(-226.80000305175781))).isCloseTo(-226.800003, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(CommonModules.ds(1.23456789e-12)).hasSizeLessThanOrEqualTo(16);
    }

    @Test
    void uidsAreValidAndNameBasedOnesRepeat() {
        assertThat(CommonModules.newUid()).matches("2\\.25\\.[1-9][0-9]*").hasSizeLessThanOrEqualTo(64);
        assertThat(CommonModules.uidFromName("a")).isEqualTo(CommonModules.uidFromName("a")).isNotEqualTo(CommonModules.uidFromName("b"));
    }

    private static AttributeList source(String[] charset, String name) throws Exception {
        AttributeList list = new AttributeList();
        SpecificCharacterSet cs = null;
        if (charset != null) {
            CodeStringAttribute a = new CodeStringAttribute(TagFromName.SpecificCharacterSet);
            for (String v : charset) a.addValue(v);
            list.put(a);
            cs = charset.length == 0 ? null : new SpecificCharacterSet(charset);
        }
        PersonNameAttribute pn = new PersonNameAttribute(TagFromName.PatientName, cs);
        pn.addValue(name);
        list.put(pn);
        UniqueIdentifierAttribute study = new UniqueIdentifierAttribute(TagFromName.StudyInstanceUID);
        study.addValue("1.2.3.4");
        list.put(study);
        return list;
    }

    private static AttributeList derived(AttributeList source, String seriesDescription) {
        ZonedDateTime now = ZonedDateTime.of(2025, 3, 4, 5, 6, 7, 0, ZoneOffset.UTC);
        AttributeList list = CommonModules.fromSource(source);
        CommonModules.putSeries(list, "SEG", new CommonModules.Series(CommonModules.newUid(), 9001, seriesDescription), now);
        CommonModules.putInstance(list, "1.2.840.10008.5.1.4.1.1.66.4", CommonModules.newUid(), 1, now);
        CommonModules.finish(list);
        return list;
    }

    private AttributeList roundTrip(AttributeList list) throws Exception {
        Path file = dir.resolve("out.dcm");
        list.write(file.toFile(), TransferSyntax.ExplicitVRLittleEndian, true, true);
        AttributeList read = new AttributeList();
        read.read(file.toFile());
        return read;
    }
}
