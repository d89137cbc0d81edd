package dev.rali.app;

import dev.rali.engine.analysis.attention.AttentionImporter;
import dev.rali.engine.analysis.saliency.Explainer;
import dev.rali.engine.analysis.saliency.ImageSaliency;
import dev.rali.engine.analysis.saliency.TextSaliency;
import dev.rali.engine.project.ProjectStore;
import dev.rali.engine.sample.ImageOps;
import dev.rali.engine.sample.SyntheticAttentionDumps;
import dev.rali.engine.task.TaskContext;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Attention dumps in a test project and a fake saliency model, for the Attention view and the overlays. */
final class AttentionFixtures {
    private AttentionFixtures() { }

    /**
     * Writes synthetic dumps (the sample project's rule) for the first {@code n} images of {@code project}, each from
     * its seed-0 trace, and imports them; returns the linked trace ids in order.
     */
    static List<Long> importDumps(Path project, Path dir, int n) throws Exception {
        List<Long> traces = new ArrayList<>();
        try (ProjectStore store = ProjectStore.open(project)) {
            List<String[]> rows = store.inTransaction(c -> {
                List<String[]> out = new ArrayList<>();
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT i.path, t.think, t.answer, "
                        + "t.id FROM traces t JOIN images i ON i.id = t.image_id WHERE t.seed = 0 ORDER BY i.id LIMIT " + n)) {
                    while (rs.next()) {
                        out.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)});
                    }
                }
                return out;
            });
            for (int i = 0; i < rows.size(); i++) {
                String[] r = rows.get(i);
                Path image = Path.of(r[0]);
                SyntheticAttentionDumps.write(dir.resolve("dump" + i), ImageOps.read(image), image.toString(), r[1], r[2]);
                traces.add(Long.parseLong(r[3]));
            }
            AttentionImporter.importDumps(store, List.of(dir), TaskContext.silent());
        }
        return traces;
    }

    /**
     * A saliency "model": the rollout peaks in the top-left patch, the occlusion attribution is positive on the
     * left half and negative on the right; a word's text saliency is its length (so the longest word ranks first).
     */
    static final class FakeExplainer implements Explainer {
        static final AtomicInteger OPENED = new AtomicInteger();

        FakeExplainer() {
            OPENED.incrementAndGet();
        }

        @Override
        public ImageSaliency explain(Path image, int window, TaskContext ctx) {
            int grid = 4;
            int size = 32;
            double[][] roll = new double[grid][grid];
            double[][] occ = new double[grid][grid];
            for (int y = 0; y < grid; y++) {
                for (int x = 0; x < grid; x++) {
                    roll[y][x] = y == 0 && x == 0 ? 0.2 : 0.01;
                    occ[y][x] = x < 2 ? 0.1 * (y + 1) : -0.05;
                }
            }
            float[] pixels = new float[3 * size * size];
            return new ImageSaliency(image, 3.25, grid, 8, roll, occ, 1, pixels, size, new float[] {0.5f, 0.5f, 0.5f},
                    new float[] {0.25f, 0.25f, 0.25f});
        }

        @Override
        public TextSaliency explainText(String text, TaskContext ctx) {
            List<TextSaliency.Word> words = new ArrayList<>();
            Matcher m = Pattern.compile("\\S+").matcher(text);
            while (m.find()) {
                words.add(new TextSaliency.Word(words.size(), m.group(), m.start(), m.end(), m.group().length() / 100.0,
                        true));
            }
            return new TextSaliency(text, "fake: word length", 77, words.size() + 2, words);
        }

        @Override
        public void close() { }
    }
}
