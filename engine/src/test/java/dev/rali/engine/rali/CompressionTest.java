package dev.rali.engine.rali;

import dev.rali.engine.task.TaskContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class CompressionTest {

    @Test
    void eigenDecompositionSatisfiesAvEqualsLambdaV() {
        Random r = new Random(1);
        int n = 40;
        double[][] a = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                a[i][j] = a[j][i] = r.nextGaussian();
            }
        }
        SymmetricEigen e = SymmetricEigen.of(a);
        for (int k = 0; k < n; k++) {
            if (k > 0) {
                assertTrue(e.values[k] <= e.values[k - 1]);
            }
            double[] v = e.vectors[k];
            for (int i = 0; i < n; i++) {
                double av = 0;
                for (int j = 0; j < n; j++) {
                    av += a[i][j] * v[j];
                }
                assertEquals(e.values[k] * v[i], av, 1e-9);
            }
            for (int l = 0; l < n; l++) {
                double dot = 0;
                for (int j = 0; j < n; j++) {
                    dot += v[j] * e.vectors[l][j];
                }
                assertEquals(k == l ? 1 : 0, dot, 1e-9);
            }
        }
    }

    @Test
    void findsTheDominantDirectionsAndTheirVariance() {
        // x = 3·a·e0 + 1·b·e1 + tiny noise, with a, b standard normal: variances 9 and 1.
        Random r = new Random(2);
        int n = 4000;
        int d = 6;
        float[][] x = new float[n][d];
        for (int i = 0; i < n; i++) {
            double a = r.nextGaussian();
            double b = r.nextGaussian();
            for (int j = 0; j < d; j++) {
                x[i][j] = (float) (10 + 0.01 * r.nextGaussian());
            }
            x[i][0] += (float) (3 * a);
            x[i][2] += (float) (b);
        }
        Compression c = Compression.fit(x, 2, TaskContext.silent());
        assertEquals(2, c.outputDim());
        float[][] u = c.components();
        assertEquals(1.0, u[0][0], 1e-3);
        assertEquals(1.0, u[1][2], 1e-3);
        double[] ev = c.explainedVariance();
        assertEquals(9, ev[0], 0.5);
        assertEquals(1, ev[1], 0.1);
        assertTrue(c.explainedVarianceRatio() > 0.99);
        assertEquals(10, c.mean()[3], 0.01);
        float[] z = c.apply(x[5]);
        assertEquals(x[5][0] - c.mean()[0], z[0], 1e-3);
    }

    @Test
    void capsDimensionAtSamplesMinusOne() {
        float[][] x = {{1, 2, 3, 4}, {2, 1, 0, 5}, {0, 0, 1, 1}};
        assertEquals(2, Compression.fit(x, 512, TaskContext.silent()).outputDim());
    }

    @Test
    void agreesWithScoreHeadCompression(@TempDir Path tmp) throws Exception {
        Random r = new Random(3);
        float[][] x = new float[50][8];
        for (float[] row : x) {
            for (int j = 0; j < row.length; j++) {
                row[j] = (float) r.nextGaussian();
            }
        }
        Compression c = Compression.fit(x, 5, TaskContext.silent());
        ScoreHead head = new ScoreHead(c.mean(), 1f, c.components(), new float[][] {{1, 0, 0, 0, 0}},
                new float[] {3}, 0.07);
        assertArrayEquals(c.apply(x[7]), head.compress(x[7]));
        Path f = tmp.resolve("pca.safetensors");
        c.save(f);
        Compression back = Compression.load(f);
        assertArrayEquals(c.apply(x[9]), back.apply(x[9]));
        assertArrayEquals(c.explainedVariance(), back.explainedVariance());
        Compression id = Compression.identity(8);
        id.save(f);
        assertTrue(Compression.load(f).isIdentity());
        assertArrayEquals(x[1], Compression.load(f).apply(x[1]));
    }

    @Test
    void noPcaAblationCentresWithoutReducingAndSurvivesSaveAndLoad(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        float[][] x = {{1, 10, 0}, {3, 14, -2}, {5, 12, 2}};
        Compression c = Compression.centred(x);
        assertEquals(3, c.outputDim(), "full dimension: no reduction");
        assertTrue(c.isIdentity() && c.isCentred());
        assertArrayEquals(new float[] {3, 12, 0}, c.mean());
        assertArrayEquals(new float[] {-2, -2, 0}, c.apply(x[0]));
        Path f = dir.resolve("centred.safetensors");
        c.save(f);
        Compression back = Compression.load(f);
        assertTrue(back.isCentred());
        assertArrayEquals(c.apply(x[2]), back.apply(x[2]));
        assertFalse(Compression.identity(3).isCentred());
    }

    @Test
    void rejectsBadInput() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> Compression.fit(new float[][] {{1, 2}, {1, Float.NaN}}, 1, TaskContext.silent()));
        assertTrue(e.getMessage().contains("embedding 1"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> Compression.fit(new float[][] {{1, 2}, {1}}, 1, TaskContext.silent()));
        Compression c = Compression.identity(3);
        assertThrows(IllegalArgumentException.class, () -> c.apply(new float[2]));
    }

    @Test
    void matchesNumpyPcaReference() throws Exception {
        Path file = Path.of(getClass().getResource("pca_reference.safetensors").toURI());
        try (dev.rali.engine.io.Safetensors.Reader r = dev.rali.engine.io.Safetensors.open(file)) {
            long[] shape = r.info("x").shape();
            int n = (int) shape[0];
            int d = (int) shape[1];
            int m = Integer.parseInt(r.metadata().get("m"));
            float[] flat = r.floats("x");
            float[][] x = new float[n][d];
            for (int i = 0; i < n; i++) {
                System.arraycopy(flat, i * d, x[i], 0, d);
            }
            Compression c = Compression.fit(x, m, TaskContext.silent());
            double[] mean = r.doubles("mean");
            double[] comps = r.doubles("components");
            double[] ev = r.doubles("explained_variance");
            double[] z = r.doubles("z");
            for (int j = 0; j < d; j++) {
                assertEquals(mean[j], c.mean()[j], 1e-5);
            }
            float[][] u = c.components();
            for (int k = 0; k < m; k++) {
                assertEquals(ev[k], c.explainedVariance()[k], 1e-9 * ev[0]);
                for (int j = 0; j < d; j++) {
                    assertEquals(comps[k * d + j], u[k][j], 1e-6, "component " + k + "," + j);
                }
            }
            for (int i = 0; i < n; i += 7) {
                float[] zi = c.apply(x[i]);
                for (int k = 0; k < m; k++) {
                    assertEquals(z[i * m + k], zi[k], 1e-4);
                }
            }
        }
    }
}
