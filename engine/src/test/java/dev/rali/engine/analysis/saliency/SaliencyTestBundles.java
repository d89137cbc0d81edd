package dev.rali.engine.analysis.saliency;

import dev.rali.engine.TestPaths;
import dev.rali.engine.bundle.ModelBundle;
import dev.rali.engine.rali.HeadParams;

import java.nio.file.Path;
import java.util.Random;

/** A small bundle for the saliency tests. */
public final class SaliencyTestBundles {
    private SaliencyTestBundles() { }

    /** tiny-clip-a (56 px, 14-px patches: 4 x 4) with a fixed random head over 5 bases scoring 1..5. */
    public static Path tiny(Path dir) throws Exception {
        Random rnd = new Random(3);
        float[][] comps = new float[8][32];
        float[][] mu = new float[5][8];
        for (float[] row : comps) {
            for (int i = 0; i < row.length; i++) {
                row[i] = (float) rnd.nextGaussian();
            }
        }
        for (float[] row : mu) {
            for (int i = 0; i < row.length; i++) {
                row[i] = (float) rnd.nextGaussian();
            }
        }
        HeadParams head = new HeadParams(new float[32], 1f, comps, mu, new float[] {1, 2, 3, 4, 5}, 0.05);
        return ModelBundle.write(dir.resolve("t.rali-model"), TestPaths.shared("fixtures/tiny-clip-a"), head, null).dir();
    }

}
