package dev.rali.engine.cli;

import dev.rali.engine.bundle.ModelBundle;
import dev.rali.engine.project.ProjectStore;
import dev.rali.engine.rali.HeadParams;
import dev.rali.engine.project.RunRecords;
import dev.rali.engine.sample.DemoClipFactory;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Tiny inputs for the output-safety tests: a 16-px CLIP, an 8-d head, a bundle, a project with one exportable run. */
final class OutputFixtures {
    private OutputFixtures() { }

    /** A random-weight CLIP (1 layer, width 8, 16-px input, projection 8): about 1.6 MB, mostly the text vocabulary. */
    static Path clip(Path dir) throws IOException {
        return DemoClipFactory.create(dir, new DemoClipFactory.Config(16, 16, 8, 8, 1, 2, 16, 8, 1, 2, 16, 8, 8,
                49408, 14.29), 5);
    }

    /** A head for 8-d embeddings: PCA to 4, three bases. */
    static HeadParams head() {
        float[][] comps = new float[4][8];
        for (int i = 0; i < 4; i++) {
            comps[i][i] = 1;
        }
        return new HeadParams(new float[8], 1f, comps, new float[][] {{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 1}},
                new float[] {1.5f, 3f, 4.5f}, 0.1);
    }

    static Path bundle(Path out, Path clip) throws IOException {
        return ModelBundle.write(out, clip, head(), null).dir();
    }

    /** A project with one finished run that has an encoder and a head, i.e. what `rali export` needs. */
    static long projectWithRun(Path file, Path clip) throws IOException {
        try (ProjectStore store = ProjectStore.open(file);
             RunRecords run = RunRecords.begin(store, "pipeline", "{}", 1L)) {
            Path head = store.artifactDir().resolve("work/head-test/rali.safetensors");
            Files.createDirectories(head.getParent());
            head().write(head, Map.of());
            run.artifact("encoder", clip.resolve("model.safetensors"));
            run.artifact("head", head);
            run.finish(RunRecords.DONE, "test run");
            return run.runId();
        }
    }

    /** n small PNGs n0000.png ... in dir. */
    static List<Path> images(Path dir, int n) throws IOException {
        Files.createDirectories(dir);
        SplittableRandom rnd = new SplittableRandom(11);
        List<Path> out = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            BufferedImage img = new BufferedImage(20, 20, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < 20; y++) {
                for (int x = 0; x < 20; x++) {
                    img.setRGB(x, y, rnd.nextInt(1 << 24));
                }
            }
            Path f = dir.resolve(String.format("n%04d.png", k));
            ImageIO.write(img, "png", f.toFile());
            out.add(f);
        }
        return out;
    }

    /** Every file under dir with its content, for "nothing changed" checks. */
    static Map<String, String> snapshot(Path dir) throws IOException {
        Map<String, String> m = new java.util.TreeMap<>();
        try (var s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                m.put(dir.relativize(p).toString(), dev.rali.engine.io.FileHashes.sha256(p));
            }
        }
        return m;
    }
}
