package dev.rali.app.views;

import dev.rali.app.AppContext;
import dev.rali.app.ViewFeature;
import dev.rali.app.Dialogs;
import dev.rali.engine.eval.PaperTables;
import dev.rali.engine.params.ParamKeys;
import dev.rali.engine.params.PipelineParams;
import dev.rali.engine.pipeline.PipelineService;
import dev.rali.engine.project.ProjectQueries;
import dev.rali.engine.project.ProjectStore;
import dev.rali.engine.project.Runs;
import dev.rali.engine.project.SweepRecords;
import dev.rali.engine.sweep.SweepReport;
import dev.rali.engine.sweep.SweepRunner;
import dev.rali.engine.sweep.SweepService;
import dev.rali.engine.sweep.SweepSpec;
import dev.rali.engine.task.BackgroundTask;
import java.awt.Color;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.geometry.Insets;
import javafx.geometry.Orientation;
import javafx.geometry.Pos;
import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.Spinner;
import javafx.scene.control.SplitPane;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Pane;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import javafx.scene.text.Font;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.fx.ChartViewer;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Sweeps: define a sweep (grid text, or a paper preset) on top of the project's latest pipeline parameters, start,
 * cancel and resume it in the background; watch every point's curve overlaid and updating while it trains (coloured
 * by a chosen parameter); a brushable parallel-coordinates plot of parameters → validation and test metrics; the
 * settings table sortable by any metric (mean ± std over seeds); parameter importance (η²: share of the metric's
 * variance explained by each parameter alone); and the best setting saved as a preset and run with one click.
 */
public final class SweepsView implements dev.rali.app.views.AppView {
    public static final String TITLE = "Sweeps";

    /** Registers this view in the navigation (META-INF/services/dev.rali.app.AppFeature). */
    public static final class Feature extends ViewFeature {
        public Feature() {
            super("sweeps", TITLE, 45, SweepsView::new, SweepService.class, PipelineService.class);
        }
    }

    /** Curves the view can overlay (names the pipeline records). */
    static final List<String> CURVES = List.of("score_definition/val_plcc", "score_definition/epoch_loss",
            "score_definition/val_loss", "align/val_loss");
    static final String GRID = "Grid";
    static final String TABLE4 = "Table 4 ablations";
    static final String TABLEA5 = "Table A.5 sweep";
    static final String RANDOM = "Random…";

    private final AppContext ctx;
    private final SweepService sweeps;
    private final PipelineService pipeline;
    private final StackPane root = new StackPane();
    private final ComboBox<SweepRecords.Sweep> sweepChoice = new ComboBox<>();
    private final ComboBox<String> kind = new ComboBox<>();
    private final TextField grid = new TextField("compression.dim=8,16;bases.count=10,20");
    private final TextField seeds = new TextField("1");
    /** Random search: a space file (as `rali sweep run --random N --space FILE.json`) and N draws. */
    private final TextField spaceFile = new TextField();
    private final Button chooseSpace = new Button("Space file…");
    private final TextField draws = new TextField("20");
    /** The draws' seed (the CLI's --draw-seed): another seed draws other settings from the same space. */
    private final TextField drawSeed = new TextField("0");
    private final CheckBox earlyStop = new CheckBox("early stop (median rule)");
    private final Button start = new Button("Start sweep");
    private final Button cancel = new Button("Cancel sweep");
    private final Button resume = new Button("Resume");
    /** Points run at a time (rali sweep run --parallel N); the engine lowers it to what the heap allows. */
    private final Spinner<Integer> parallelPoints = new Spinner<>(1, 4, 1);
    private final Label parallelNote = new Label();
    /** "Sweep S was interrupted: k of n points left — Resume": shown on opening a project with unfinished work. */
    private final Label resumeText = new Label();
    private final Button resumeBannerButton = new Button("Resume");
    private final HBox resumeBanner = new HBox(8, resumeText, resumeBannerButton);
    private Pending pending;
    private final Label status = new Label();
    private final Label baseNote = new Label();
    private final ComboBox<String> curveMetric = new ComboBox<>();
    private final ComboBox<String> colourBy = new ComboBox<>();
    private final XYSeriesCollection curves = new XYSeriesCollection();
    private final JFreeChart curveChart = Charts.lines("Curves of all points", "epoch / step", "value", curves);
    private final ChartViewer curveViewer = new ChartViewer(curveChart);
    private final Label curveNote = Ui.hint("");
    private final ParallelCoordinates parallel = new ParallelCoordinates();
    private final TableView<SweepReport.SettingRow> table = new TableView<>();
    private final ComboBox<String> importanceMetric = new ComboBox<>();
    final DefaultCategoryDataset importanceData = new DefaultCategoryDataset();
    private final ChartViewer importanceViewer;
    private final TextField presetName = new TextField("best");
    private final Button saveBest = new Button("Save best as preset");
    private final Button runBest = new Button("Run best");
    private final Label bestNote = new Label();
    /** Point index → metric name → series (all metrics of the loaded or running sweep). */
    private final Map<Integer, Map<String, XYSeries>> pointSeries = new HashMap<>();
    private SweepReport report;
    /** The selected sweep laid out like the paper (Table 4 / A.5 for the presets), as `rali sweep show` prints it. */
    private final TableView<List<PaperTables.Cell>> paperView = new TableView<>();
    private final Label paperNotes = Ui.hint("");
    private PaperTables.Table paperTable;

    /** Parameter importance as charted (parameter → η²), for tests. */
    public Map<String, Double> importance() {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int i = 0; i < importanceData.getColumnCount(); i++) {
            m.put(String.valueOf(importanceData.getColumnKey(i)), importanceData.getValue(0, i).doubleValue());
        }
        return m;
    }
    private BackgroundTask<?> job;
    private Long runningSweep;

    public SweepsView(AppContext ctx) {
        this.ctx = ctx;
        this.sweeps = ctx.services().get(SweepService.class);
        this.pipeline = ctx.services().get(PipelineService.class);
        JFreeChart imp = org.jfree.chart.ChartFactory.createBarChart("Parameter importance (η²)", "parameter",
                "share of variance", importanceData, org.jfree.chart.plot.PlotOrientation.HORIZONTAL, false, true,
                false);
        imp.getCategoryPlot().getRangeAxis().setRange(0, 1);
        imp.getTitle().setFont(new java.awt.Font("SansSerif", java.awt.Font.BOLD, 13));
        imp.getCategoryPlot().setBackgroundPaint(Color.WHITE);
        imp.getCategoryPlot().setRangeGridlinePaint(new Color(0xDDDDDD));
        imp.getCategoryPlot().getRenderer().setSeriesPaint(0, Charts.PALETTE[0]);
        ((org.jfree.chart.renderer.category.BarRenderer) imp.getCategoryPlot().getRenderer())
                .setBarPainter(new org.jfree.chart.renderer.category.StandardBarPainter());
        importanceViewer = new ChartViewer(imp);
        if (sweeps == null) {
            root.getChildren().add(Ui.emptyState("Sweeps not available",
                    "This build has no sweep service wired in. Run sweeps from the command line (`rali sweep run`)."));
            return;
        }
        sweepChoice.setId("sweepChoice");
        sweepChoice.setPromptText("no sweeps yet");
        sweepChoice.setPrefWidth(280);
        sweepChoice.setConverter(new javafx.util.StringConverter<>() {
            @Override
            public String toString(SweepRecords.Sweep s) {
                return s == null ? "" : "#" + s.id() + " " + s.name() + " (" + s.status() + ")";
            }

            @Override
            public SweepRecords.Sweep fromString(String s) {
                return null;
            }
        });
        sweepChoice.valueProperty().addListener((o, a, s) -> {
            if (s != null && (a == null || a.id() != s.id())) {
                // the running sweep's curves come live from its task: reloading the recorded ones would drop them
                loadSweep(s.id(), runningSweep == null || runningSweep != s.id());
            }
        });
        kind.setId("sweepKind");
        kind.getItems().setAll(GRID, RANDOM, TABLE4, TABLEA5);
        kind.setValue(GRID);
        grid.setId("sweepGrid");
        grid.setPrefColumnCount(34);
        grid.disableProperty().bind(kind.valueProperty().isNotEqualTo(GRID));
        Ui.tip(grid, "key=v1,v2;key2=v1,v2 — any parameter of the Pipeline form (`rali run --show-defaults`)");
        seeds.setId("sweepSeeds");
        seeds.setPrefColumnCount(3);
        Ui.tip(seeds, "seeds per setting: run.seed, run.seed+1, …");
        earlyStop.setId("sweepEarlyStop");
        start.setId("startSweep");
        start.setOnAction(e -> startSweep());
        cancel.setId("cancelSweep");
        cancel.setOnAction(e -> cancelSweep());
        resume.setId("resumeSweep");
        resume.setOnAction(e -> {
            SweepRecords.Sweep s = sweepChoice.getValue();
            if (s != null) {
                runQueue(s.id(), true);
            }
        });
        status.setId("sweepStatus");
        baseNote.setId("sweepBase");
        baseNote.getStyleClass().add("hint");
        spaceFile.setId("sweepSpace");
        spaceFile.setPromptText("space.json");
        spaceFile.setPrefColumnCount(18);
        Ui.tip(spaceFile, "{\"key\": [choices] or {\"min\": …, \"max\": …, \"log\": true}} — docs/SWEEPS.md");
        chooseSpace.setId("chooseSpace");
        chooseSpace.setOnAction(e -> {
            javafx.stage.FileChooser fc = new javafx.stage.FileChooser();
            fc.setTitle("Random search space");
            fc.getExtensionFilters().add(new javafx.stage.FileChooser.ExtensionFilter("Space (JSON)", "*.json"));
            fc.setInitialDirectory(Ui.exportFolder(ctx));
            java.io.File f = fc.showOpenDialog(ctx.window());
            if (f != null) {
                spaceFile.setText(f.getPath());
            }
        });
        draws.setId("sweepDraws");
        draws.setPrefColumnCount(4);
        Ui.tip(draws, "N settings drawn from the space (seeded by the draw seed)");
        drawSeed.setId("sweepDrawSeed");
        drawSeed.setPrefColumnCount(4);
        Ui.tip(drawSeed, "Seed of the draws (the CLI's --draw-seed; 0 by default): another seed draws other settings");
        Label drawsLabel = new Label("N");
        Label drawSeedLabel = new Label("draw seed");
        drawSeedLabel.setMinWidth(Region.USE_PREF_SIZE);
        HBox randomBox = new HBox(6, spaceFile, chooseSpace, drawsLabel, draws, drawSeedLabel, drawSeed);
        randomBox.setAlignment(Pos.CENTER_LEFT);
        randomBox.visibleProperty().bind(kind.valueProperty().isEqualTo(RANDOM));
        randomBox.managedProperty().bind(randomBox.visibleProperty());
        grid.visibleProperty().bind(kind.valueProperty().isNotEqualTo(RANDOM));
        grid.managedProperty().bind(grid.visibleProperty());
        HBox define = new HBox(8, new Label("New"), kind, grid, randomBox, new Label("seeds"), seeds, earlyStop,
                start);
        define.setAlignment(Pos.CENTER_LEFT);
        parallelPoints.setId("sweepParallel");
        parallelPoints.setPrefWidth(64);
        Ui.tip(parallelPoints, "points run at a time (start and resume): those sharing a finished point's encoder and "
                + "embeddings run together, up to what the heap allows; on 2 cores one at a time is as fast");
        parallelNote.setId("sweepParallelNote");
        parallelNote.getStyleClass().add("hint");
        Label atATime = new Label("points at a time");
        atATime.setMinWidth(Region.USE_PREF_SIZE);
        HBox control = new HBox(8, new Label("Sweep"), sweepChoice, cancel, resume, atATime, parallelPoints,
                parallelNote, status);
        control.setAlignment(Pos.CENTER_LEFT);
        resumeBanner.setId("resumeBanner");
        resumeText.setId("resumeBannerText");
        resumeBannerButton.setId("resumeBannerButton");
        resumeBanner.setAlignment(Pos.CENTER_LEFT);
        resumeBanner.setPadding(new Insets(4, 8, 4, 8));
        resumeBanner.setStyle("-fx-background-color: #FFF4CE; -fx-border-color: #E0C060;");
        resumeBannerButton.setOnAction(e -> {
            if (pending != null) {
                runQueue(pending.sweep().id(), true);
            }
        });
        showPending(null);
        VBox top = new VBox(6, resumeBanner, control, define, baseNote);
        top.setPadding(new Insets(6));

        curveMetric.setId("curveMetric");
        curveMetric.getItems().setAll(CURVES);
        curveMetric.setValue(CURVES.get(0));
        curveMetric.valueProperty().addListener((o, a, b) -> redrawCurves());
        colourBy.setId("colourBy");
        colourBy.valueProperty().addListener((o, a, b) -> {
            redrawCurves();
            parallel.setColourKey(b);
        });
        curveViewer.setId("sweepCurves");
        XYPlot plot = curveChart.getXYPlot();
        ((XYLineAndShapeRenderer) plot.getRenderer()).setDefaultShapesVisible(false);
        curveChart.removeLegend();
        Label curvesHeading = Ui.heading("Curves");
        curvesHeading.setMinWidth(Region.USE_PREF_SIZE);
        Label colourLabel = new Label("colour by");
        colourLabel.setMinWidth(Region.USE_PREF_SIZE);
        HBox curveBar = new HBox(8, curvesHeading, curveMetric, colourLabel, colourBy);
        curveBar.setAlignment(Pos.CENTER_LEFT);
        curveNote.setId("curveNote");
        curveNote.setVisible(false);
        curveNote.setManaged(false);
        VBox curvePane = new VBox(4, curveBar, curveViewer, curveNote);
        VBox.setVgrow(curveViewer, Priority.ALWAYS);

        parallel.setId("parallelCoordinates");
        parallel.onBrush(sel -> applyBrush());
        Button clearBrush = new Button("Clear brush");
        clearBrush.setOnAction(e -> parallel.clearBrush());
        HBox pcBar = new HBox(8, Ui.heading("Parameters → metrics"), clearBrush,
                Ui.hint("drag along an axis to select a range"));
        pcBar.setAlignment(Pos.CENTER_LEFT);
        VBox pcPane = new VBox(4, pcBar, parallel);
        VBox.setVgrow(parallel, Priority.ALWAYS);

        table.setId("sweepTable");
        table.setPlaceholder(new Label("No finished points yet."));
        table.setColumnResizePolicy(TableView.UNCONSTRAINED_RESIZE_POLICY); // pref widths: swept keys and metrics stay readable
        // right-click a setting: cancel one of its unfinished points (as `rali sweep cancel ID --point N`)
        javafx.scene.control.ContextMenu pointMenu = new javafx.scene.control.ContextMenu();
        pointMenu.setOnShowing(e -> fillPointMenu(pointMenu));
        fillPointMenu(pointMenu); // a context menu with no items never shows, so it starts with the hint line
        table.setContextMenu(pointMenu);
        HBox bestBar = new HBox(8, Ui.heading("Settings"), new Label("best → preset"), presetName, saveBest,
                runBest);
        bestBar.setAlignment(Pos.CENTER_LEFT);
        bestNote.getStyleClass().add("hint");
        presetName.setId("presetName");
        presetName.setPrefColumnCount(10);
        saveBest.setId("saveBest");
        saveBest.setOnAction(e -> saveBest(false));
        runBest.setId("runBest");
        runBest.setOnAction(e -> saveBest(true));
        bestNote.setId("bestNote");
        saveBest.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
        runBest.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
        VBox tablePane = new VBox(4, bestBar, bestNote, table);
        VBox.setVgrow(table, Priority.ALWAYS);

        importanceMetric.setId("importanceMetric");
        importanceMetric.getItems().setAll(SweepReport.METRICS);
        importanceMetric.setValue("test_plcc");
        importanceMetric.valueProperty().addListener((o, a, b) -> showImportance());
        importanceViewer.setId("importanceChart");
        HBox impBar = new HBox(8, Ui.heading("Importance"), importanceMetric);
        impBar.setAlignment(Pos.CENTER_LEFT);
        Label impHint = Ui.hint("η²: share of the metric's variance over finished points explained by each parameter "
                + "alone (one-way ANOVA)");
        impHint.setWrapText(true);
        VBox impPane = new VBox(4, impBar, importanceViewer, impHint);
        VBox.setVgrow(importanceViewer, Priority.ALWAYS);

        SplitPane upper = new SplitPane(curvePane, pcPane);
        upper.setDividerPositions(0.5);
        paperView.setId("sweepPaperTable");
        paperView.setPlaceholder(new Label("No finished points yet."));
        paperView.setColumnResizePolicy(TableView.UNCONSTRAINED_RESIZE_POLICY);
        paperNotes.setMinHeight(Region.USE_PREF_SIZE);
        Button exportPaper = new Button("Export…");
        exportPaper.setId("exportSweepTable");
        Ui.tip(exportPaper, "Markdown, CSV or LaTeX (by the file's extension), as `rali sweep show --format md|csv|latex`");
        exportPaper.setOnAction(e -> PaperTablesPane.export(ctx, paperTable, report == null ? "sweep"
                : "sweep-" + report.sweep().id() + "-" + report.sweep().kind()));
        Label paperHeading = Ui.heading("As in the paper");
        paperHeading.setMinWidth(Region.USE_PREF_SIZE);
        exportPaper.setMinWidth(Region.USE_PREF_SIZE); // the hint gives way, not the heading or the button
        HBox paperBar = new HBox(8, paperHeading, exportPaper,
                Ui.hint("presets: the paper's rows and numbers beside this project's (mean ± std over seeds)"));
        paperBar.setAlignment(Pos.CENTER_LEFT);
        VBox paperPane = new VBox(4, paperBar, paperView, paperNotes);
        VBox.setVgrow(paperView, Priority.ALWAYS);
        javafx.scene.control.Tab settingsTab = new javafx.scene.control.Tab("Settings", tablePane);
        javafx.scene.control.Tab paperTab = new javafx.scene.control.Tab("Paper table", paperPane);
        paperTab.setId("sweepPaperTab");
        javafx.scene.control.TabPane tables = new javafx.scene.control.TabPane(settingsTab, paperTab);
        tables.setTabClosingPolicy(javafx.scene.control.TabPane.TabClosingPolicy.UNAVAILABLE);
        SplitPane lower = new SplitPane(tables, impPane);
        lower.setDividerPositions(0.66);
        SplitPane main = new SplitPane(upper, lower);
        main.setOrientation(Orientation.VERTICAL);
        main.setDividerPositions(0.55);
        BorderPane content = new BorderPane(main);
        content.setTop(top);
        Ui.emptyUnless(root, content, ctx.project().queriesProperty().isNotNull(), "No project open",
                "Open a project with datasets to run sweeps.");
        ctx.project().revisionProperty().addListener((o, a, b) -> reloadList());
        ctx.project().runsRevisionProperty().addListener((o, a, b) -> reloadList());
        updateButtons();
        reloadList();
    }

    @Override
    public String title() {
        return TITLE;
    }

    @Override
    public javafx.scene.Node node() {
        return root;
    }

    @Override
    public void shown() {
        reloadList();
    }

    // ---- loading ----

    private void reloadList() {
        ProjectStore store = ctx.project().store();
        if (store == null || sweeps == null) {
            return;
        }
        ctx.tasks().execute("Load sweeps", c -> {
            List<SweepRecords.Sweep> l = sweeps.list(store);
            return new Object[] {l, base(store), pending(store, l)};
        }, r -> {
            @SuppressWarnings("unchecked")
            List<SweepRecords.Sweep> list = (List<SweepRecords.Sweep>) r[0];
            Base b = (Base) r[1];
            showPending((Pending) r[2]);
            baseNote.setText("Base parameters: " + b.note());
            Long keep = sweepChoice.getValue() == null ? null : sweepChoice.getValue().id();
            sweepChoice.getItems().setAll(list);
            SweepRecords.Sweep pick = list.stream().filter(s -> keep != null && s.id() == keep).findFirst()
                    .orElse(list.isEmpty() ? null : list.get(0));
            sweepChoice.setValue(pick);
            if (pick != null && keep != null && pick.id() == keep) {
                loadSweep(pick.id(), false);
            }
            updateButtons();
        });
    }

    /** A sweep with work left that nothing runs: interrupted (its process died) or queued and never started. */
    record Pending(SweepRecords.Sweep sweep, long left, int total) { }

    /**
     * The newest interrupted or never-started sweep with points left, null when none. A {@code running} sweep whose
     * process died was marked interrupted when the project opened (its writer lock was free); one still running
     * belongs to a live process and is not offered.
     */
    Pending pending(ProjectStore store, List<SweepRecords.Sweep> newestFirst) throws Exception {
        for (SweepRecords.Sweep s : newestFirst) {
            if (s.status().equals("interrupted") || s.status().equals("queued")) {
                List<SweepReport.PointRow> pts = sweeps.report(store, s.id()).points();
                long left = pts.stream().filter(p -> OPEN.contains(p.status())).count();
                if (left > 0) {
                    return new Pending(s, left, pts.size());
                }
            }
        }
        return null;
    }

    /** Shows the resume banner for {@code p} (hidden for null, or while this view runs a sweep). It never starts work. */
    private void showPending(Pending p) {
        pending = job == null ? p : null;
        boolean show = pending != null;
        if (show) {
            String how = p.sweep().status().equals("queued") ? " was queued but never started: " : " was interrupted: ";
            resumeText.setText("Sweep " + p.sweep().id() + " (" + p.sweep().name() + ")" + how + p.left() + " of "
                    + p.total() + " points left");
        }
        resumeBanner.setVisible(show);
        resumeBanner.setManaged(show);
    }

    /**
     * The parameters a new sweep starts from: those of the run the Pipeline form starts from
     * ({@link PipelineView#seedCandidate}: the newest finished full run that is not a sweep point), else the paper's
     * defaults. The newest run is often the demo's last ablation or a sweep point; starting there would carry e.g.
     * {@code scoreDefinition.enabled=false} into every point, the Table 4 preset's "full" row included. When every
     * finished run is an ablation, that run's ablation switches are set back to the full recipe.
     */
    record Base(PipelineParams params, String note) { }

    static Base base(ProjectStore store) throws Exception {
        ProjectQueries q = new ProjectQueries(store);
        List<Runs.RunItem> finished = q.runs().list().stream() // newest first
                .filter(r -> "pipeline".equals(r.stage()) && "done".equals(r.status())).toList();
        PipelineView.Seed seed = PipelineView.seedCandidate(finished, q.runs().sweepRunIds());
        if (seed == null) {
            return new Base(PipelineParams.defaults(), "the paper's defaults (no finished pipeline run yet)");
        }
        PipelineParams p = PipelineParams.fromJson(seed.run().paramsJson());
        String ablation = p.run().ablation();
        if (!"full".equals(ablation)) {
            PipelineParams full = PipelineParams.defaults();
            for (String k : PipelineParams.ablation(ablation).changedFrom(full)) {
                p = p.withValue(k, ParamKeys.get(k).toJsonValue(full.get(k)));
            }
            return new Base(p, "those of run " + seed.run().id() + " with its ablation '" + ablation
                    + "' undone (no finished full run yet); the sweep changes only the swept keys");
        }
        return new Base(p, "those of run " + seed.run().id() + (seed.why().isEmpty()
                ? " (the newest finished full run)" : seed.why()) + "; the sweep changes only the swept keys");
    }

    /**
     * Loads a sweep's report and every point's recorded curves: with {@code replace} the recorded curves replace what
     * is shown; without (a sweep this view runs, whose curves arrive live) they only fill in finished points that
     * drew no curve — a point whose head was found finished trains nothing, so it sends no live metrics.
     */
    void loadSweep(long id, boolean replace) {
        ProjectStore store = ctx.project().store();
        if (store == null) {
            return;
        }
        ctx.tasks().execute("Load sweep " + id, c -> {
            SweepReport rep = sweeps.report(store, id);
            return new Object[] {rep, sweeps.curves(store, id), rep.table(store)};
        }, r -> {
            report = (SweepReport) r[0];
            paperTable = (PaperTables.Table) r[2];
            PaperTablesPane.show(paperView, paperNotes, paperTable);
            @SuppressWarnings("unchecked")
            Map<Integer, Map<String, List<Runs.MetricPoint>>> cv =
                    (Map<Integer, Map<String, List<Runs.MetricPoint>>>) r[1];
            if (replace) {
                pointSeries.clear();
            }
            java.util.Set<Integer> finished = new java.util.HashSet<>();
            for (SweepReport.PointRow p : report.points()) {
                if (!List.of("queued", "running", "interrupted").contains(p.status())) {
                    finished.add(p.index());
                }
            }
            cv.forEach((p, m) -> m.forEach((name, pts) -> {
                boolean drawn = pointSeries.containsKey(p) && pointSeries.get(p).containsKey(name);
                if (replace || (finished.contains(p) && !drawn)) {
                    pts.forEach(x -> addPoint(p, name, x.step(), x.value()));
                }
            }));
            showReport();
        });
    }

    private void showReport() {
        if (report == null) {
            return;
        }
        List<String> keys = report.keys();
        String colour = colourBy.getValue();
        colourBy.getItems().setAll(keys);
        colourBy.setValue(keys.contains(colour) ? colour : keys.isEmpty() ? null : keys.get(0));
        buildTable();
        parallel.setData(report, colourBy.getValue());
        showImportance();
        redrawCurves();
        var s = report.sweep();
        long done = report.points().stream().filter(p -> p.status().equals("done")).count();
        status.setText(s.status() + " — " + done + "/" + report.points().size() + " points done"
                + (report.scalingRule() != null ? "; scaling: " + report.scalingRule() : ""));
        report.best("val_plcc").ifPresentOrElse(b -> bestNote.setText("best by validation PLCC: setting "
                + b.setting() + " " + b.assignment() + " = " + b.valPlcc().format()), () -> bestNote.setText(
                "no finished point yet"));
        updateButtons();
    }

    private void buildTable() {
        table.getColumns().clear();
        TableColumn<SweepReport.SettingRow, Number> set = new TableColumn<>("setting");
        set.setCellValueFactory(c -> new SimpleObjectProperty<>(c.getValue().setting()));
        set.setPrefWidth(60);
        table.getColumns().add(set);
        if (report.settings().stream().anyMatch(s -> s.label() != null)) {
            table.getColumns().add(Ui.column("case", s -> s.label() == null ? "" : s.label(), 120));
        }
        for (String k : report.keys()) {
            TableColumn<SweepReport.SettingRow, String> c = new TableColumn<>(k);
            // a key a setting does not assign keeps the sweep's base value
            c.setCellValueFactory(x -> new SimpleStringProperty(valueText(x.getValue().assignment().get(k))));
            c.setPrefWidth(110);
            table.getColumns().add(c);
        }
        for (String m : SweepReport.METRICS) {
            TableColumn<SweepReport.SettingRow, SweepReport.Stat> c = new TableColumn<>(label(m) + " (mean ± std)");
            c.setId("col-" + m);
            c.setPrefWidth(130);
            c.setCellValueFactory(x -> new SimpleObjectProperty<>(x.getValue().metric(m)));
            c.setCellFactory(col -> new javafx.scene.control.TableCell<>() {
                @Override
                protected void updateItem(SweepReport.Stat s, boolean empty) {
                    super.updateItem(s, empty);
                    setText(empty || s == null ? null : s.format());
                }
            });
            // sorts by the mean; settings without a finished seed go last
            c.setComparator((a, b) -> Double.compare(a.n() == 0 ? Double.NEGATIVE_INFINITY : a.mean(),
                    b.n() == 0 ? Double.NEGATIVE_INFINITY : b.mean()));
            table.getColumns().add(c);
        }
        table.getColumns().add(Ui.column("seeds done", s -> s.done() + "/" + s.total(), 80));
        table.getItems().setAll(report.settings());
        applyBrush();
        table.refresh(); // new columns over old rows: redraw the cells
    }

    static String label(String metric) {
        return switch (metric) {
            case "val_plcc" -> "val PLCC";
            case "test_plcc" -> "test PLCC";
            case "test_srcc" -> "test SRCC";
            default -> metric;
        };
    }

    private void showImportance() {
        importanceData.clear();
        if (report == null) {
            return;
        }
        String m = importanceMetric.getValue();
        for (SweepReport.Importance i : report.importance(m)) {
            importanceData.addValue(i.share(), "η²", i.key());
        }
        importanceViewer.getChart().setTitle("Parameter importance (η² of " + label(m) + ")");
        importanceViewer.getChart().getTitle().setFont(new java.awt.Font("SansSerif", java.awt.Font.BOLD, 13));
    }

    /** The table shows only the brushed settings (all when nothing is brushed). */
    private void applyBrush() {
        if (report == null) {
            return;
        }
        Set<Integer> sel = parallel.selectedSettings();
        table.getItems().setAll(report.settings().stream().filter(s -> sel == null || sel.contains(s.setting()))
                .toList());
    }

    // ---- curves ----

    /** Adds one value to a point's series (creating it); redraws only when it is the shown metric. */
    private void addPoint(int point, String name, long step, double value) {
        XYSeries s = pointSeries.computeIfAbsent(point, p -> new HashMap<>()).computeIfAbsent(name, n -> {
            XYSeries x = new XYSeries("p" + point + " " + n, true, true);
            return x;
        });
        s.add(step, value, false);
    }

    /** A swept value as shown: a key the setting leaves unassigned keeps the base value ("base"). */
    public static String valueText(Object v) {
        return v == null ? "base" : String.valueOf(v);
    }

    private void redrawCurves() {
        curves.removeAllSeries();
        String metric = curveMetric.getValue();
        XYLineAndShapeRenderer r = (XYLineAndShapeRenderer) curveChart.getXYPlot().getRenderer();
        List<Integer> points = new ArrayList<>(pointSeries.keySet());
        points.sort(null);
        Map<Object, Color> colours = colours();
        Map<Integer, SweepReport.PointRow> rows = new HashMap<>();
        if (report != null) {
            report.points().forEach(p -> rows.put(p.index(), p));
        }
        int i = 0;
        boolean reusedShown = false;
        double lastStep = 0;
        for (int p : points) {
            XYSeries s = pointSeries.get(p).get(metric);
            if (s == null) {
                continue;
            }
            curves.addSeries(s);
            boolean reused = reusedHead(rows.get(p));
            reusedShown |= reused;
            r.setSeriesPaint(i, colourOf(p, colours));
            r.setSeriesStroke(i, reused ? REUSED_STROKE : SOLID_STROKE);
            r.setSeriesShapesVisible(i, false);
            i++;
            if (!s.isEmpty()) {
                lastStep = Math.max(lastStep, s.getMaxX());
            }
            s.fireSeriesChanged();
        }
        // a finished point with no curve at all (its training run is gone): its final validation PLCC as a marker
        int markers = 0;
        if (metric.equals(CURVES.get(0))) { // score_definition/val_plcc: the metric valPlcc holds
            for (SweepReport.PointRow p : rows.values().stream().sorted(java.util.Comparator.comparingInt(
                    SweepReport.PointRow::index)).toList()) {
                boolean drawn = pointSeries.containsKey(p.index()) && pointSeries.get(p.index()).containsKey(metric);
                if (!drawn && p.valPlcc() != null && p.status().equals("done")) {
                    XYSeries m = new XYSeries("p" + p.index() + " final", true, true);
                    m.add(lastStep, p.valPlcc());
                    curves.addSeries(m);
                    r.setSeriesPaint(i, colourOf(p.index(), colours));
                    r.setSeriesStroke(i, SOLID_STROKE);
                    r.setSeriesShapesVisible(i, true);
                    r.setSeriesShape(i, new java.awt.geom.Rectangle2D.Double(-4, -4, 8, 8));
                    i++;
                    markers++;
                }
            }
        }
        curveChart.setTitle(metric + " of every point" + (colourBy.getValue() == null ? ""
                : ", colour = " + colourBy.getValue()));
        List<String> notes = new ArrayList<>();
        if (reusedShown) {
            notes.add("dashed: a point that found its head already trained (reused) — the curve of the run that "
                    + "trained it");
        }
        if (markers > 0) {
            notes.add("■: " + markers + " point(s) without a recorded curve, at their final validation PLCC");
        }
        curveNote.setText(String.join("; ", notes));
        curveNote.setVisible(!notes.isEmpty());
        curveNote.setManaged(!notes.isEmpty());
    }

    static final java.awt.BasicStroke SOLID_STROKE = new java.awt.BasicStroke(1.6f);
    static final java.awt.BasicStroke REUSED_STROKE = new java.awt.BasicStroke(1.6f, java.awt.BasicStroke.CAP_BUTT,
            java.awt.BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f);

    private static boolean reusedHead(SweepReport.PointRow p) {
        return p != null && p.reuse() != null && p.reuse().headHits() > 0;
    }

    /** Colour per value of the colour-by parameter: a blue → orange ramp over its sorted distinct values. */
    private Map<Object, Color> colours() {
        Map<Object, Color> out = new LinkedHashMap<>();
        String key = colourBy.getValue();
        if (report == null || key == null) {
            return out;
        }
        List<Object> values = report.points().stream().map(p -> p.assignment().get(key)).distinct()
                .sorted(SweepsView::compareValues).toList();
        for (int i = 0; i < values.size(); i++) {
            out.put(values.get(i), ramp(values.size() == 1 ? 0 : i / (double) (values.size() - 1)));
        }
        return out;
    }

    private Color colourOf(int point, Map<Object, Color> colours) {
        if (report != null && colourBy.getValue() != null) {
            for (SweepReport.PointRow p : report.points()) {
                if (p.index() == point) {
                    Color c = colours.get(p.assignment().get(colourBy.getValue()));
                    if (c != null) {
                        return c;
                    }
                }
            }
        }
        return Charts.PALETTE[point % Charts.PALETTE.length];
    }

    static Color ramp(double t) {
        Color a = new Color(0x2F6FDE);
        Color b = new Color(0xE0712C);
        return new Color((int) (a.getRed() + t * (b.getRed() - a.getRed())),
                (int) (a.getGreen() + t * (b.getGreen() - a.getGreen())),
                (int) (a.getBlue() + t * (b.getBlue() - a.getBlue())));
    }

    static int compareValues(Object a, Object b) {
        if (a instanceof Number x && b instanceof Number y) {
            return Double.compare(x.doubleValue(), y.doubleValue());
        }
        return String.valueOf(a).compareTo(String.valueOf(b));
    }

    /** Live metrics of a running sweep: {@code p<index>:<name>} from the runner. */
    void onMetrics(List<BackgroundTask.Metric> batch) {
        boolean shown = false;
        for (BackgroundTask.Metric m : batch) {
            var pm = SweepService.parsePointMetric(m.name());
            if (pm.isPresent()) {
                addPoint(pm.get().point(), pm.get().name(), m.step(), m.value());
                shown |= pm.get().name().equals(curveMetric.getValue());
            }
        }
        if (shown) {
            redrawCurves();
        }
    }

    public Label curveNote() {
        return curveNote;
    }

    /** The overlaid series now shown (for tests). */
    public XYSeriesCollection curves() {
        return curves;
    }

    /** The defining controls, for tests and the screenshot path. */
    public TextField gridField() {
        return grid;
    }

    public TableView<SweepReport.SettingRow> table() {
        return table;
    }

    public ParallelCoordinates parallel() {
        return parallel;
    }

    /** The paper-shaped table now shown (null before a sweep is loaded), for tests. */
    public PaperTables.Table paperTable() {
        return paperTable;
    }

    /** Writes the paper-shaped table as the extension says (.md, .csv, .tex), as the Export… button does. */
    public void exportPaperTable(java.nio.file.Path file) {
        if (paperTable != null) {
            PaperTablesPane.exportTo(ctx, paperTable, file);
        }
    }

    // ---- actions ----

    private void updateButtons() {
        boolean running = job != null;
        SweepRecords.Sweep s = sweepChoice.getValue();
        start.setDisable(running);
        resume.setDisable(running || s == null || s.status().equals("done"));
        cancel.setDisable(!running && (s == null || !(s.status().equals("running") || s.status().equals("queued"))));
        boolean hasBest = report != null && report.best("val_plcc").isPresent();
        saveBest.setDisable(!hasBest);
        runBest.setDisable(!hasBest || running || pipeline == null);
    }

    /** Builds the sweep from the controls (checked by the parameter model) and runs it. */
    public void startSweep() {
        ProjectStore store = ctx.project().store();
        if (store == null || job != null) {
            return;
        }
        int n;
        try {
            n = Integer.parseInt(seeds.getText().strip());
        } catch (NumberFormatException e) {
            Dialogs.error(ctx.window(), "Invalid seeds", new IllegalArgumentException("seeds: '" + seeds.getText()
                    + "' is not a whole number"));
            return;
        }
        SweepSpec.EarlyStop es = new SweepSpec.EarlyStop(earlyStop.isSelected(), 3, 10);
        String k = kind.getValue();
        int drawCount = 0;
        String space = spaceFile.getText().strip();
        long drawSeedValue = 0;
        if (RANDOM.equals(k)) {
            try {
                drawCount = Integer.parseInt(draws.getText().strip());
            } catch (NumberFormatException e) {
                Dialogs.error(ctx.window(), "Invalid sweep", new IllegalArgumentException("N: '" + draws.getText()
                        + "' is not a whole number of draws"));
                return;
            }
            try {
                drawSeedValue = Long.parseLong(drawSeed.getText().strip());
            } catch (NumberFormatException e) {
                Dialogs.error(ctx.window(), "Invalid sweep", new IllegalArgumentException("draw seed: '"
                        + drawSeed.getText() + "' is not a whole number"));
                return;
            }
            if (space.isEmpty()) {
                Dialogs.error(ctx.window(), "Invalid sweep", new IllegalArgumentException(
                        "random search needs a space file (Space file…)"));
                return;
            }
        }
        int n0 = drawCount;
        long ds = drawSeedValue;
        String gridText = grid.getText();
        int seedCount = n;
        execute("Define sweep", c -> {
            PipelineParams b = base(store).params();
            SweepSpec spec = switch (k) {
                case TABLE4 -> SweepSpec.table4("paper Table 4", b, seedCount, es);
                // M capped at the encoder's embedding width, as `rali sweep run --preset tableA5` does
                case TABLEA5 -> SweepSpec.tableA5("paper Table A.5", b, SweepSpec.embeddingDim(store, b), seedCount,
                        es);
                case RANDOM -> random(space, b, n0, seedCount, es, ds);
                default -> SweepSpec.grid("grid " + gridText, b, gridText, seedCount, es);
            };
            return sweeps.create(store, spec);
        }, id -> {
            pointSeries.clear();
            curves.removeAllSeries();
            runQueue(id, false);
        }, e -> Dialogs.error(ctx.window(), "Invalid sweep", e));
    }

    /**
     * Random search over a space file, read and checked as {@code rali sweep run --random N --space FILE
     * --draw-seed S} does: a missing file, bad JSON, an unknown key or a bad range fails naming the file and the
     * problem.
     */
    public static SweepSpec random(String file, PipelineParams base, int n, int seeds, SweepSpec.EarlyStop es,
                                   long drawSeed)
            throws java.io.IOException {
        java.nio.file.Path path = java.nio.file.Path.of(file);
        if (!java.nio.file.Files.isRegularFile(path)) {
            throw new java.io.IOException(file + ": no such space file");
        }
        String json = java.nio.file.Files.readString(path);
        return SweepSpec.random("random " + n + " from " + path.getFileName(), base, n, json, file, drawSeed, seeds,
                es);
    }

    /** Runs (or resumes) a sweep's queue as a background task; its metrics feed the curves live. */
    void runQueue(long id, boolean resumeCancelled) {
        ProjectStore store = ctx.project().store();
        if (store == null || job != null) {
            return;
        }
        runningSweep = id;
        showPending(null);
        int asked = parallelPoints.getValue();
        parallelNote.setText("");
        BackgroundTask<SweepRunner.Summary> t = BackgroundTask.of("Sweep " + id,
                        c -> sweeps.run(store, id, asked, resumeCancelled, c))
                .onMetrics(this::onMetrics)
                .onSuccess(s -> showParallel(s.parallel(), asked))
                .onLog(line -> {
                    java.util.regex.Matcher m = AT_A_TIME.matcher(line);
                    if (m.find()) {
                        showParallel(Integer.parseInt(m.group(1)), asked);
                    }
                    if (line.contains(" done in ") || line.contains(" pruned in ") || line.contains(" failed in ")
                            || line.contains(" cancelled in ")) {
                        loadSweep(id, false); // a point finished: table, parallel coordinates and importance
                    }
                })
                .onProgress(p -> status.setText("running: " + p.text()))
                .onFailure(e -> Dialogs.error(ctx.window(), "Sweep " + id + " failed", e))
                .onCancelled(() -> status.setText("stopped — Resume continues it"));
        t.onFinished(() -> {
            job = null;
            runningSweep = null;
            reloadList();
            loadSweep(id, false);
            updateButtons();
        });
        job = t;
        updateButtons();
        status.setText("starting sweep " + id);
        ctx.tasks().execute(t);
        // show it as the selected sweep (its curves fill in as it runs)
        ctx.tasks().execute("Load sweeps", c -> sweeps.list(store), list -> {
            sweepChoice.getItems().setAll(list);
            list.stream().filter(s -> s.id() == id).findFirst().ifPresent(s -> {
                report = null;
                sweepChoice.setValue(s);
            });
        });
    }

    /**
     * One "Cancel point …" item per unfinished point (queued, running or interrupted) of the selected setting; a
     * disabled line when it has none.
     */
    private void fillPointMenu(javafx.scene.control.ContextMenu menu) {
        menu.getItems().clear();
        SweepReport.SettingRow row = table.getSelectionModel().getSelectedItem();
        List<SweepReport.PointRow> open = row == null || report == null ? List.of() : report.points().stream()
                .filter(p -> p.setting() == row.setting() && OPEN.contains(p.status())).toList();
        for (SweepReport.PointRow p : open) {
            javafx.scene.control.MenuItem item = new javafx.scene.control.MenuItem("Cancel point " + p.index()
                    + " (seed " + p.seed() + ", " + p.status() + ")");
            item.setId("cancelPoint" + p.index());
            item.setOnAction(e -> cancelPoint(report.sweep().id(), p.index()));
            menu.getItems().add(item);
        }
        if (open.isEmpty()) {
            javafx.scene.control.MenuItem none = new javafx.scene.control.MenuItem(row == null
                    ? "Select a setting to cancel its points" : "No unfinished point in setting " + row.setting());
            none.setDisable(true);
            menu.getItems().add(none);
        }
    }

    /** Point statuses that can still be cancelled. */
    static final List<String> OPEN = List.of("queued", "running", "interrupted");

    /**
     * Cancels one point through the rows (the runner, here or in another process, stops it at its next safe point if
     * it is running; a queued one is skipped); the other points run on, and it stays cancelled on resume.
     */
    public void cancelPoint(long sweepId, int point) {
        ProjectStore store = ctx.project().store();
        if (store == null) {
            return;
        }
        execute("Cancel point " + point, c -> {
            sweeps.cancel(store, sweepId, point);
            return point;
        }, p -> {
            status.setText("point " + p + " cancelled");
            loadSweep(sweepId, false);
        }, e -> Dialogs.error(ctx.window(), "Could not cancel point " + point, e));
    }

    /** The runner's log line saying how many points it runs at a time ({@code SweepRunner.allowedParallel}). */
    static final java.util.regex.Pattern AT_A_TIME = java.util.regex.Pattern.compile(
            "sweep: (\\d+) point\\(s\\) at a time");

    /** Says so when the engine ran fewer points at a time than asked (the heap allows fewer). */
    private void showParallel(int used, int asked) {
        parallelNote.setText(used < asked ? used + " at a time (asked " + asked + "; the heap allows " + used + ")"
                : "");
    }

    private void cancelSweep() {
        ProjectStore store = ctx.project().store();
        SweepRecords.Sweep s = sweepChoice.getValue();
        if (job != null) {
            job.cancel(); // this app runs it: stop at the next safe point; Resume continues
            return;
        }
        if (store != null && s != null) {
            // another process runs it (or it is queued): ask through the rows
            execute("Cancel sweep", c -> {
                sweeps.cancel(store, s.id(), null);
                return s.id();
            }, id -> reloadList(), e -> Dialogs.error(ctx.window(), "Cancel failed", e));
        }
    }

    /** Saves the best setting as the named preset; with {@code run}, then runs the pipeline with it. */
    private void saveBest(boolean run) {
        ProjectStore store = ctx.project().store();
        if (store == null || report == null) {
            return;
        }
        String name = presetName.getText().strip();
        long id = report.sweep().id();
        execute("Save preset", c -> {
            String src = sweeps.saveBestPreset(store, id, name, "val_plcc");
            return new Object[] {src, sweeps.preset(store, name)};
        }, r -> {
            bestNote.setText("preset '" + name + "' saved: " + r[0]);
            if (run && pipeline != null && job == null) {
                PipelineParams p = (PipelineParams) r[1];
                BackgroundTask<Long> t = BackgroundTask.of("Run preset " + name, c -> pipeline.run(store, "all", p, c))
                        .onProgress(x -> status.setText("preset " + name + ": " + x.text()))
                        .onSuccess(runId -> bestNote.setText("preset '" + name + "' ran as run " + runId
                                + " (see Results)"))
                        .onFailure(e -> Dialogs.error(ctx.window(), "Run of preset " + name + " failed", e));
                t.onFinished(() -> {
                    job = null;
                    updateButtons();
                    ctx.project().changed();
                });
                job = t;
                updateButtons();
                ctx.tasks().execute(t);
            }
        }, e -> Dialogs.error(ctx.window(), "Could not save the preset", e));
    }

    /** A short job with an error dialog instead of the executor's default handling. */
    private <T> void execute(String title, BackgroundTask.Work<T> work, Consumer<? super T> ok,
                             Consumer<Throwable> failed) {
        ctx.tasks().execute(BackgroundTask.of(title, work).onSuccess(ok).onFailure(failed));
    }

    // ---- parallel coordinates ----

    /**
     * One vertical axis per swept parameter and per metric (val PLCC, test PLCC, test SRCC), one polyline per
     * finished point, coloured by the colour-by parameter. Dragging along an axis brushes a range; points outside
     * every brush are greyed and their settings leave the table.
     */
    public static final class ParallelCoordinates extends Pane {
        private final Canvas canvas = new Canvas();
        private final Map<String, double[]> brushes = new LinkedHashMap<>();
        private SweepReport data;
        private String colourKey;
        private List<String> axes = List.of();
        private Consumer<Set<Integer>> onBrush = s -> { };
        private int dragAxis = -1;
        private double dragStart;

        ParallelCoordinates() {
            getChildren().add(canvas);
            setMinHeight(160);
            widthProperty().addListener((o, a, b) -> draw());
            heightProperty().addListener((o, a, b) -> draw());
            canvas.setOnMousePressed(e -> {
                dragAxis = axisAt(e.getX());
                dragStart = e.getY();
            });
            canvas.setOnMouseDragged(e -> {
                if (dragAxis >= 0) {
                    brush(axes.get(dragAxis), valueAt(dragAxis, dragStart), valueAt(dragAxis, e.getY()));
                }
            });
            canvas.setOnMouseReleased(e -> dragAxis = -1);
        }

        @Override
        protected void layoutChildren() {
            canvas.setWidth(getWidth());
            canvas.setHeight(getHeight());
            draw();
        }

        void setData(SweepReport r, String colour) {
            data = r;
            colourKey = colour;
            List<String> a = new ArrayList<>(r.keys());
            a.addAll(SweepReport.METRICS);
            if (!a.equals(axes)) {
                brushes.clear();
            }
            axes = a;
            draw();
        }

        void setColourKey(String k) {
            colourKey = k;
            draw();
        }

        void onBrush(Consumer<Set<Integer>> c) {
            onBrush = c;
        }

        public List<String> axes() {
            return axes;
        }

        /** Brushes {@code axis} to [lo, hi] (in the axis's units). */
        public void brush(String axis, double lo, double hi) {
            brushes.put(axis, new double[] {Math.min(lo, hi), Math.max(lo, hi)});
            draw();
            onBrush.accept(selectedSettings());
        }

        public void clearBrush() {
            brushes.clear();
            draw();
            onBrush.accept(selectedSettings());
        }

        /** Settings with a point inside every brush; null when nothing is brushed. */
        Set<Integer> selectedSettings() {
            if (brushes.isEmpty() || data == null) {
                return null;
            }
            Set<Integer> out = new java.util.TreeSet<>();
            for (SweepReport.PointRow p : finished()) {
                if (inside(p)) {
                    out.add(p.setting());
                }
            }
            return out;
        }

        private List<SweepReport.PointRow> finished() {
            return data == null ? List.of() : data.points().stream().filter(p -> p.status().equals("done")).toList();
        }

        private boolean inside(SweepReport.PointRow p) {
            for (var b : brushes.entrySet()) {
                double v = value(p, b.getKey());
                if (Double.isNaN(v) || v < b.getValue()[0] || v > b.getValue()[1]) {
                    return false;
                }
            }
            return true;
        }

        /** A point's value on an axis: the parameter (its rank for text values) or the metric. */
        private double value(SweepReport.PointRow p, String axis) {
            if (SweepReport.METRICS.contains(axis)) {
                Double d = p.metric(axis);
                return d == null ? Double.NaN : d;
            }
            Object v = p.assignment().get(axis);
            if (v instanceof Number n) {
                return n.doubleValue();
            }
            List<Object> cats = categories(axis);
            return cats.indexOf(v);
        }

        private List<Object> categories(String axis) {
            return data.points().stream().map(p -> p.assignment().get(axis)).distinct()
                    .sorted(SweepsView::compareValues).toList();
        }

        private double[] range(String axis) {
            double lo = Double.POSITIVE_INFINITY;
            double hi = Double.NEGATIVE_INFINITY;
            for (SweepReport.PointRow p : finished()) {
                double v = value(p, axis);
                if (!Double.isNaN(v)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
            if (!(hi > lo)) {
                return new double[] {Double.isFinite(lo) ? lo - 0.5 : 0, Double.isFinite(hi) ? hi + 0.5 : 1};
            }
            double pad = (hi - lo) * 0.05;
            return new double[] {lo - pad, hi + pad};
        }

        private static final double TOP = 40;
        private static final double BOTTOM = 30;
        private static final double SIDE = 50;

        private double axisX(int i) {
            return axes.size() < 2 ? getWidth() / 2 : SIDE + i * (getWidth() - 2 * SIDE) / (axes.size() - 1);
        }

        private int axisAt(double x) {
            for (int i = 0; i < axes.size(); i++) {
                if (Math.abs(axisX(i) - x) < 14) {
                    return i;
                }
            }
            return -1;
        }

        private double y(String axis, double v) {
            double[] r = range(axis);
            return TOP + (1 - (v - r[0]) / (r[1] - r[0])) * (getHeight() - TOP - BOTTOM);
        }

        private double valueAt(int axis, double y) {
            double[] r = range(axes.get(axis));
            return r[0] + (1 - (y - TOP) / (getHeight() - TOP - BOTTOM)) * (r[1] - r[0]);
        }

        void draw() {
            GraphicsContext g = canvas.getGraphicsContext2D();
            double w = getWidth();
            double h = getHeight();
            g.setFill(javafx.scene.paint.Color.WHITE);
            g.fillRect(0, 0, w, h);
            g.setFont(Font.font(11));
            if (data == null || finished().isEmpty()) {
                g.setFill(javafx.scene.paint.Color.GRAY);
                g.fillText("Finished points appear here: one line per point across its parameters and metrics.",
                        12, h / 2);
                return;
            }
            List<Object> colourValues = colourKey == null ? List.of() : categories(colourKey);
            for (SweepReport.PointRow p : finished()) {
                boolean in = brushes.isEmpty() || inside(p);
                javafx.scene.paint.Color c = javafx.scene.paint.Color.LIGHTGRAY;
                if (in) {
                    int i = colourKey == null ? 0 : colourValues.indexOf(p.assignment().get(colourKey));
                    Color awt = ramp(colourValues.size() <= 1 ? 0 : Math.max(0, i) / (double) (colourValues.size() - 1));
                    c = javafx.scene.paint.Color.rgb(awt.getRed(), awt.getGreen(), awt.getBlue(), 0.85);
                }
                g.setStroke(c);
                g.setLineWidth(in ? 1.6 : 1);
                g.beginPath();
                boolean first = true;
                for (int a = 0; a < axes.size(); a++) {
                    double v = value(p, axes.get(a));
                    if (Double.isNaN(v)) {
                        first = true;
                        continue;
                    }
                    if (first) {
                        g.moveTo(axisX(a), y(axes.get(a), v));
                        first = false;
                    } else {
                        g.lineTo(axisX(a), y(axes.get(a), v));
                    }
                }
                g.stroke();
            }
            for (int a = 0; a < axes.size(); a++) {
                String axis = axes.get(a);
                double x = axisX(a);
                g.setStroke(javafx.scene.paint.Color.web("#555555"));
                g.setLineWidth(1);
                g.strokeLine(x, TOP, x, h - BOTTOM);
                double[] b = brushes.get(axis);
                if (b != null) {
                    g.setFill(javafx.scene.paint.Color.rgb(47, 111, 222, 0.25));
                    double y1 = y(axis, b[1]);
                    double y2 = y(axis, b[0]);
                    g.fillRect(x - 7, y1, 14, y2 - y1);
                }
                g.setFill(javafx.scene.paint.Color.BLACK);
                String name = SweepReport.METRICS.contains(axis) ? label(axis) : shortName(axis);
                // neighbouring names alternate between two rows so long keys do not overlap
                g.fillText(name, Math.max(2, Math.min(w - 7 * name.length(), x - 3.2 * name.length())),
                        a % 2 == 0 ? TOP - 22 : TOP - 8);
                double[] r = range(axis);
                boolean text = !SweepReport.METRICS.contains(axis) && !finished().isEmpty()
                        && !(finished().get(0).assignment().get(axis) instanceof Number);
                g.setFill(javafx.scene.paint.Color.web("#444444"));
                if (text) {
                    List<Object> cats = categories(axis);
                    for (int i = 0; i < cats.size(); i++) {
                        g.fillText(valueText(cats.get(i)), x + 4, y(axis, i) + 4);
                    }
                } else {
                    g.fillText(fmt(r[1]), x + 4, TOP + 4);
                    g.fillText(fmt(r[0]), x + 4, h - BOTTOM + 4);
                }
            }
        }

        private static String shortName(String key) {
            return key.length() > 22 ? key.substring(key.indexOf('.') + 1) : key;
        }

        private static String fmt(double v) {
            return Math.abs(v) >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.3g", v);
        }
    }
}
