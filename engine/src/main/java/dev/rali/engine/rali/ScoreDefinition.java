package dev.rali.engine.rali;

import dev.rali.engine.task.DivergenceCheck;
import dev.rali.engine.task.EarlyStopping;
import dev.rali.engine.task.Fingerprint;
import dev.rali.engine.task.TaskContext;
import dev.rali.engine.task.TrainingListener;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * Stage D (paper §4): the fit of the score definition Eq. 3 ({@link ScoreFunction}) to ground-truth scores,
 * starting from the k-means initialisation, with Adam (lr 3e-2, §5.1) on mini-batches.
 * μ_i are trained un-normalised and normalised in the forward pass, like the released scorer's prototypes. When
 * τ is learnable the logit scale a = 1/τ is trained in log space, θ = ln a (as CLIP trains its own logit scale), so
 * it stays positive whatever the step; θ is clamped to [ln 1e-3, ln 100]. Gradients are analytic:
 * <pre>
 *   ∂ŝ/∂f_i = w_i,   ∂ŝ/∂(a c_i) = w_i (f_i − ŝ),   ∂c_i/∂μ_i = (x̂ − c_i μ̂_i)/|μ_i|,   ∂L/∂θ = a ∂L/∂a
 * </pre>
 * Everything is computed in double; the parallel parts (per sample, then per basis) reduce in a fixed order, so a
 * run is bit-reproducible. After every epoch the full optimiser state is checkpointed (F64 safetensors) to
 * {@code workDir/score_definition.ckpt.safetensors} ({@link ScoreDefinitionState}); a cancelled run resumes from the last completed epoch and
 * ends with exactly the parameters of an uninterrupted run (the batch order of epoch e depends only on seed and e).
 */
public final class ScoreDefinition {

    public static final String CHECKPOINT = "score_definition.ckpt.safetensors";
    private static final double MAX_LOGIT_SCALE = 100;
    private static final double MIN_LOGIT_SCALE = 1e-3;

    private ScoreDefinition() { }

    /** One epoch's numbers (epoch 0 = the initial bases before any update). NaN where there is no validation set. */
    public record EpochStats(int epoch, double trainLoss, double valLoss, double valPlcc, double valSrcc) { }

    /** The fitted (or, when disabled, the initial) parameters and their history. */
    public record Result(float[][] mu, float[] f, double tau, int bestEpoch, int epochsRun, double bestValPlcc,
                         List<EpochStats> history, boolean resumed) {
        public Bases bases() {
            return new Bases(mu, f, null);
        }
    }

    /**
     * Fits μ, f (and τ) to (z, s). z are compressed embeddings (the output of {@link Compression#apply}); zVal/sVal
     * may be null. workDir may be null (no checkpoints). When {@code p.enabled} is false the initial bases are
     * returned unchanged with τ = tauInit (Table 4 case 5) and only evaluated.
     */
    public static Result fit(float[][] z, double[] s, float[][] zVal, double[] sVal, Bases init,
                             RaliParams.ScoreDefinitionParams p, long seed, Path workDir, TaskContext ctx) throws IOException {
        int m = Checks.matrix("score definition training set", z);
        Checks.scores("score definition training set", s, z.length);
        boolean hasVal = zVal != null && zVal.length > 0;
        if (hasVal) {
            int mv = Checks.matrix("score definition validation set", zVal);
            Checks.scores("score definition validation set", sVal, zVal.length);
            if (mv != m) {
                throw new IllegalArgumentException("validation embeddings have dimension " + mv + ", training " + m);
            }
        }
        if (init.dim() != m) {
            throw new IllegalArgumentException("bases have dimension " + init.dim() + ", embeddings " + m);
        }
        ScoreDefinitionState st = ScoreDefinitionState.initial(init, p.tauInit);
        double[][] x = ScoreFunction.normalise(z);
        double[][] xv = hasVal ? ScoreFunction.normalise(zVal) : null;
        List<EpochStats> history = new ArrayList<>();
        DivergenceCheck divergence = new DivergenceCheck("score definition", "lower scoreDefinition.lr");
        if (!p.enabled) {
            EpochStats e0 = evaluate(0, st, x, s, xv, sVal, p.loss, Double.NaN, divergence);
            report(ctx, e0);
            history.add(e0);
            return st.result(st.mu, st.f, st.a, 0, 0, e0.valPlcc(), history, false);
        }

        String fingerprint = fingerprint(z, s, zVal, sVal, init, p, seed);
        Path ckpt = workDir == null ? null : workDir.resolve(CHECKPOINT);
        EarlyStopping early = new EarlyStopping(p.earlyStoppingPatience, "score definition", "PLCC", ctx);
        boolean resumed = false;
        if (ckpt != null && Files.exists(ckpt)) {
            ScoreDefinitionState loaded = ScoreDefinitionState.load(ckpt, fingerprint, history, ctx);
            if (loaded != null) {
                st = loaded;
                early.restore(st.bestVal, st.bestEpoch, st.badEpochs, st.stopped);
                resumed = true;
                ctx.log("score definition: resuming after epoch " + st.epoch + " from " + ckpt);
            }
        }
        if (!resumed) {
            EpochStats e0 = evaluate(0, st, x, s, xv, sVal, p.loss, Double.NaN, divergence);
            report(ctx, e0);
            history.add(e0);
            early.start(0, hasVal ? e0.valPlcc() : Double.NaN);
            st.snapshotBest(0);
            st.recordEarlyStopping(early.best(), early.badEpochs(), early.stopped());
        }

        // After each epoch, in order: the numbers into history and the context, early stopping and the best
        // snapshot, the checkpoint (which records all of it).
        ScoreDefinitionState fit = st;
        List<TrainingListener> listeners = new ArrayList<>();
        listeners.add(TrainingListener.stepLoss(ctx, "score_definition"));
        listeners.add(e -> {
            early.onEpoch(e);
            if (early.improved()) {
                fit.snapshotBest(e.epoch());
            }
            fit.recordEarlyStopping(early.best(), early.badEpochs(), early.stopped());
        });
        if (ckpt != null) {
            listeners.add(e -> fit.save(ckpt, fingerprint, history));
        }
        TrainingListener after = TrainingListener.all(listeners);

        int n = z.length;
        int batches = (n + p.batchSize - 1) / p.batchSize;
        long totalSteps = (long) batches * p.epochs;
        while (st.epoch < p.epochs && !early.stopped()) {
            int epoch = st.epoch + 1;
            int[] order = permutation(n, seed, epoch);
            double lossSum = 0;
            for (int b = 0; b < batches; b++) {
                ctx.checkCancelled();
                int from = b * p.batchSize;
                int to = Math.min(n, from + p.batchSize);
                int[] idx = java.util.Arrays.copyOfRange(order, from, to);
                double loss = step(st, x, s, idx, p);
                lossSum += loss * idx.length;
                after.onTrainingBatch(st.step, loss);
                ctx.progress("score_definition", st.step, totalSteps,
                        String.format("epoch %d/%d, loss %.4g", epoch, p.epochs, loss));
            }
            st.epoch = epoch;
            EpochStats es = evaluate(epoch, st, x, s, xv, sVal, p.loss, lossSum / n, divergence);
            history.add(es);
            report(ctx, es);
            after.onEpoch(new TrainingListener.Epoch(epoch, st.step, es.trainLoss(), es.valLoss(), es.valPlcc()));
        }
        boolean useBest = hasVal && p.keepBestEpoch;
        if (useBest) {
            return st.result(st.bestMu, st.bestF, st.bestA, st.bestEpoch, st.epoch, st.bestVal, history, resumed);
        }
        double lastVal = history.get(history.size() - 1).valPlcc();
        return st.result(st.mu, st.f, st.a, st.epoch, st.epoch, lastVal, history, resumed);
    }

    // ---- the maths ----

    /** Loss of predictions against targets and dL/dŝ into g (may be null). */
    static double loss(RaliParams.Loss kind, double[] pred, double[] target, double[] g) {
        int n = pred.length;
        double l = 0;
        switch (kind) {
            case MSE -> {
                for (int b = 0; b < n; b++) {
                    double d = pred[b] - target[b];
                    l += d * d / n;
                    if (g != null) {
                        g[b] = 2 * d / n;
                    }
                }
            }
            case L1 -> {
                for (int b = 0; b < n; b++) {
                    double d = pred[b] - target[b];
                    l += Math.abs(d) / n;
                    if (g != null) {
                        g[b] = Math.signum(d) / n;
                    }
                }
            }
            case PLCC -> { // L = 1 − r, r = Σpq / (|p||q|) with p, q the centred predictions and targets
                double mp = 0;
                double mq = 0;
                for (int b = 0; b < n; b++) {
                    mp += pred[b] / n;
                    mq += target[b] / n;
                }
                double spq = 0;
                double spp = 0;
                double sqq = 0;
                for (int b = 0; b < n; b++) {
                    double pb = pred[b] - mp;
                    double qb = target[b] - mq;
                    spq += pb * qb;
                    spp += pb * pb;
                    sqq += qb * qb;
                }
                if (spp <= 0 || sqq <= 0) { // a constant batch has no correlation to improve
                    if (g != null) {
                        java.util.Arrays.fill(g, 0);
                    }
                    return 1;
                }
                double np = Math.sqrt(spp);
                double nq = Math.sqrt(sqq);
                double r = spq / (np * nq);
                l = 1 - r;
                if (g != null) {
                    for (int b = 0; b < n; b++) {
                        g[b] = -((target[b] - mq) / (np * nq) - r * (pred[b] - mp) / spp);
                    }
                }
            }
            default -> throw new IllegalStateException();
        }
        return l;
    }

    /** Loss and gradients of one mini-batch at the current parameters (no update). Package-private for tests. */
    static double gradients(double[][] mu, double[] f, double a, double[][] x, double[] s, int[] idx,
                            RaliParams.Loss lossKind, double[][] gMu, double[] gF, double[] gA) {
        int k = mu.length;
        int m = mu[0].length;
        int bs = idx.length;
        double[] norm = new double[k];
        double[][] mh = new double[k][m];
        for (int i = 0; i < k; i++) {
            double nn = 0;
            for (double v : mu[i]) {
                nn += v * v;
            }
            norm[i] = Math.max(Math.sqrt(nn), 1e-12);
            for (int j = 0; j < m; j++) {
                mh[i][j] = mu[i][j] / norm[i];
            }
        }
        double[][] c = new double[bs][k];
        double[][] w = new double[bs][k];
        double[] pred = new double[bs];
        double[] target = new double[bs];
        IntStream.range(0, bs).parallel().forEach(b -> pred[b] = ScoreFunction.forward(x[idx[b]], mh, f, a, c[b], w[b]));
        for (int b = 0; b < bs; b++) {
            target[b] = s[idx[b]];
        }
        double[] g = new double[bs];
        double l = loss(lossKind, pred, target, g);
        // α_bi = dL/d(a·c_bi) = g_b w_bi (f_i − ŝ_b)
        double[][] alpha = new double[bs][k];
        double ga = 0;
        for (int b = 0; b < bs; b++) {
            for (int i = 0; i < k; i++) {
                alpha[b][i] = g[b] * w[b][i] * (f[i] - pred[b]);
                ga += alpha[b][i] * c[b][i];
            }
        }
        gA[0] = ga;
        IntStream.range(0, k).parallel().forEach(i -> {
            double gf = 0;
            double ac = 0;
            double[] gm = gMu[i];
            java.util.Arrays.fill(gm, 0);
            for (int b = 0; b < bs; b++) {
                gf += g[b] * w[b][i];
                double al = alpha[b][i];
                ac += al * c[b][i];
                double[] xb = x[idx[b]];
                for (int j = 0; j < m; j++) {
                    gm[j] += al * xb[j];
                }
            }
            gF[i] = gf;
            double scale = a / norm[i];
            for (int j = 0; j < m; j++) {
                gm[j] = scale * (gm[j] - ac * mh[i][j]);
            }
        });
        return l;
    }

    private static double step(ScoreDefinitionState st, double[][] x, double[] s, int[] idx, RaliParams.ScoreDefinitionParams p) {
        int k = st.f.length;
        double[][] gMu = new double[k][st.mu[0].length];
        double[] gF = new double[k];
        double[] gA = new double[1];
        double l = gradients(st.mu, st.f, st.a, x, s, idx, p.loss, gMu, gF, gA);
        st.step++;
        double bc1 = 1 - Math.pow(p.adamBeta1, st.step);
        double bc2 = 1 - Math.pow(p.adamBeta2, st.step);
        if (p.learnMu) {
            IntStream.range(0, k).parallel().forEach(i -> adam(st.mu[i], gMu[i], st.mMu[i], st.vMu[i], p, bc1, bc2));
        }
        if (p.learnF) {
            adam(st.f, gF, st.mF, st.vF, p, bc1, bc2);
        }
        if (p.learnTau) {
            double[] theta = {Math.log(st.a)};
            adam(theta, new double[] {logScaleGradient(st.a, gA[0])}, st.mA, st.vA, p, bc1, bc2);
            st.a = Math.exp(Math.max(Math.log(MIN_LOGIT_SCALE), Math.min(Math.log(MAX_LOGIT_SCALE), theta[0])));
        }
        return l;
    }

    /** ∂L/∂θ for θ = ln a, from ∂L/∂a (chain rule: ∂a/∂θ = a). Package-private for the gradient check. */
    static double logScaleGradient(double a, double gradA) {
        return a * gradA;
    }

    private static void adam(double[] theta, double[] g, double[] m, double[] v, RaliParams.ScoreDefinitionParams p,
                             double bc1, double bc2) {
        for (int j = 0; j < theta.length; j++) {
            m[j] = p.adamBeta1 * m[j] + (1 - p.adamBeta1) * g[j];
            v[j] = p.adamBeta2 * v[j] + (1 - p.adamBeta2) * g[j] * g[j];
            theta[j] -= p.lr * (m[j] / bc1) / (Math.sqrt(v[j] / bc2) + p.adamEps);
        }
    }

    private static EpochStats evaluate(int epoch, ScoreDefinitionState st, double[][] x, double[] s, double[][] xv,
                                       double[] sv, RaliParams.Loss kind, double trainLoss, DivergenceCheck divergence) {
        if (Double.isNaN(trainLoss)) {
            trainLoss = loss(kind, predictD(st, x), s, null);
        }
        // before the validation pass: a diverged fit has nothing worth evaluating
        divergence.onEpoch(new TrainingListener.Epoch(epoch, st.step, trainLoss, Double.NaN, Double.NaN));
        double valLoss = Double.NaN;
        double valPlcc = Double.NaN;
        double valSrcc = Double.NaN;
        if (xv != null) {
            double[] pv = predictD(st, xv);
            valLoss = loss(kind, pv, sv, null);
            valPlcc = Checks.plcc(pv, sv);
            valSrcc = Checks.srcc(pv, sv);
        }
        return new EpochStats(epoch, trainLoss, valLoss, valPlcc, valSrcc);
    }

    private static double[] predictD(ScoreDefinitionState st, double[][] x) {
        return ScoreFunction.predict(x, ScoreFunction.normalise(st.mu), st.f, st.a);
    }

    private static void report(TaskContext ctx, EpochStats e) {
        ctx.metric("score_definition/epoch_loss", e.epoch(), e.trainLoss());
        if (!Double.isNaN(e.valPlcc())) {
            ctx.metric("score_definition/val_plcc", e.epoch(), e.valPlcc());
            ctx.metric("score_definition/val_srcc", e.epoch(), e.valSrcc());
            ctx.metric("score_definition/val_loss", e.epoch(), e.valLoss());
        }
        ctx.log(String.format("score definition epoch %d: train loss %.5g, val loss %.5g, val PLCC %.4f, SRCC %.4f",
                e.epoch(), e.trainLoss(), e.valLoss(), e.valPlcc(), e.valSrcc()));
    }

    /** The batch order of an epoch: a Fisher–Yates shuffle seeded by (seed, epoch) only. */
    static int[] permutation(int n, long seed, int epoch) {
        Random r = new Random(seed * 0x9E3779B97F4A7C15L + epoch);
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** Identifies the inputs of a run so that a checkpoint is only resumed for the very same inputs. */
    static String fingerprint(float[][] z, double[] s, float[][] zVal, double[] sVal, Bases init,
                              RaliParams.ScoreDefinitionParams p, long seed) {
        RaliParams holder = new RaliParams();
        holder.scoreDefinition = p;
        holder.seed = seed;
        Fingerprint f = Fingerprint.sha256().text(holder.toJson()).floats(z).doubles(s);
        if (zVal != null) {
            f.floats(zVal).doubles(sVal);
        }
        return f.floats(init.mu()).floats(new float[][] {init.f()}).hex();
    }
}
