import org.ctai.inference.phantom.Phantom;
import org.ctai.inference.phantom.PhantomGenerator;
import org.ctai.inference.phantom.PhantomSpec;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes phantoms as raw arrays for train3d.py, without DICOM: SEED.hu (int16 little-endian, slices x rows x
 * columns), SEED.mask (uint8 truth) and a line of SEED slices size pixel-mm slice-mm in index.txt.
 * Run with the inference classes on the class path:
 *   java -cp "$CP" inference/training/ExportPhantoms.java OUT FIRST_SEED COUNT SIZE SLICES PIXEL_MM SLICE_MM TUMOURS
 */
public class ExportPhantoms {
    public static void main(String[] a) throws IOException {
        Path out = Files.createDirectories(Path.of(a[0]));
        long first = Long.parseLong(a[1]);
        int count = Integer.parseInt(a[2]);
        for (long seed = first; seed < first + count; seed++) {
            PhantomSpec spec = PhantomSpec.of(seed).withSize(Integer.parseInt(a[3])).withSlices(Integer.parseInt(a[4]))
                    .withPixelSpacingMm(Double.parseDouble(a[5])).withSliceSpacingMm(Double.parseDouble(a[6]))
                    .withTumours((int) (seed % (Integer.parseInt(a[7]) + 1)));
            Phantom p = PhantomGenerator.generate(spec);
            int plane = spec.size() * spec.size();
            ByteBuffer hu = ByteBuffer.allocate(p.sliceCount() * plane * 2).order(ByteOrder.LITTLE_ENDIAN);
            byte[] mask = new byte[p.sliceCount() * plane];
            for (int z = 0; z < p.sliceCount(); z++) {
                for (short v : p.hu(z)) hu.putShort(v);
                System.arraycopy(p.mask(z), 0, mask, z * plane, plane);
            }
            Files.write(out.resolve(seed + ".hu"), hu.array());
            Files.write(out.resolve(seed + ".mask"), mask);
            Files.writeString(out.resolve("index.txt"), seed + " " + p.sliceCount() + " " + spec.size() + " " + spec.pixelSpacingMm()
                    + " " + spec.sliceSpacingMm() + "\n", java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        }
    }
}
