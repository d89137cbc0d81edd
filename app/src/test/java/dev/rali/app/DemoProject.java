package dev.rali.app;

import dev.rali.engine.project.ProjectStore;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.ConvolveOp;
import java.awt.image.Kernel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * A richer project for screenshots and manual testing: the sample photos (sample-projects/photos in the checkout),
 * each saved at several blur/noise levels (MOS falls with the distortion), two datasets, traces for three seeds,
 * two runs with loss curves and predictions. {@code java -cp ... dev.rali.app.DemoProject OUT_DIR [PHOTOS]}, run
 * from the checkout, writes OUT_DIR/demo.rali.
 */
public final class DemoProject {
    private DemoProject() { }

    public static void main(String[] args) throws Exception {
        System.out.println(build(Path.of(args[0]), Path.of(args.length > 1 ? args[1] : "sample-projects/photos")));
    }

    public static Path build(Path dir, Path photos) throws Exception {
        List<Path> sources;
        try (Stream<Path> s = Files.list(photos)) {
            sources = s.filter(p -> p.toString().endsWith(".png")).sorted().toList();
        }
        Path file = dir.resolve("demo.rali");
        Random rnd = new Random(7);
        try (ProjectStore store = ProjectStore.open(file)) {
            store.inTransaction(c -> {
                try (Statement s = c.createStatement()) {
                    s.execute("INSERT INTO datasets(id, name, layout, source_path, score_min, score_max) VALUES "
                            + "(1, 'koniq-mini', 'koniq', '/data/koniq', 1, 100), (2, 'spaq-mini', 'spaq', '/data/spaq', 0, 100)");
                    s.execute("INSERT INTO runs(id, stage, params_json, code_version, status, ended_at, seed) VALUES "
                            + "(1, 'align', '{\"align\":{\"lr\":1e-5,\"epochs\":10,\"batch\":32}}', 'demo', 'done', "
                            + "strftime('%Y-%m-%dT%H:%M:%fZ','now'), 0), "
                            + "(2, 'evaluate', '{\"align\":{\"lr\":1e-5,\"epochs\":10,\"batch\":32},\"bases\":{\"buckets\":5,\"k\":7}}', "
                            + "'demo', 'done', strftime('%Y-%m-%dT%H:%M:%fZ','now'), 0), "
                            + "(3, 'align', '{\"align\":{\"lr\":3e-5,\"epochs\":10,\"batch\":32}}', 'demo', 'done', "
                            + "strftime('%Y-%m-%dT%H:%M:%fZ','now'), 1)");
                }
                try (PreparedStatement m = c.prepareStatement("INSERT INTO run_metrics(run_id, step, name, value) VALUES (?,?,?,?)")) {
                    for (int run : new int[] {1, 3}) {
                        for (int step = 1; step <= 200; step++) {
                            double base = (run == 1 ? 2.2 : 2.0) * Math.exp(-step / (run == 1 ? 60.0 : 35.0)) + 0.35;
                            m.setInt(1, run);
                            m.setInt(2, step);
                            m.setString(3, "train_loss");
                            m.setDouble(4, base + 0.05 * rnd.nextGaussian());
                            m.executeUpdate();
                            if (step % 20 == 0) {
                                m.setString(3, "val_loss");
                                m.setDouble(4, base + 0.08);
                                m.executeUpdate();
                            }
                        }
                    }
                }
                try (PreparedStatement img = c.prepareStatement("INSERT INTO images(id, dataset_id, path, name, "
                        + "content_hash, split, width, height, reference, distortion) VALUES (?,?,?,?,?,?,?,?,?,?)");
                     PreparedStatement mos = c.prepareStatement("INSERT INTO mos(image_id, raw, normalised, std) VALUES (?,?,?,?)");
                     PreparedStatement tr = c.prepareStatement("INSERT INTO traces(image_id, seed, source, raw_text, "
                             + "think, answer, score, parse_status) VALUES (?, ?, 'qwen2.5-vl-7b-rl', ?, ?, ?, ?, ?)");
                     PreparedStatement pred = c.prepareStatement("INSERT INTO predictions(run_id, image_id, score) VALUES (2, ?, ?)")) {
                    long id = 0;
                    String[] levels = {"pristine", "blur-1", "blur-2", "noise-1", "noise-2", "blur-3"};
                    double[] penalty = {0, 0.7, 1.5, 0.9, 1.8, 2.5};
                    for (int si = 0; si < sources.size(); si++) {
                        BufferedImage src = ImageIO.read(sources.get(si).toFile());
                        String stem = sources.get(si).getFileName().toString().replace(".png", "");
                        int dataset = si % 3 == 2 ? 2 : 1;
                        for (int li = 0; li < levels.length; li++) {
                            id++;
                            BufferedImage out = distort(src, levels[li], rnd);
                            Path p = dir.resolve("images/" + stem + "_" + levels[li] + ".jpg");
                            Files.createDirectories(p.getParent());
                            ImageIO.write(out, "jpg", p.toFile());
                            double norm = Math.max(1, Math.min(5, 4.6 - penalty[li] + 0.25 * rnd.nextGaussian()));
                            img.setLong(1, id);
                            img.setInt(2, dataset);
                            img.setString(3, p.toString());
                            img.setString(4, stem + "_" + levels[li] + ".jpg");
                            img.setString(5, Long.toHexString(rnd.nextLong()));
                            img.setString(6, si % 4 == 3 ? "test" : "train");
                            img.setInt(7, out.getWidth());
                            img.setInt(8, out.getHeight());
                            img.setString(9, stem + ".png");
                            img.setString(10, levels[li]);
                            img.executeUpdate();
                            mos.setLong(1, id);
                            mos.setDouble(2, dataset == 1 ? (norm - 1) / 4 * 99 + 1 : (norm - 1) / 4 * 100);
                            mos.setDouble(3, norm);
                            mos.setDouble(4, 0.3 + 0.2 * rnd.nextDouble());
                            mos.executeUpdate();
                            for (int seed = 0; seed < 3; seed++) {
                                boolean broken = id % 17 == 0 && seed == 2;
                                double score = Math.max(1, Math.min(5, Math.round((norm + 0.45 * rnd.nextGaussian()
                                        + (id % 11 == 0 ? 1.6 : 0)) * 10) / 10.0));
                                String think = "The image shows " + stem + ". " + (penalty[li] == 0
                                        ? "Edges are sharp, colours natural, no visible artefacts."
                                        : levels[li].startsWith("blur") ? "Fine texture is lost; edges are soft and smeared."
                                        : "Grainy noise is visible in flat regions and shadows.");
                                String answer = broken ? "quality is decent" : String.format(Locale.ROOT, "%.1f", score);
                                tr.setLong(1, id);
                                tr.setInt(2, seed);
                                tr.setString(3, "<think>" + think + "</think>\n<answer>" + answer + "</answer>");
                                tr.setString(4, think);
                                tr.setString(5, answer);
                                if (broken) {
                                    tr.setNull(6, java.sql.Types.REAL);
                                } else {
                                    tr.setDouble(6, score);
                                }
                                tr.setString(7, broken ? "no_score" : "ok");
                                tr.executeUpdate();
                            }
                            pred.setLong(1, id);
                            pred.setDouble(2, Math.max(1, Math.min(5, norm + 0.3 * rnd.nextGaussian())));
                            pred.executeUpdate();
                        }
                    }
                }
                return null;
            });
        }
        return file;
    }

    static BufferedImage distort(BufferedImage src, String level, Random rnd) {
        int w = 256;
        int h = Math.max(1, src.getHeight() * w / src.getWidth());
        BufferedImage small = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = small.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(src, 0, 0, w, h, null);
        g.dispose();
        if (level.startsWith("blur")) {
            int k = 2 * Integer.parseInt(level.substring(5)) + 1;
            float[] kernel = new float[k * k];
            java.util.Arrays.fill(kernel, 1f / (k * k));
            BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
            new ConvolveOp(new Kernel(k, k, kernel), ConvolveOp.EDGE_NO_OP, null).filter(small, out);
            return out;
        }
        if (level.startsWith("noise")) {
            double sigma = 18 * Integer.parseInt(level.substring(6));
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int rgb = small.getRGB(x, y);
                    int r = clamp(((rgb >> 16) & 255) + (int) (sigma * rnd.nextGaussian()));
                    int gg = clamp(((rgb >> 8) & 255) + (int) (sigma * rnd.nextGaussian()));
                    int b = clamp((rgb & 255) + (int) (sigma * rnd.nextGaussian()));
                    small.setRGB(x, y, (r << 16) | (gg << 8) | b);
                }
            }
        }
        return small;
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }
}
