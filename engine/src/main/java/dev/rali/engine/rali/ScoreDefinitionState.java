package dev.rali.engine.rali;

import dev.rali.engine.io.Safetensors;
import dev.rali.engine.task.Checkpoints;
import dev.rali.engine.task.TaskContext;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The score definition's fit state and its checkpoint: parameters (μ, f, a = 1/τ), Adam moments (of ln a for τ;
 * format 3, since τ is log-parametrised), counters and the
 * best snapshot, everything a resume needs, stored in F64 so a resumed fit continues bit-identically. File:
 * {@link ScoreDefinition#CHECKPOINT}, safetensors with metadata {@code format} = {@value #FORMAT} and the
 * {@code fingerprint} of the fit's inputs (see {@link Checkpoints}).
 */
final class ScoreDefinitionState {
    static final String FORMAT = "rali-score-definition-checkpoint-3";

    double[][] mu;
    double[] f;
    double a;
    double[][] mMu;
    double[][] vMu;
    double[] mF;
    double[] vF;
    double[] mA = new double[1];
    double[] vA = new double[1];
    double[][] bestMu;
    double[] bestF;
    double bestA;
    int bestEpoch;
    double bestVal = Double.NaN;
    int badEpochs;
    int epoch;
    long step;
    boolean stopped;

    static ScoreDefinitionState initial(Bases init, double tau) {
        ScoreDefinitionState st = new ScoreDefinitionState();
        int k = init.count();
        int m = init.dim();
        st.mu = new double[k][m];
        st.f = new double[k];
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < m; j++) {
                st.mu[i][j] = init.mu()[i][j];
            }
            st.f[i] = init.f()[i];
        }
        st.a = 1.0 / tau;
        st.mMu = new double[k][m];
        st.vMu = new double[k][m];
        st.mF = new double[k];
        st.vF = new double[k];
        return st;
    }

    /** Copies the early-stopping state into what the checkpoint stores. */
    void recordEarlyStopping(double best, int bad, boolean stop) {
        bestVal = best;
        badEpochs = bad;
        stopped = stop;
    }

    void snapshotBest(int ep) {
        bestMu = new double[mu.length][];
        for (int i = 0; i < mu.length; i++) {
            bestMu[i] = mu[i].clone();
        }
        bestF = f.clone();
        bestA = a;
        bestEpoch = ep;
    }

    ScoreDefinition.Result result(double[][] mu, double[] f, double a, int bestEpoch, int epochs, double val,
                  List<ScoreDefinition.EpochStats> history, boolean resumed) {
        float[][] muF = new float[mu.length][mu[0].length];
        float[] fF = new float[f.length];
        for (int i = 0; i < mu.length; i++) {
            for (int j = 0; j < mu[i].length; j++) {
                muF[i][j] = (float) mu[i][j];
            }
            fF[i] = (float) f[i];
        }
        return new ScoreDefinition.Result(muF, fF, 1.0 / a, bestEpoch, epochs, val, List.copyOf(history), resumed);
    }

    void save(Path file, String fingerprint, List<ScoreDefinition.EpochStats> history) throws IOException {
        int k = f.length;
        int m = mu[0].length;
        Safetensors.Writer w = new Safetensors.Writer();
        w.metadata(Checkpoints.FINGERPRINT, fingerprint);
        w.metadata(Checkpoints.FORMAT, FORMAT);
        w.putDoubles("mu", flat(mu), k, m);
        w.putDoubles("f", f, k);
        w.putDoubles("a", new double[] {a}, 1);
        w.putDoubles("adam_m_mu", flat(mMu), k, m);
        w.putDoubles("adam_v_mu", flat(vMu), k, m);
        w.putDoubles("adam_m_f", mF, k);
        w.putDoubles("adam_v_f", vF, k);
        w.putDoubles("adam_m_a", mA, 1);
        w.putDoubles("adam_v_a", vA, 1);
        w.putDoubles("best_mu", flat(bestMu), k, m);
        w.putDoubles("best_f", bestF, k);
        w.putDoubles("best_a_val", new double[] {bestA, bestVal}, 2);
        w.putLongs("counters", new long[] {epoch, step, bestEpoch, badEpochs, stopped ? 1 : 0}, 5);
        double[] h = new double[history.size() * 5];
        for (int i = 0; i < history.size(); i++) {
            ScoreDefinition.EpochStats e = history.get(i);
            h[5 * i] = e.epoch();
            h[5 * i + 1] = e.trainLoss();
            h[5 * i + 2] = e.valLoss();
            h[5 * i + 3] = e.valPlcc();
            h[5 * i + 4] = e.valSrcc();
        }
        w.putDoubles("history", h, history.size(), 5);
        w.write(file);
    }

    /** Loads a checkpoint, or returns null (with a log line) when it belongs to other inputs or another version. */
    static ScoreDefinitionState load(Path file, String fingerprint, List<ScoreDefinition.EpochStats> history,
                                     TaskContext ctx) throws IOException {
        try (Safetensors.Reader r = Safetensors.open(file)) {
            String refusal = Checkpoints.refusal(r.metadata(), FORMAT, fingerprint);
            if (refusal != null) {
                ctx.log("score definition: " + file + " " + refusal + "; starting over");
                return null;
            }
            long[] shape = r.info("mu").shape();
            int k = (int) shape[0];
            int m = (int) shape[1];
            ScoreDefinitionState st = new ScoreDefinitionState();
            st.mu = rows(r.doubles("mu"), k, m);
            st.f = r.doubles("f");
            st.a = r.doubles("a")[0];
            st.mMu = rows(r.doubles("adam_m_mu"), k, m);
            st.vMu = rows(r.doubles("adam_v_mu"), k, m);
            st.mF = r.doubles("adam_m_f");
            st.vF = r.doubles("adam_v_f");
            st.mA = r.doubles("adam_m_a");
            st.vA = r.doubles("adam_v_a");
            st.bestMu = rows(r.doubles("best_mu"), k, m);
            st.bestF = r.doubles("best_f");
            double[] bav = r.doubles("best_a_val");
            st.bestA = bav[0];
            st.bestVal = bav[1];
            long[] c = r.longs("counters");
            st.epoch = (int) c[0];
            st.step = c[1];
            st.bestEpoch = (int) c[2];
            st.badEpochs = (int) c[3];
            st.stopped = c[4] != 0;
            double[] h = r.doubles("history");
            for (int i = 0; i < h.length / 5; i++) {
                history.add(new ScoreDefinition.EpochStats((int) h[5 * i], h[5 * i + 1], h[5 * i + 2], h[5 * i + 3], h[5 * i + 4]));
            }
            return st;
        } catch (IOException | RuntimeException e) {
            throw new IOException(file + ": unreadable score-definition checkpoint (" + e.getMessage()
                    + "); delete it to start over", e);
        }
    }

    private static double[] flat(double[][] x) {
        int m = x[0].length;
        double[] out = new double[x.length * m];
        for (int i = 0; i < x.length; i++) {
            System.arraycopy(x[i], 0, out, i * m, m);
        }
        return out;
    }

    private static double[][] rows(double[] flat, int k, int m) {
        double[][] out = new double[k][m];
        for (int i = 0; i < k; i++) {
            System.arraycopy(flat, i * m, out[i], 0, m);
        }
        return out;
    }
}
