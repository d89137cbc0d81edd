package dev.rali.app.views;

import dev.rali.app.AppContext;
import dev.rali.app.ViewFeature;
import dev.rali.app.Stats;
import dev.rali.engine.project.ProjectQueries;
import dev.rali.engine.project.Runs.Prediction;
import dev.rali.engine.project.Runs.RunItem;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javafx.geometry.Pos;
import javafx.scene.Node;
import dev.rali.engine.eval.MetricReport;
import dev.rali.engine.eval.ResultsTable;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.layout.Region;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.SplitPane;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import org.jfree.chart.entity.XYItemEntity;
import org.jfree.chart.fx.ChartViewer;
import org.jfree.chart.fx.interaction.ChartMouseEventFX;
import org.jfree.chart.fx.interaction.ChartMouseListenerFX;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Results of one run: PLCC/SRCC per dataset (and their mean, as in the paper's tables) computed from the run's
 * stored predictions against MOS, and a predicted-vs-MOS scatter; clicking a point opens that image.
 */
public final class ResultsView implements AppView {
    public static final String TITLE = "Results";

    /** Registers this view in the navigation (META-INF/services/dev.rali.app.AppFeature). */
    public static final class Feature extends ViewFeature {
        public Feature() {
            super("results", TITLE, 50, ResultsView::new);
        }
    }

    /**
     * One table row. {@code plcc} is the headline PLCC, Pearson after the VQEG 4-parameter logistic (the convention
     * of the paper's tables and of `rali eval`); {@code plccRaw} is Pearson on the raw scores. {@code images} says
     * which images the run evaluated the dataset on ("test split" / "all", from its results; "" when not recorded).
     * The intervals are null unless 95 % CIs were asked for.
     */
    public record Row(String dataset, String images, int n, double plcc, double srcc, double krcc, double rmse, double plccRaw,
                      MetricReport.Interval plccCi, MetricReport.Interval srccCi) { }

    private final AppContext ctx;
    private final StackPane root = new StackPane();
    private final ComboBox<RunItem> run = new ComboBox<>();
    private final TableView<Row> table = new TableView<>();
    private final XYSeriesCollection points = new XYSeriesCollection();
    private final List<List<Prediction>> seriesItems = new ArrayList<>();
    private final ChartViewer scatter = new ChartViewer(Charts.scatter("Predicted vs MOS", "MOS [1,5]",
            "predicted", points));
    private Map<String, List<Prediction>> predictions = Map.of();
    private final CheckBox intervals = new CheckBox("95 % CIs");
    private final PaperTablesPane paperTables;
    private final Label environment = Ui.hint("");

    public ResultsView(AppContext ctx) {
        this.ctx = ctx;
        run.setId("resultsRun");
        run.setCellFactory(l -> new RunCell());
        run.setButtonCell(new RunCell());
        run.valueProperty().addListener((o, a, b) -> loadRun());
        table.setId("resultsTable");
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY);
        table.setPlaceholder(new Label("Choose a run with predictions (the evaluate stage writes them)."));
        table.getColumns().add(col("Dataset", Row::dataset, 110));
        table.getColumns().add(col("Images", Row::images, 80));
        table.getColumns().add(col("N", Row::n, 50));
        table.getColumns().add(col("PLCC", r -> withCi(r.plcc(), r.plccCi()), 70));
        table.getColumns().add(col("SRCC", r -> withCi(r.srcc(), r.srccCi()), 70));
        table.getColumns().add(col("KRCC", r -> Ui.num(r.krcc(), 3), 60));
        table.getColumns().add(col("RMSE", r -> Ui.num(r.rmse(), 3), 60));
        table.getColumns().add(col("PLCC (raw)", r -> Ui.num(r.plccRaw(), 3), 80));
        intervals.setId("resultsIntervals");
        intervals.setMinWidth(Region.USE_PREF_SIZE);
        Ui.tip(intervals, "Percentile-bootstrap 95 % intervals of PLCC and SRCC, with the run's evaluate.bootstrap "
                + "resamples and seed (as `rali eval` and the pipeline compute them)");
        intervals.setOnAction(e -> loadRun());
        table.getSelectionModel().selectedItemProperty().addListener((o, a, r) -> plot(r));
        scatter.setId("resultsScatter");
        scatter.addChartMouseListener(new ChartMouseListenerFX() {
            @Override
            public void chartMouseClicked(ChartMouseEventFX e) {
                if (e.getEntity() instanceof XYItemEntity item) {
                    openPoint(item.getSeriesIndex(), item.getItem());
                }
            }

            @Override
            public void chartMouseMoved(ChartMouseEventFX e) { }
        });
        HBox bar = new HBox(8, new Label("Run"), run, intervals, Ui.hint("click a point to open the image"));
        bar.setAlignment(Pos.CENTER_LEFT);
        Ui.noCollapse(bar);
        Label footer = Ui.hint(ResultsTable.FOOTER + " " + ResultsTable.IMAGES_NOTE);
        footer.setId("resultsFooter");
        footer.setMinHeight(Region.USE_PREF_SIZE);
        environment.setId("resultsEnvironment");
        environment.setMinHeight(Region.USE_PREF_SIZE);
        Ui.tip(environment, "Where the run computed its numbers: device, libtorch, precision, threads, RALI and Java "
                + "versions, CPU. The same settings give slightly different numbers on a GPU than on a CPU, and in "
                + "bf16 than in fp32 (docs/PERFORMANCE.md).");
        VBox left = new VBox(8, table, footer, environment);
        VBox.setVgrow(table, Priority.ALWAYS);
        // table above the scatter: every column stays readable at 1024 px, and the scatter gets the full width
        SplitPane split = new SplitPane(left, scatter);
        split.setOrientation(javafx.geometry.Orientation.VERTICAL);
        split.setDividerPositions(0.28);
        BorderPane oneRun = Ui.withBar(new BorderPane(split), bar);
        oneRun.setPadding(javafx.geometry.Insets.EMPTY);
        paperTables = new PaperTablesPane(ctx);
        javafx.scene.control.Tab runTab = new javafx.scene.control.Tab("One run", oneRun);
        javafx.scene.control.Tab acrossTab = new javafx.scene.control.Tab("Across runs (paper Tables 2 and 4)",
                paperTables);
        javafx.scene.control.TabPane tabs = new javafx.scene.control.TabPane(runTab, acrossTab);
        tabs.setId("resultsTabs");
        tabs.setTabClosingPolicy(javafx.scene.control.TabPane.TabClosingPolicy.UNAVAILABLE);
        BorderPane content = new BorderPane(tabs);
        content.setPadding(new javafx.geometry.Insets(10));
        paperTables.setPadding(new javafx.geometry.Insets(8, 0, 0, 0));
        oneRun.setPadding(new javafx.geometry.Insets(8, 0, 0, 0));
        Ui.emptyUnless(root, content, ctx.project().queriesProperty().isNotNull(),
                "No project open", "Open a project and run the evaluate stage to see results.");
        ctx.project().revisionProperty().addListener((o, a, b) -> reloadRuns());
        ctx.project().runsRevisionProperty().addListener((o, a, b) -> reloadRuns());
        reloadRuns();
    }

    private static final class RunCell extends ListCell<RunItem> {
        @Override
        protected void updateItem(RunItem r, boolean empty) {
            super.updateItem(r, empty);
            setText(empty || r == null ? null : "run " + r.id() + " · " + r.stage() + variant(r) + " · "
                    + r.status() + " · " + r.startedAt());
        }
    }

    /**
     * " · no_pca" etc. for Table 4 ablation runs, so the runs of a `rali demo` can be told apart; the recorded
     * parameters are read through PipelineParams, so runs of older versions (train-head's top-level "ablation")
     * show theirs too.
     */
    static String variant(RunItem r) {
        String ablation = PipelineView.ablation(r);
        return ablation.isEmpty() ? "" : " · " + ablation;
    }

    @Override
    public void reset() {
        run.getItems().clear();
        run.setValue(null);
        predictions = Map.of();
        table.getItems().clear();
        points.removeAllSeries();
        seriesItems.clear();
        scatter.getChart().setTitle("Predicted vs MOS");
        paperTables.reset();
    }

    private void reloadRuns() {
        ProjectQueries q = ctx.project().queries();
        if (q == null) {
            run.getItems().clear();
            table.getItems().clear();
            points.removeAllSeries();
            return;
        }
        ctx.tasks().execute("Load runs", c -> {
            List<RunItem> all = q.runs().withPredictions();
            // the run shown first: the newest of the researcher's own (not an ablation or a sweep point), as the
            // Pipeline form starts from; the demo's newest run is its last ablation
            PipelineView.Seed seed = PipelineView.seedCandidate(all, q.runs().sweepRunIds());
            return Map.entry(all, java.util.Optional.ofNullable(seed == null ? null : seed.run()));
        }, loaded -> {
            if (q != ctx.project().queries()) {
                return; // another project was opened meanwhile
            }
            List<RunItem> list = loaded.getKey();
            Long keep = run.getValue() == null ? null : run.getValue().id();
            run.getItems().setAll(list);
            paperTables.reload(q, list);
            RunItem first = loaded.getValue().orElse(list.isEmpty() ? null : list.get(0));
            RunItem sel = list.stream().filter(r -> keep != null && r.id() == keep).findFirst().orElse(first);
            if (sel != null && sel.equals(run.getValue())) {
                loadRun(); // same run, but its predictions may have changed
            }
            run.setValue(sel);
            if (sel == null) {
                table.getItems().clear();
                points.removeAllSeries();
            }
        });
    }

    private void loadRun() {
        ProjectQueries q = ctx.project().queries();
        RunItem r = run.getValue();
        if (q == null || r == null) {
            return;
        }
        int bootstrap = intervals.isSelected() ? bootstrapOf(r) : 0;
        long seed = seedOf(r);
        ctx.tasks().execute("Load predictions", c -> {
            Map<String, List<Prediction>> p = q.runs().predictions(r.id());
            return new Loaded(p, rows(p, imagesUsed(q, r.id()), bootstrap, seed), environmentOf(q, r.id()));
        }, result -> {
            if (q != ctx.project().queries() || r != run.getValue()) {
                return;
            }
            environment.setText(result.environment());
            predictions = result.predictions();
            table.getItems().setAll(result.rows());
            table.getSelectionModel().clearAndSelect(table.getItems().size() - 1);
        });
    }

    /** What one run's load brings back to the FX thread. */
    private record Loaded(Map<String, List<Prediction>> predictions, List<Row> rows, String environment) { }

    /** "Ran on: …" as the run recorded it ({@link dev.rali.engine.project.RunEnvironment}). */
    static String environmentOf(ProjectQueries q, long runId) {
        try {
            return dev.rali.engine.project.RunEnvironment.describe(q.runs().environments(runId));
        } catch (Exception unreadable) { // no JDBC types in the app (AppArchitectureTest)
            return "Ran on: unknown (" + unreadable.getMessage() + ")";
        }
    }

    /** Without intervals, and without saying which images each dataset used. */
    public static List<Row> rows(Map<String, List<Prediction>> byDataset) {
        return rows(byDataset, Map.of(), 0, 0L);
    }

    /**
     * Which images the run evaluated each dataset on, as its results record it (the paper's protocol: the score
     * dataset's test split, every other dataset whole); empty for runs whose results do not say.
     */
    static Map<String, String> imagesUsed(ProjectQueries q, long runId) {
        try {
            return dev.rali.engine.eval.PaperTables.imagesUsed(q.runs(), runId);
        } catch (Exception unreadable) { // no JDBC types in the app (AppArchitectureTest)
            return Map.of(); // the figures come from the predictions; only the label is missing
        }
    }

    /**
     * The figures per dataset, as the pipeline's evaluate stage and `rali eval` report them ({@link MetricReport}:
     * logistic PLCC headline, raw PLCC beside it), plus the unweighted mean row (as the paper averages datasets).
     * A dataset with fewer than 3 predictions gets NaNs instead of failing the whole table.
     */
    public static List<Row> rows(Map<String, List<Prediction>> byDataset, Map<String, String> images, int bootstrap,
                                 long seed) {
        List<Row> rows = new ArrayList<>();
        for (var e : byDataset.entrySet()) {
            double[] pred = e.getValue().stream().mapToDouble(Prediction::predicted).toArray();
            double[] mos = e.getValue().stream().mapToDouble(Prediction::mos).toArray();
            Row r;
            String used = images.getOrDefault(e.getKey(), "");
            try {
                MetricReport m = MetricReport.compute(pred, mos, bootstrap, seed);
                r = new Row(e.getKey(), used, pred.length, m.plccFitted(), m.srcc(), m.krcc(), m.rmse(), m.plcc(),
                        m.plccFittedCi(), m.srccCi());
            } catch (IllegalArgumentException tooFewOrConstant) {
                r = new Row(e.getKey(), used, pred.length, Stats.plcc(pred, mos), Stats.srcc(pred, mos), Double.NaN,
                        Double.NaN, Stats.plcc(pred, mos), null, null);
            }
            rows.add(r);
        }
        if (rows.size() > 1) {
            int n = rows.stream().mapToInt(Row::n).sum();
            rows.add(new Row("mean", "", n, mean(rows, Row::plcc), mean(rows, Row::srcc), mean(rows, Row::krcc),
                    mean(rows, Row::rmse), mean(rows, Row::plccRaw), null, null));
        }
        return rows;
    }

    private static double mean(List<Row> rows, java.util.function.ToDoubleFunction<Row> f) {
        return rows.stream().mapToDouble(f).average().orElse(Double.NaN);
    }

    static String withCi(double v, MetricReport.Interval ci) {
        return Ui.num(v, 3) + (ci == null ? "" : " " + ci);
    }

    /** The run's evaluate.bootstrap (1000 when it recorded none), so the CIs match the CLI's. */
    static int bootstrapOf(RunItem r) {
        try {
            int b = dev.rali.engine.params.PipelineParams.fromJson(r.paramsJson()).get(
                    dev.rali.engine.params.ParamKeys.BOOTSTRAP);
            return b > 0 ? b : 1000;
        } catch (RuntimeException notPipelineParams) {
            return 1000;
        }
    }

    static long seedOf(RunItem r) {
        if (r.seed() != null) {
            return r.seed();
        }
        try {
            return dev.rali.engine.params.PipelineParams.fromJson(r.paramsJson()).get(dev.rali.engine.params.ParamKeys.SEED);
        } catch (RuntimeException notPipelineParams) {
            return 42L;
        }
    }

    /**
     * Opens the image behind a scatter point; Previous/Next walk the plotted images from the largest error to the
     * smallest, and the detail shows the run's prediction and error beside the MOS and traces.
     */
    public void openPoint(int series, int item) {
        Prediction clicked = pointAt(series, item);
        RunItem r = run.getValue();
        if (clicked == null || r == null) {
            return;
        }
        List<Prediction> order = new ArrayList<>();
        seriesItems.forEach(order::addAll);
        order.sort(java.util.Comparator.comparingDouble((Prediction p) -> -Math.abs(p.predicted() - p.mos())));
        Map<Long, Prediction> byId = new java.util.HashMap<>();
        order.forEach(p -> byId.put(p.imageId(), p));
        List<Long> ids = order.stream().map(Prediction::imageId).toList();
        ImageDetailPane.open(ctx, new ImageDetailPane.Browse(ids, "largest |error| first", id -> {
            Prediction p = byId.get(id);
            if (p == null) {
                return List.of();
            }
            return List.of(Map.entry("Prediction (run " + r.id() + ")", Ui.num(p.predicted(), 3)),
                    Map.entry("Error (prediction − MOS)", String.format(java.util.Locale.ROOT, "%+.3f",
                            p.predicted() - p.mos())));
        }), ids.indexOf(clicked.imageId()));
    }

    /** Plots one dataset, or every dataset as its own series for the mean row. */
    private void plot(Row r) {
        points.removeAllSeries();
        seriesItems.clear();
        if (r == null) {
            return;
        }
        Map<String, List<Prediction>> shown = new LinkedHashMap<>();
        if (predictions.containsKey(r.dataset())) {
            shown.put(r.dataset(), predictions.get(r.dataset()));
        } else {
            shown.putAll(predictions);
        }
        shown.forEach((name, list) -> {
            XYSeries s = new XYSeries(name, false, true);
            list.forEach(p -> s.add(p.mos(), p.predicted(), false));
            points.addSeries(s);
            seriesItems.add(list);
        });
        scatter.getChart().setTitle(String.format(java.util.Locale.ROOT, "Predicted vs MOS — %s (PLCC %.3f, SRCC %.3f)",
                r.dataset(), r.plcc(), r.srcc()));
    }

    Prediction pointAt(int series, int item) {
        if (series < 0 || series >= seriesItems.size() || item < 0 || item >= seriesItems.get(series).size()) {
            return null;
        }
        return seriesItems.get(series).get(item);
    }

    /** The across-runs tables (tests). */
    public List<List<String>> paperTable2() {
        return paperTables.table2() == null ? List.of() : paperTables.table2().texts();
    }

    public List<List<String>> paperTable4() {
        return paperTables.table4() == null ? List.of() : paperTables.table4().texts();
    }

    /** Writes the across-runs Table 2 or Table 4 ({@code which}: "table2"/"table4") in the file's format. */
    public void exportPaperTable(String which, java.nio.file.Path file) {
        var t = "table4".equals(which) ? paperTables.table4() : paperTables.table2();
        if (t != null) {
            paperTables.exportTo(t, file);
        }
    }

    public TableView<Row> table() {
        return table;
    }

    private static <T> TableColumn<Row, T> col(String title, java.util.function.Function<Row, T> f, double w) {
        return Ui.column(title, f, w);
    }

    @Override
    public String title() {
        return TITLE;
    }

    @Override
    public Node node() {
        return root;
    }
}
