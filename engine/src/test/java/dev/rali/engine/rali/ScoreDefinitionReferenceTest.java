package dev.rali.engine.rali;

import dev.rali.engine.io.Safetensors;
import dev.rali.engine.task.TaskContext;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Cross-checks the score-definition fit against PyTorch autograd + torch.optim.Adam (float64) on the same data,
 * initial bases and batch order: {@code make_score_definition_reference.py} in the test resources made the file.
 */
class ScoreDefinitionReferenceTest {

    @Test
    void matchesPytorchAdamTrainingForMseAndPlccLoss() throws Exception {
        Path file = Path.of(getClass().getResource("score_definition_reference.safetensors").toURI());
        try (Safetensors.Reader r = Safetensors.open(file)) {
            int n = (int) r.info("z").shape()[0];
            int m = (int) r.info("z").shape()[1];
            int k = (int) r.info("mu0").shape()[0];
            float[][] z = rows(r.floats("z"), n, m);
            float[][] mu0 = rows(r.floats("mu0"), k, m);
            double[] s = r.doubles("s");
            Bases init = new Bases(mu0, r.floats("f0"), null);
            long seed = Long.parseLong(r.metadata().get("seed"));
            int epochs = Integer.parseInt(r.metadata().get("epochs"));

            long[] perms = r.longs("perms");
            for (int e = 1; e <= epochs; e++) {
                int[] p = ScoreDefinition.permutation(n, seed, e);
                for (int i = 0; i < n; i++) {
                    assertEquals(perms[(e - 1) * n + i], p[i], "batch order of epoch " + e);
                }
            }

            for (RaliParams.Loss loss : new RaliParams.Loss[] {RaliParams.Loss.MSE, RaliParams.Loss.PLCC}) {
                RaliParams.ScoreDefinitionParams p = new RaliParams().scoreDefinition;
                p.loss = loss;
                p.epochs = epochs;
                p.batchSize = Integer.parseInt(r.metadata().get("batch"));
                p.lr = Double.parseDouble(r.metadata().get("lr"));
                p.tauInit = Double.parseDouble(r.metadata().get("tau"));
                p.learnTau = true;
                ScoreDefinition.Result res = ScoreDefinition.fit(z, s, null, null, init, p, seed, null,
                        TaskContext.silent());
                String key = loss.name().toLowerCase();
                double[] muRef = r.doubles(key + "_mu");
                double[] fRef = r.doubles(key + "_f");
                double aRef = r.doubles(key + "_a")[0];
                for (int i = 0; i < k; i++) {
                    assertEquals(fRef[i], res.f()[i], 1e-5, loss + " f_" + i);
                    for (int j = 0; j < m; j++) {
                        assertEquals(muRef[i * m + j], res.mu()[i][j], 1e-5, loss + " μ_" + i + "," + j);
                    }
                }
                assertEquals(aRef, 1.0 / res.tau(), 1e-9, loss + " logit scale");
                assertNotEquals(init.f()[0], res.f()[0]); // it did train
            }
        }
    }

    private static float[][] rows(float[] flat, int n, int m) {
        float[][] out = new float[n][m];
        for (int i = 0; i < n; i++) {
            System.arraycopy(flat, i * m, out[i], 0, m);
        }
        return out;
    }
}
