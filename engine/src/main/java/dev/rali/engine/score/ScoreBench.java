package dev.rali.engine.score;

import dev.rali.engine.clip.ImageEmbedder;
import dev.rali.engine.image.ImageLoadException;
import dev.rali.engine.image.ImageLoader;
import dev.rali.engine.data.RgbImage;
import dev.rali.engine.task.TaskContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * End-to-end scoring throughput of a bundle on a folder ({@code rali bench score}). Two measurements:
 * <ol>
 *   <li>stages one after another, batch by batch, to split the time into decode, preprocessing, encoder and head
 *       (the shares);</li>
 *   <li>the real {@link BundleScorer#scoreAll} (the next batch decoded while this one is in the encoder) for the
 *       images/s a user sees, and how much of its wall time is not hidden behind the encoder.</li>
 * </ol>
 * With {@code repeat > 1} the scored pass runs again and the resident memory after each pass is kept: the leak
 * check (RSS should stay flat after the first pass).
 */
public final class ScoreBench {

    private ScoreBench() { }

    /**
     * @param decodeS         seconds decoding files (stage run)
     * @param preprocessS     seconds resizing/cropping/normalising (stage run)
     * @param encoderS        seconds in the image encoder (stage run)
     * @param headS           seconds in the RALI head (stage run)
     * @param pipelinedS      wall seconds of one {@code scoreAll} pass (overlapped decode)
     * @param notOverlapped   share of that wall time not spent in the encoder or head (decode not hidden)
     * @param rssAfterPassMb  resident memory after each scored pass (VmRSS)
     */
    public record Result(String model, String precision, String device, int images, int batch, double decodeS,
                         double preprocessS, double encoderS, double headS, double pipelinedS,
                         double imagesPerS, double notOverlapped, double peakRssMb, List<Double> rssAfterPassMb) {

        /** (last − first) / first over the passes after the first; 0 with fewer than 3 passes. */
        public double rssGrowth() {
            if (rssAfterPassMb.size() < 3) {
                return 0;
            }
            double first = rssAfterPassMb.get(1);
            return (rssAfterPassMb.get(rssAfterPassMb.size() - 1) - first) / first;
        }
    }

    public static Result run(Path bundle, List<Path> files, String device, String precision, int batch, int repeat,
                             TaskContext ctx) throws IOException {
        if (files.isEmpty()) {
            throw new IOException("no images to score");
        }
        try (BundleScorer scorer = BundleScorer.open(bundle, device, precision, batch)) {
            ImageEmbedder emb = scorer.embedder();
            // warm-up: one batch through everything (first-call costs, weight casts)
            scorer.scoreAll(files.subList(0, Math.min(batch, files.size())), r -> { }, ctx);
            double decode = 0;
            double pre = 0;
            double enc = 0;
            double head = 0;
            int n = 0;
            for (int start = 0; start < files.size(); start += batch) {
                ctx.checkCancelled();
                ctx.progress("stages", start, files.size(), "");
                List<float[]> px = new ArrayList<>();
                for (Path f : files.subList(start, Math.min(files.size(), start + batch))) {
                    long t0 = System.nanoTime();
                    RgbImage img;
                    try {
                        img = ImageLoader.load(f);
                    } catch (ImageLoadException e) {
                        continue; // unreadable files are skipped here and reported by the scored pass
                    }
                    long t1 = System.nanoTime();
                    px.add(emb.preprocessor().preprocess(img));
                    long t2 = System.nanoTime();
                    decode += (t1 - t0) / 1e9;
                    pre += (t2 - t1) / 1e9;
                }
                if (px.isEmpty()) {
                    continue;
                }
                long t2 = System.nanoTime();
                float[][] e = emb.model().embedImages(dev.rali.engine.image.BatchDecoder.stack(px), px.size());
                long t3 = System.nanoTime();
                for (float[] v : e) {
                    scorer.scoreEmbedding(v);
                }
                long t4 = System.nanoTime();
                enc += (t3 - t2) / 1e9;
                head += (t4 - t3) / 1e9;
                n += px.size();
            }
            List<Double> rss = new ArrayList<>();
            double pipelined = 0;
            for (int pass = 0; pass < Math.max(1, repeat); pass++) {
                ctx.progress("scored passes", pass, Math.max(1, repeat), "");
                long t0 = System.nanoTime();
                scorer.scoreAll(files, r -> { }, ctx);
                double s = (System.nanoTime() - t0) / 1e9;
                if (pass == 0) {
                    pipelined = s;
                }
                System.gc(); // garbage still in the heap is not a leak
                rss.add(procStatusMb("VmRSS:"));
            }
            double busy = (enc + head) / Math.max(1, n) * files.size();
            double notOverlapped = Math.max(0, (pipelined - busy) / pipelined);
            return new Result(bundle.toString(), scorer.precision().label(),
                    emb.model().device().getDeviceType(), files.size(), batch, decode, pre, enc, head, pipelined,
                    files.size() / pipelined, notOverlapped, procStatusMb("VmHWM:"), rss);
        }
    }

    /** A /proc/self/status figure in MB (VmHWM: peak resident, VmRSS: current), NaN off Linux. */
    public static double procStatusMb(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(key)) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }
}
