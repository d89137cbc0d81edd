package dev.rali.spark;

import dev.rali.engine.bundle.ModelBundle;
import dev.rali.engine.rali.HeadParams;
import dev.rali.engine.sample.DemoClipFactory;
import org.apache.spark.sql.SparkSession;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** A small CLIP + bundle, a tree of images with broken files among them, and a local Spark session. */
final class SparkFixtures {
    private SparkFixtures() { }

    /** local[2] with up to 3 attempts per task (so the retry test can fail one), no UI, small shuffles. */
    static SparkSession session() {
        return SparkSession.builder().master("local[2,3]").appName("rali-spark-test")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "4")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .getOrCreate();
    }

    /** A random-weight CLIP (2 layers, width 16, 32-px input, 8-px patches, projection 16). */
    static Path clip(Path dir) throws IOException {
        return DemoClipFactory.create(dir, new DemoClipFactory.Config(32, 32, 8, 16, 2, 2, 32, 16, 1, 2, 16, 16, 8,
                49408, 14.29), 7);
    }

    /** A bundle over {@link #clip}: PCA 16 → 8, six bases scoring 1..5 (seeded), so scores spread over images. */
    static Path bundle(Path dir) throws IOException {
        Path clip = clip(dir.resolve("clip"));
        Random rnd = new Random(5);
        float[][] comps = new float[8][16];
        for (float[] r : comps) {
            for (int i = 0; i < r.length; i++) {
                r[i] = (float) rnd.nextGaussian();
            }
        }
        float[][] mu = new float[6][8];
        for (float[] r : mu) {
            for (int i = 0; i < r.length; i++) {
                r[i] = (float) rnd.nextGaussian();
            }
        }
        HeadParams head = new HeadParams(new float[16], 1f, comps, mu, new float[] {1, 1.8f, 2.6f, 3.4f, 4.2f, 5},
                0.05);
        return ModelBundle.write(dir.resolve("spark-test.rali-model"), clip, head, null).dir();
    }

    /** The broken files {@link #images} adds (names relative to its folder). */
    static final List<String> BROKEN = List.of("broken/empty.png", "broken/noise.jpg", "broken/text.png",
            "broken/truncated.jpg", "broken/truncated.png");

    /**
     * {@code good} seeded random images (PNG and JPEG, 20–90 px, in nested folders) plus the {@link #BROKEN}
     * files and a README that is not an image; returns the good files.
     */
    static List<Path> images(Path dir, int good) throws IOException {
        Random rnd = new Random(13);
        List<Path> out = new ArrayList<>();
        for (int k = 0; k < good; k++) {
            int w = 20 + rnd.nextInt(70);
            int h = 20 + rnd.nextInt(70);
            BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
            int base = rnd.nextInt(1 << 24);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    img.setRGB(x, y, rnd.nextInt(4) == 0 ? rnd.nextInt(1 << 24) : base + x * 3 + y * 256 * 2);
                }
            }
            String ext = k % 3 == 0 ? "jpg" : "png";
            Path f = dir.resolve("set" + (k % 4)).resolve(String.format("img%04d.%s", k, ext));
            Files.createDirectories(f.getParent());
            ImageIO.write(img, ext.equals("jpg") ? "jpeg" : "png", f.toFile());
            out.add(f);
        }
        Path broken = Files.createDirectories(dir.resolve("broken"));
        Files.write(broken.resolve("empty.png"), new byte[0]);
        byte[] noise = new byte[3000];
        rnd.nextBytes(noise);
        Files.write(broken.resolve("noise.jpg"), noise);
        Files.writeString(broken.resolve("text.png"), "not a picture at all\n");
        byte[] jpg = Files.readAllBytes(out.get(0));
        Files.write(broken.resolve("truncated.jpg"), java.util.Arrays.copyOf(jpg, 40));
        byte[] png = Files.readAllBytes(out.get(1));
        Files.write(broken.resolve("truncated.png"), java.util.Arrays.copyOf(png, png.length / 3));
        Files.writeString(dir.resolve("README.txt"), "not an image: neither rali score nor the job takes it\n");
        return out;
    }
}
