package dev.rali.app;

import java.lang.reflect.Method;
import java.util.Arrays;

/**
 * PLCC/SRCC for the Results view. Uses the engine's {@code dev.rali.engine.eval.Metrics} when the build has it
 * (looked up once, so the app does not depend on the merge order) and falls back to the textbook formulas,
 * which agree with it: Pearson on the raw values, Spearman = Pearson on average ranks (ties share a rank).
 */
public final class Stats {
    private static final Method PLCC = engine("plcc");
    private static final Method SRCC = engine("srcc");

    private Stats() { }

    private static Method engine(String name) {
        try {
            return Class.forName("dev.rali.engine.eval.Metrics").getMethod(name, double[].class, double[].class);
        } catch (ReflectiveOperationException | LinkageError e) {
            return null;
        }
    }

    public static double plcc(double[] pred, double[] mos) {
        return PLCC != null ? call(PLCC, pred, mos) : pearson(pred, mos);
    }

    public static double srcc(double[] pred, double[] mos) {
        return SRCC != null ? call(SRCC, pred, mos) : pearson(ranks(pred), ranks(mos));
    }

    private static double call(Method m, double[] a, double[] b) {
        try {
            return (double) m.invoke(null, a, b);
        } catch (ReflectiveOperationException e) {
            return Double.NaN;
        }
    }

    static double pearson(double[] a, double[] b) {
        int n = a.length;
        if (n != b.length || n < 2) {
            return Double.NaN;
        }
        double ma = Arrays.stream(a).average().orElse(0);
        double mb = Arrays.stream(b).average().orElse(0);
        double sab = 0;
        double saa = 0;
        double sbb = 0;
        for (int i = 0; i < n; i++) {
            sab += (a[i] - ma) * (b[i] - mb);
            saa += (a[i] - ma) * (a[i] - ma);
            sbb += (b[i] - mb) * (b[i] - mb);
        }
        return saa == 0 || sbb == 0 ? Double.NaN : sab / Math.sqrt(saa * sbb);
    }

    static double[] ranks(double[] v) {
        Integer[] idx = new Integer[v.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, (x, y) -> Double.compare(v[x], v[y]));
        double[] r = new double[v.length];
        for (int i = 0; i < idx.length; ) {
            int j = i;
            while (j + 1 < idx.length && v[idx[j + 1]] == v[idx[i]]) {
                j++;
            }
            double avg = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) {
                r[idx[k]] = avg;
            }
            i = j + 1;
        }
        return r;
    }
}
