package dev.rali.engine.eval;

/**
 * The VQEG 4-parameter logistic mapping from objective scores to MOS,
 * {@code f(x) = (b1 - b2) / (1 + exp(-(x - b3) / |b4|)) + b2}, fitted by least squares with Levenberg–Marquardt.
 *
 * <p>IQA papers often report PLCC after this mapping (it removes the monotonic non-linearity between a model's
 * scale and MOS). The paper does not say whether it does, so the workbench reports raw PLCC as the headline and
 * the fitted PLCC beside it.
 *
 * <p>Initialisation follows the usual VQEG recipe (b1 = max MOS, b2 = min MOS, b3 = mean prediction,
 * b4 = std of predictions / 4) and is repeated from a few variants (rising and falling, narrower and wider); the fit
 * with the least squared error wins. Fitting is deterministic.
 *
 * @param b1 upper asymptote (for a rising curve)
 * @param b2 lower asymptote
 * @param b3 centre
 * @param b4 slope scale (only |b4| matters)
 * @param sse sum of squared residuals of the fit
 */
public record LogisticFit(double b1, double b2, double b3, double b4, double sse) {

    private static final int MAX_ITER = 500;

    /** The fitted mapping at x. */
    public double apply(double x) {
        return f(new double[] {b1, b2, b3, b4}, x);
    }

    /** The mapping applied to every prediction. */
    public double[] apply(double[] x) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = apply(x[i]);
        }
        return out;
    }

    /**
     * Fits the logistic to (pred, mos).
     *
     * @throws IllegalArgumentException for invalid input (see {@link Metrics#check})
     */
    public static LogisticFit fit(double[] pred, double[] mos) {
        Metrics.check(pred, mos);
        return fitUnchecked(pred, mos);
    }

    static LogisticFit fitUnchecked(double[] x, double[] y) {
        int n = x.length;
        double ymax = Double.NEGATIVE_INFINITY, ymin = Double.POSITIVE_INFINITY, mx = 0;
        for (int i = 0; i < n; i++) {
            ymax = Math.max(ymax, y[i]);
            ymin = Math.min(ymin, y[i]);
            mx += x[i];
        }
        mx /= n;
        double vx = 0;
        for (double v : x) {
            vx += (v - mx) * (v - mx);
        }
        double sx = Math.sqrt(vx / n);
        if (sx == 0) {
            sx = 1; // constant predictions: the fit degenerates to the mean, any slope works
        }
        double[][] starts = {
                {ymax, ymin, mx, sx / 4},
                {ymin, ymax, mx, sx / 4},
                {ymax, ymin, mx, sx},
                {ymin, ymax, mx, sx},
                {ymax, ymin, mx, sx / 16},
                {ymin, ymax, mx, sx / 16},
        };
        LogisticFit best = null;
        for (double[] s : starts) {
            LogisticFit f = levenbergMarquardt(x, y, s);
            if (best == null || (Double.isFinite(f.sse) && f.sse < best.sse)) {
                best = f;
            }
        }
        return best;
    }

    static double f(double[] b, double x) {
        double z = -(x - b[2]) / Math.abs(b[3]);
        // exp overflow gives +inf, 1/(1+inf) = 0: the correct limit
        return (b[0] - b[1]) / (1.0 + Math.exp(z)) + b[1];
    }

    private static double sse(double[] x, double[] y, double[] b) {
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            double r = y[i] - f(b, x[i]);
            s += r * r;
        }
        return s;
    }

    private static LogisticFit levenbergMarquardt(double[] x, double[] y, double[] start) {
        double[] b = start.clone();
        if (b[3] == 0) {
            b[3] = 1;
        }
        double cost = sse(x, y, b);
        double lambda = 1e-3;
        int n = x.length;
        for (int iter = 0; iter < MAX_ITER; iter++) {
            // J^T J and J^T r with the analytic Jacobian
            double[][] jtj = new double[4][4];
            double[] jtr = new double[4];
            double s4 = Math.abs(b[3]);
            double sign4 = Math.signum(b[3]);
            for (int i = 0; i < n; i++) {
                double z = (x[i] - b[2]) / s4;
                double e = Math.exp(-z);
                double g = Double.isInfinite(e) ? 0.0 : 1.0 / (1.0 + e); // logistic sigmoid of z
                double dg = g * (1 - g); // d g / d z
                double d = b[0] - b[1];
                double[] jrow = {
                        g,
                        1 - g,
                        d * dg * (-1.0 / s4),
                        d * dg * (-z / s4) * sign4,
                };
                double r = y[i] - (d * g + b[1]);
                for (int a = 0; a < 4; a++) {
                    jtr[a] += jrow[a] * r;
                    for (int c = 0; c < 4; c++) {
                        jtj[a][c] += jrow[a] * jrow[c];
                    }
                }
            }
            boolean improved = false;
            while (lambda < 1e12) {
                double[][] a = new double[4][4];
                for (int r = 0; r < 4; r++) {
                    System.arraycopy(jtj[r], 0, a[r], 0, 4);
                    a[r][r] += lambda * Math.max(jtj[r][r], 1e-12);
                }
                double[] step = solve(a, jtr.clone());
                if (step == null) {
                    lambda *= 10;
                    continue;
                }
                double[] nb = new double[4];
                for (int k = 0; k < 4; k++) {
                    nb[k] = b[k] + step[k];
                }
                if (nb[3] == 0) {
                    nb[3] = 1e-12;
                }
                double nc = sse(x, y, nb);
                if (Double.isFinite(nc) && nc < cost) {
                    double rel = (cost - nc) / Math.max(cost, 1e-300);
                    b = nb;
                    cost = nc;
                    lambda = Math.max(lambda / 10, 1e-12);
                    improved = true;
                    if (rel < 1e-15) {
                        return new LogisticFit(b[0], b[1], b[2], b[3], cost);
                    }
                    break;
                }
                lambda *= 10;
            }
            if (!improved) {
                break;
            }
        }
        return new LogisticFit(b[0], b[1], b[2], b[3], cost);
    }

    /** Gaussian elimination with partial pivoting; null if singular. */
    private static double[] solve(double[][] a, double[] rhs) {
        int m = rhs.length;
        for (int col = 0; col < m; col++) {
            int piv = col;
            for (int r = col + 1; r < m; r++) {
                if (Math.abs(a[r][col]) > Math.abs(a[piv][col])) {
                    piv = r;
                }
            }
            if (Math.abs(a[piv][col]) < 1e-300) {
                return null;
            }
            double[] tr = a[col];
            a[col] = a[piv];
            a[piv] = tr;
            double tv = rhs[col];
            rhs[col] = rhs[piv];
            rhs[piv] = tv;
            for (int r = col + 1; r < m; r++) {
                double fct = a[r][col] / a[col][col];
                for (int c = col; c < m; c++) {
                    a[r][c] -= fct * a[col][c];
                }
                rhs[r] -= fct * rhs[col];
            }
        }
        double[] sol = new double[m];
        for (int r = m - 1; r >= 0; r--) {
            double s = rhs[r];
            for (int c = r + 1; c < m; c++) {
                s -= a[r][c] * sol[c];
            }
            sol[r] = s / a[r][r];
        }
        for (double v : sol) {
            if (!Double.isFinite(v)) {
                return null;
            }
        }
        return sol;
    }
}
