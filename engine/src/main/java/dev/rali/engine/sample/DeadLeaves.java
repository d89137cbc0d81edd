package dev.rali.engine.sample;

import dev.rali.engine.data.RgbImage;

import java.util.SplittableRandom;

/**
 * Procedural "dead leaves" scenes: overlapping opaque discs with power-law radii and random colours, on a smooth
 * gradient, with a little fine texture. Such images share the scale-invariant edge and colour statistics of
 * natural photos (a standard substitute in image-quality and denoising research), so they add unlimited content
 * variety to the sample project's training split: with only a handful of real photos, an encoder aligned from
 * scratch otherwise learns to recognise the photos instead of the distortions.
 */
public final class DeadLeaves {
    private DeadLeaves() { }

    public static RgbImage generate(int size, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] v = new float[size * size * 3];
        // background: a smooth two-colour gradient
        float[] a = colour(rnd);
        float[] b = colour(rnd);
        double ang = rnd.nextDouble() * 2 * Math.PI;
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                double t = 0.5 + 0.5 * ((x - size / 2.0) * Math.cos(ang) + (y - size / 2.0) * Math.sin(ang)) / size;
                for (int c = 0; c < 3; c++) {
                    v[(y * size + x) * 3 + c] = (float) (a[c] * (1 - t) + b[c] * t);
                }
            }
        }
        double rMin = size / 64.0;
        double rMax = size / 4.0;
        int discs = 150 + rnd.nextInt(150);
        for (int k = 0; k < discs; k++) {
            // radius density ∝ r^-3 (scale invariance), by inverse-CDF sampling between rMin and rMax
            double u = rnd.nextDouble();
            double r = 1 / Math.sqrt(1 / (rMin * rMin) - u * (1 / (rMin * rMin) - 1 / (rMax * rMax)));
            double cx = rnd.nextDouble() * size;
            double cy = rnd.nextDouble() * size;
            float[] col = colour(rnd);
            double stripe = rnd.nextDouble() < 0.25 ? 2 + rnd.nextDouble() * 4 : 0; // some leaves carry stripes (texture)
            int x0 = (int) Math.max(0, Math.floor(cx - r));
            int x1 = (int) Math.min(size - 1, Math.ceil(cx + r));
            int y0 = (int) Math.max(0, Math.floor(cy - r));
            int y1 = (int) Math.min(size - 1, Math.ceil(cy + r));
            for (int y = y0; y <= y1; y++) {
                for (int x = x0; x <= x1; x++) {
                    double dx = x + 0.5 - cx;
                    double dy = y + 0.5 - cy;
                    if (dx * dx + dy * dy <= r * r) {
                        float shade = stripe > 0 && ((int) Math.floor((dx + dy) / stripe) & 1) == 0 ? 0.75f : 1f;
                        for (int c = 0; c < 3; c++) {
                            v[(y * size + x) * 3 + c] = col[c] * shade;
                        }
                    }
                }
            }
        }
        return new RgbImage(size, size, ImageOps.toBytes(v));
    }

    private static float[] colour(SplittableRandom rnd) {
        float base = (float) (30 + rnd.nextDouble() * 200);
        float[] c = new float[3];
        for (int i = 0; i < 3; i++) {
            c[i] = (float) Math.max(0, Math.min(255, base + (rnd.nextDouble() - 0.5) * 140));
        }
        return c;
    }
}
