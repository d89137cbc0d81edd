package dev.rali.app;

import dev.rali.engine.params.PipelineParams;
import dev.rali.engine.pipeline.PipelineService;
import dev.rali.engine.project.ProjectStore;
import dev.rali.engine.score.ImageScorer;
import dev.rali.engine.score.ScoreResult;
import dev.rali.engine.task.TaskContext;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import javax.imageio.ImageIO;

/** Temp projects with a few rows and tiny PNGs, and fake engine services with deterministic behaviour. */
final class Fixtures {
    private Fixtures() { }

    static Path png(Path file, int shade) throws IOException {
        BufferedImage img = new BufferedImage(24, 16, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(new Color(shade, 255 - shade, 120));
        g.fillRect(0, 0, 24, 16);
        g.dispose();
        Files.createDirectories(file.getParent());
        ImageIO.write(img, "png", file.toFile());
        return file;
    }

    /**
     * A project with dataset "koniq" of 6 images (a..f, MOS 1.5..4.0 step 0.5, a-d train, e-f test), two traces
     * per image (seed 0 close to MOS; for c.png seed 1 far off; f.png seed 1 unparsable), a bases run with loss
     * metrics and an evaluate run with predictions.
     */
    static Path project(Path dir) throws Exception {
        Path file = dir.resolve("demo.rali");
        try (ProjectStore store = ProjectStore.open(file)) {
            store.inTransaction(c -> {
                try (Statement s = c.createStatement()) {
                    s.execute("INSERT INTO datasets(id, name, layout) VALUES (1, 'koniq', 'koniq')");
                    s.execute("INSERT INTO runs(id, stage, params_json, code_version, status) VALUES "
                            + "(1, 'bases', '{\"bases\":{\"k\":7,\"buckets\":5}}', 'test', 'done'), "
                            + "(2, 'evaluate', '{\"bases\":{\"k\":9,\"buckets\":5}}', 'test', 'done')");
                    s.execute("INSERT INTO run_metrics(run_id, step, name, value) VALUES (1, 1, 'loss', 0.9), "
                            + "(1, 2, 'loss', 0.6), (2, 1, 'loss', 0.8), (2, 2, 'loss', 0.4)");
                }
                String[] names = {"a", "b", "c", "d", "e", "f"};
                try (PreparedStatement img = c.prepareStatement("INSERT INTO images(id, dataset_id, path, name, "
                        + "content_hash, split, width, height) VALUES (?, 1, ?, ?, ?, ?, 24, 16)");
                     PreparedStatement mos = c.prepareStatement("INSERT INTO mos(image_id, raw, normalised) VALUES (?, ?, ?)");
                     PreparedStatement tr = c.prepareStatement("INSERT INTO traces(image_id, seed, source, raw_text, "
                             + "think, answer, score, parse_status) VALUES (?, ?, 'model', ?, 'think', ?, ?, ?)");
                     PreparedStatement pred = c.prepareStatement("INSERT INTO predictions(run_id, image_id, score) VALUES (2, ?, ?)")) {
                    for (int i = 0; i < names.length; i++) {
                        long id = i + 1;
                        double m = 1.5 + 0.5 * i;
                        Path p = png(dir.resolve("images/" + names[i] + ".png"), 40 * i);
                        img.setLong(1, id);
                        img.setString(2, p.toString());
                        img.setString(3, names[i] + ".png");
                        img.setString(4, "h" + i);
                        img.setString(5, i < 4 ? "train" : "test");
                        img.executeUpdate();
                        mos.setLong(1, id);
                        mos.setDouble(2, m * 20);
                        mos.setDouble(3, m);
                        mos.executeUpdate();
                        for (int seed = 0; seed < 2; seed++) {
                            boolean unparsable = names[i].equals("f") && seed == 1;
                            double score = names[i].equals("c") && seed == 1 ? 5.0 : m + 0.1;
                            tr.setLong(1, id);
                            tr.setInt(2, seed);
                            tr.setString(3, "<think>looks fine</think><answer>" + (unparsable ? "n/a" : score) + "</answer>");
                            tr.setString(4, unparsable ? "n/a" : String.valueOf(score));
                            if (unparsable) {
                                tr.setNull(5, java.sql.Types.REAL);
                            } else {
                                tr.setDouble(5, score);
                            }
                            tr.setString(6, unparsable ? "no_score" : "ok");
                            tr.executeUpdate();
                        }
                        pred.setLong(1, id);
                        pred.setDouble(2, m + (i % 2 == 0 ? 0.2 : -0.1));
                        pred.executeUpdate();
                    }
                }
                return null;
            });
        }
        return file;
    }

    /** Scores a file by its name length (deterministic); files that are not PNGs fail with a reason. */
    static final class FakeScorer implements ImageScorer {
        static volatile boolean closed;

        @Override
        public String describe() {
            return "fake scorer";
        }

        @Override
        public void scoreAll(List<Path> files, Consumer<ScoreResult> sink, TaskContext ctx) {
            for (Path f : files) {
                ctx.checkCancelled();
                try {
                    if (ImageIO.read(f.toFile()) == null) {
                        sink.accept(ScoreResult.failed(f, f.getFileName() + ": not a decodable image"));
                        continue;
                    }
                } catch (IOException e) {
                    sink.accept(ScoreResult.failed(f, f.getFileName() + ": " + e.getMessage()));
                    continue;
                }
                sink.accept(ScoreResult.ok(f, expected(f)));
            }
        }

        static double expected(Path f) {
            return 1 + f.getFileName().toString().length() % 4;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    /** Two stages; running one emits {@code steps} loss metrics and records a run row. */
    static final class FakePipeline implements PipelineService {
        final int steps;
        volatile PipelineParams lastParams;
        volatile Long lastRunId;
        /** When set, the run waits on it after the first step (to test cancelling a running job). */
        volatile java.util.concurrent.CountDownLatch gate;

        FakePipeline(int steps) {
            this.steps = steps;
        }

        @Override
        public List<String> stages() {
            return List.of("align", "bases");
        }

        @Override
        public long run(ProjectStore store, String stage, PipelineParams params, TaskContext ctx) throws Exception {
            lastParams = params;
            for (int i = 1; i <= steps; i++) {
                ctx.checkCancelled();
                ctx.metric("loss", i, 1.0 / i);
                ctx.progress(stage, i, steps, "step " + i);
                if (gate != null) {
                    gate.await();
                }
            }
            ctx.log("done");
            lastRunId = store.inTransaction(c -> {
                try (Statement s = c.createStatement()) {
                    s.execute("INSERT INTO runs(stage, params_json, code_version, status) VALUES ('" + stage
                            + "', '" + params + "', 'test', 'done')");
                    try (var rs = s.executeQuery("SELECT last_insert_rowid()")) {
                        return rs.getLong(1);
                    }
                }
            });
            return lastRunId;
        }
    }
}
