package org.ctai.inference.phantom;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * Command line for the phantom generator, without dependencies so that the training script can run
 * it from the module's classes:
 * <pre>
 * PhantomCli --out DIR [--seed N] [--count N] [--slices N] [--size N] [--pixel-spacing MM]
 *            [--slice-spacing MM] [--tumours N] [--tumour-scale F] [--noise HU]
 *            [--patient-id ID] [--patient-name NAME] [--study-date YYYY-MM-DD]
 * PhantomCli --exam --out DIR [--seed N] [--size N] [--tumours N] [--tumour-scale F] [--noise HU] [--patient-id ID] ...
 * </pre>
 * With {@code --exam} it writes a whole exam as a scanner sends it ({@link PhantomExam}: localizers, thin and thick
 * axial reconstructions, a coronal reformat, a dose page and another patient's tilted head CT), axial size 256 unless
 * {@code --size} says otherwise; {@code --slices}, {@code --slice-spacing} and {@code --count} do not apply.
 * With {@code --count N} it writes seeds N consecutive seeds into {@code DIR/seed-<seed>}; otherwise
 * into DIR itself. {@code --size} alone keeps the 384 mm field of view. Prints one line per phantom.
 */
public final class PhantomCli {
    /** Axial rows and columns of {@code --exam} unless {@code --size} says otherwise: small enough for tests. */
    static final int EXAM_SIZE = 256;

    private PhantomCli() {
    }

    public static void main(String[] args) {
        try {
            System.exit(run(args, System.out));
        } catch (IllegalArgumentException e) {
            System.err.println("phantom: " + e.getMessage());
            System.err.println(usage());
            System.exit(2);
        } catch (IOException e) {
            System.err.println("phantom: " + e.getMessage());
            System.exit(1);
        }
    }

    /** Runs the command; returns the exit status. Bad arguments throw {@link IllegalArgumentException} naming the option and value. */
    public static int run(String[] args, PrintStream out) throws IOException {
        Path dir = null;
        long seed = 1;
        int count = 1;
        Integer size = null;
        Double pixelSpacing = null;
        PhantomSpec spec = PhantomSpec.of(seed);
        String patientId = null, patientName = null;
        boolean exam = false;
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (option.equals("--help") || option.equals("-h")) {
                out.println(usage());
                return 0;
            }
            if (option.equals("--exam")) {
                exam = true;
                continue;
            }
            if (i + 1 >= args.length) throw new IllegalArgumentException(option + " needs a value");
            String value = args[++i];
            switch (option) {
                case "--out" -> dir = Path.of(value);
                case "--seed" -> seed = parseLong(option, value);
                case "--count" -> count = (int) parseLong(option, value);
                case "--slices" -> spec = spec.withSlices((int) parseLong(option, value));
                case "--size" -> size = (int) parseLong(option, value);
                case "--pixel-spacing" -> pixelSpacing = parseDouble(option, value);
                case "--slice-spacing" -> spec = spec.withSliceSpacingMm(parseDouble(option, value));
                case "--tumours" -> spec = spec.withTumours((int) parseLong(option, value));
                case "--tumour-scale" -> spec = spec.withTumourScale(parseDouble(option, value));
                case "--noise" -> spec = spec.withNoiseSigmaHu(parseDouble(option, value));
                case "--patient-id" -> patientId = value;
                case "--patient-name" -> patientName = value;
                case "--study-date" -> spec = spec.withStudyDate(parseDate(option, value));
                default -> throw new IllegalArgumentException("unknown option " + option);
            }
        }
        if (dir == null) throw new IllegalArgumentException("--out is required");
        if (count < 1 || count > 10_000) throw new IllegalArgumentException("--count must be 1..10000, was " + count);
        if (exam && count != 1) throw new IllegalArgumentException("--count does not apply to --exam");
        if (size != null) spec = spec.withSize(size);
        else if (exam) spec = spec.withSize(EXAM_SIZE);
        if (pixelSpacing != null) spec = spec.withPixelSpacingMm(pixelSpacing);
        if (exam) return exam(spec.withSeed(seed).withPatient(patientName != null ? patientName : spec.patientName(),
                patientId != null ? patientId : "CTAI-PHANTOM-" + seed), dir, out);
        for (long s = seed; s < seed + count; s++) {
            PhantomSpec one = spec.withSeed(s).withPatient(patientName != null ? patientName : spec.patientName(),
                    patientId != null ? patientId : "CTAI-PHANTOM-" + s);
            Path target = count == 1 ? dir : dir.resolve("seed-" + s);
            Phantom phantom = PhantomGenerator.generate(one);
            PhantomFiles files = PhantomGenerator.write(phantom, target);
            out.println(String.format(Locale.ROOT, "%s: seed %d, %d slices of %dx%d, %d tumours, %d tumour voxels, %.0f mm3",
                    files.directory(), s, one.slices(), one.size(), one.size(), one.tumours(),
                    phantom.truthVoxelCount(), phantom.truthVolumeMm3()));
        }
        return 0;
    }

    private static int exam(PhantomSpec spec, Path dir, PrintStream out) throws IOException {
        PhantomExam.ExamFiles files = PhantomExam.write(spec, dir);
        for (PhantomExam.Series s : files.series()) {
            out.println(String.format(Locale.ROOT, "%s: %s, %d instance%s", files.directory().resolve(s.folder()), s.description(),
                    s.files().size(), s.files().size() == 1 ? "" : "s"));
        }
        return 0;
    }

    static String usage() {
        return "usage: phantom --out DIR [--seed N] [--count N] [--slices N] [--size N] [--pixel-spacing MM]"
                + " [--slice-spacing MM] [--tumours N] [--tumour-scale F] [--noise HU] [--patient-id ID]"
                + " [--patient-name NAME] [--study-date YYYY-MM-DD]\n"
                + "       phantom --exam --out DIR [--seed N] [--size N] [...]: a whole exam (localizer, 1.25 and 5 mm axial,"
                + " coronal reformat, dose page, another patient's tilted head CT)";
    }

    private static long parseLong(String option, String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " must be a whole number, was '" + value + "'");
        }
    }

    private static double parseDouble(String option, String value) {
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " must be a number, was '" + value + "'");
        }
    }

    private static LocalDate parseDate(String option, String value) {
        try {
            return LocalDate.parse(value);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(option + " must be YYYY-MM-DD, was '" + value + "'");
        }
    }
}
