package dev.rali.app.views;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.rali.engine.project.Runs.Prediction;
import dev.rali.engine.project.Runs.RunItem;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunCompareTest {
    static RunItem run(long id, String stage, String params) {
        return new RunItem(id, stage, params, null, "v", null, "t0", "t1", "done", null);
    }

    @Test
    void paramDiffFlattensNestedJsonAndMarksDifferences() {
        var rows = RunCompareDialog.diff(List.of(run(1, "align", "{\"align\":{\"lr\":1e-5,\"epochs\":10},\"tag\":\"a\"}"),
                run(2, "align", "{\"align\":{\"lr\":3e-5,\"epochs\":10},\"extra\":[1,2]}")));
        Map<String, RunCompareDialog.Row> byKey = new java.util.HashMap<>();
        rows.forEach(r -> byKey.put(r.key(), r));
        assertEquals(List.of("align.lr", "align.epochs", "tag", "(stage)", "(parent)", "(status)", "extra"),
                rows.stream().map(RunCompareDialog.Row::key).toList());
        assertEquals(true, byKey.get("align.lr").differs());
        assertEquals(false, byKey.get("align.epochs").differs());
        assertEquals(false, byKey.get("(stage)").differs());
        assertEquals(null, byKey.get("extra").value(0));
        assertEquals("[1,2]", byKey.get("extra").value(1));
        assertEquals("a", byKey.get("tag").value(0));
    }

    @Test
    void runsOfOlderVersionsAreComparedUnderTodaysKeyNames() {
        String old = "{\"data\":{\"score_dataset\":\"koniq\"},\"encoder\":{\"embed_batch\":3},\"bases\":{\"count\":100},"
                + "\"seed\":5}";
        String now = dev.rali.engine.params.PipelineParams.defaults().with("data.scoreDataset", "koniq")
                .with("bases.count", "90").toJson();
        Map<String, RunCompareDialog.Row> byKey = new java.util.HashMap<>();
        RunCompareDialog.diff(List.of(run(1, "pipeline", old), run(2, "pipeline", now))).forEach(r -> byKey.put(r.key(), r));
        assertEquals(false, byKey.get("data.scoreDataset").differs());
        assertEquals("koniq", byKey.get("data.scoreDataset").value(0));
        assertEquals(true, byKey.get("bases.count").differs());
        assertEquals("5", byKey.get("run.seed").value(0));
        assertEquals(null, byKey.get("data.score_dataset"));
    }

    @Test
    void runLabelsNameTheAblationAlsoForRunsOfOlderVersions() {
        String now = dev.rali.engine.params.PipelineParams.ablation("no_pca").toJson();
        assertEquals(" · no_pca", ResultsView.variant(run(1, "pipeline", now)));
        assertEquals(" · plain_kmeans", ResultsView.variant(run(2, "train_head",
                "{\"ablation\":\"plain_kmeans\",\"seed\":42,\"bases\":{\"bucketed\":false}}")));
        assertEquals("", ResultsView.variant(run(3, "align", "{\"align\":{\"lr\":1e-5}}")));
        assertEquals("", ResultsView.variant(run(4, "align", null)));
    }

    @Test
    void unparsableParamsAreShownNotThrown() {
        assertEquals(Map.of("(unparsable params)", "{oops"), PipelineView.flatten("{oops"));
    }

    @Test
    void resultRowsHaveOneRowPerDatasetAndAMeanRow() {
        List<Prediction> a = List.of(new Prediction(1, "x", "test", 1, 1), new Prediction(2, "y", "test", 2, 2),
                new Prediction(3, "z", "test", 3, 3));
        List<Prediction> b = List.of(new Prediction(4, "x", "test", 3, 1), new Prediction(5, "y", "test", 2, 2),
                new Prediction(6, "z", "test", 1, 3));
        var rows = ResultsView.rows(new java.util.LinkedHashMap<>(Map.of("a", a)) {{ put("b", b); }});
        assertEquals(List.of("a", "b", "mean"), rows.stream().map(ResultsView.Row::dataset).toList());
        assertEquals(1.0, rows.get(0).plcc(), 1e-12);
        assertEquals(-1.0, rows.get(1).srcc(), 1e-12);
        // raw Pearson averages +1 and −1; the headline (logistic) PLCC is the engine's, as `rali eval` reports it
        assertEquals(0.0, rows.get(2).plccRaw(), 1e-12);
        assertEquals(dev.rali.engine.eval.MetricReport.compute(new double[] {3, 2, 1}, new double[] {1, 2, 3})
                .plccFitted(), rows.get(1).plcc(), 1e-12);
        assertEquals(6, rows.get(2).n());
        // a dataset too small for a correlation shows NaN, not an error
        var tiny = ResultsView.rows(Map.of("t", List.of(new Prediction(1, "x", "test", 1, 1))));
        assertEquals(true, Double.isNaN(tiny.get(0).plcc()));
    }
}
