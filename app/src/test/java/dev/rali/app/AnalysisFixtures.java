package dev.rali.app;

import dev.rali.engine.analysis.BasisExplorer;
import dev.rali.engine.analysis.DomainGap;
import dev.rali.engine.analysis.DomainGapParams;
import dev.rali.engine.analysis.DomainGapResult;
import dev.rali.engine.analysis.EmbeddingAnalysisService;
import dev.rali.engine.analysis.EmbeddingSpace;
import dev.rali.engine.analysis.Explainer;
import dev.rali.engine.analysis.ProjectSpaces;
import dev.rali.engine.dataset.DatasetSummary;
import dev.rali.engine.dataset.Datasets;
import dev.rali.engine.dataset.ImageRow;
import dev.rali.engine.project.ProjectStore;
import dev.rali.engine.task.TaskContext;
import java.nio.file.Path;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/** The fixture project with two datasets and a run with encoder + head, and a fast embedding-analysis service. */
final class AnalysisFixtures {
    private AnalysisFixtures() { }

    /**
     * {@link Fixtures#project} with e.png and f.png moved to a second dataset "spaq" and artifacts (encoder, head)
     * recorded for run 2 (the run with predictions), so the views list it.
     */
    static Path project(Path dir) throws Exception {
        Path file = Fixtures.project(dir);
        try (ProjectStore store = ProjectStore.open(file)) {
            store.inTransaction(c -> {
                try (Statement s = c.createStatement()) {
                    s.execute("INSERT INTO datasets(id, name, layout) VALUES (2, 'spaq', 'spaq')");
                    s.execute("UPDATE images SET dataset_id = 2 WHERE id > 4");
                    s.execute("INSERT INTO artifacts(run_id, kind, path, sha256) VALUES (2, 'encoder', "
                            + "'work/enc/model.safetensors', 'x'), (2, 'head', 'work/head/rali.safetensors', 'y')");
                }
                return null;
            });
        }
        return file;
    }

    /**
     * The spaces are the images' (MOS, dataset) positions plus a small per-space shift, so maps are predictable; the
     * numbers come from the engine's real {@link DomainGap} (with perplexity 0.8: the fixture has six images). The
     * text space fails the way a project without traces does.
     */
    static final class FakeAnalysis implements EmbeddingAnalysisService {
        volatile CountDownLatch gate;
        volatile List<String> lastDatasets;
        volatile Long lastRun;
        volatile Path explained;

        @Override
        public EmbeddingSpace space(ProjectStore store, ProjectSpaces.Space space, List<String> datasets, Long runId,
                                    int cap, long seed, TaskContext ctx) throws java.io.IOException {
            lastDatasets = datasets;
            lastRun = runId;
            if (gate != null) {
                try {
                    while (!gate.await(20, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                        ctx.checkCancelled();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (space == ProjectSpaces.Space.TEXT) {
                throw new IllegalArgumentException(store.file() + ": no images with reasoning traces in " + datasets);
            }
            List<double[]> x = new ArrayList<>();
            List<String> g = new ArrayList<>();
            List<Double> s = new ArrayList<>();
            List<String> ids = new ArrayList<>();
            try {
                int d = 0;
                for (DatasetSummary ds : Datasets.list(store)) {
                    if (!datasets.contains(ds.name())) {
                        continue;
                    }
                    for (ImageRow r : Datasets.images(store, ds.name(), null)) {
                        x.add(new double[] {r.mos(), 3.0 * d + space.ordinal() * 0.01, r.id() % 2});
                        g.add(ds.name());
                        s.add(r.mos());
                        ids.add(r.path().toString());
                    }
                    d++;
                }
            } catch (java.sql.SQLException e) {
                throw new java.io.IOException(e);
            }
            return new EmbeddingSpace(space.label(), x.toArray(new double[0][]), g.toArray(new String[0]),
                    s.stream().mapToDouble(Double::doubleValue).toArray(), ids.toArray(new String[0]));
        }

        @Override
        public DomainGapResult domainGap(EmbeddingSpace space, DomainGapParams p, TaskContext ctx) {
            DomainGapParams small = new DomainGapParams(p.method(), 0.8, 3, 200, p.seed(), p.mapCap(), p.numbersCap(),
                    p.mmdCap(), 20, 2, 1, 1);
            return new DomainGap().analyze(space, small, ctx);
        }

        @Override
        public BasisExplorer.Report bases(ProjectStore store, long runId, int nearest, int words, int mapCap,
                                          TaskContext ctx) {
            lastRun = runId;
            Path dir = store.file().getParent().resolve("images");
            List<BasisExplorer.Basis> bases = List.of(
                    new BasisExplorer.Basis(0, 1.6, 1, List.of(member(dir, 1, "a", 1.5, 0.97)), List.of("blur", "noise"),
                            0, 0),
                    new BasisExplorer.Basis(1, 2.9, 3, List.of(member(dir, 3, "c", 2.5, 0.91),
                            member(dir, 2, "b", 2.0, 0.80)), List.of("soft", "haze"), 1, 1),
                    new BasisExplorer.Basis(2, 4.1, 0, List.of(member(dir, 4, "d", 3.0, 0.55)), List.of(),
                            Double.NaN, Double.NaN));
            return new BasisExplorer.Report(runId, "koniq", "train", 0.05, 4, bases,
                    new double[][] {{0, 0}, {1, 1}, {1.2, 0.8}, {0.9, 1.1}}, new int[] {0, 1, 1, 1});
        }

        private static BasisExplorer.Member member(Path dir, long id, String name, double mos, double cos) {
            return new BasisExplorer.Member(id, dir.resolve(name + ".png").toString(), "koniq", mos, cos,
                    "<think>" + name + " looks soft</think>");
        }

        @Override
        public List<Explainer.Explanation> explain(ProjectStore store, long runId, List<Path> images, int top,
                                                   TaskContext ctx) {
            explained = images.get(0);
            return List.of(new Explainer.Explanation(images.get(0).toString(), 2.1, null, List.of(
                    new Explainer.Carrier(1, 0.6, 2.9, 1.74), new Explainer.Carrier(0, 0.2, 1.6, 0.32))));
        }
    }
}
