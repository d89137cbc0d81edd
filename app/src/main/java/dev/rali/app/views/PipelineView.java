package dev.rali.app.views;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rali.app.AppContext;
import dev.rali.app.AppFeature;
import dev.rali.app.Dialogs;
import dev.rali.engine.params.ParamKey;
import dev.rali.engine.params.ParamKeys;
import dev.rali.engine.params.PipelineParams;
import dev.rali.engine.pipeline.PipelineService;
import dev.rali.engine.project.ProjectQueries;
import dev.rali.engine.project.Runs.RunItem;
import dev.rali.engine.task.BackgroundTask;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.geometry.Insets;
import javafx.geometry.Orientation;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Control;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.SelectionMode;
import javafx.scene.control.SplitPane;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.control.TitledPane;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import org.jfree.chart.fx.ChartViewer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Pipeline: the stages with a progress bar each, a parameter form generated from {@link ParamKeys} (defaults, types,
 * ranges; help texts as tooltips), Run/Cancel, a live metric plot fed in batches from the job's TaskContext, the log, and the
 * table of past runs with a two-run comparison.
 */
public final class PipelineView implements AppView {
    public static final String TITLE = "Pipeline";

    /** Registers this view in the navigation (META-INF/services/dev.rali.app.AppFeature). */
    public static final class Feature implements AppFeature {
        @Override
        public String id() {
            return "pipeline";
        }

        @Override
        public String title() {
            return TITLE;
        }

        @Override
        public int order() {
            return 40;
        }

        /** The RALI stages. */
        @Override
        public Set<Class<?>> services() {
            return Set.of(PipelineService.class);
        }

        @Override
        public AppView createView(AppContext ctx) {
            return new PipelineView(ctx);
        }
    }

    static final int LOG_LINES = 2000;
    static final ObjectMapper JSON = new ObjectMapper();

    private final AppContext ctx;
    private final PipelineService pipeline;
    private final StackPane root = new StackPane();
    private final ListView<String> stages = new ListView<>();
    private final Map<String, SimpleDoubleProperty> stageProgress = new HashMap<>();
    private final ComboBox<String> target = new ComboBox<>();
    private final Button run = new Button("Run");
    private final Button cancel = new Button("Cancel");
    private final ProgressBar progress = new ProgressBar(0);
    private final Label status = new Label();
    private final VBox form = new VBox(6);
    private final Map<ParamKey<?>, Control> fields = new LinkedHashMap<>();
    private final XYSeriesCollection metrics = new XYSeriesCollection();
    private final ChartViewer plot = new ChartViewer(Charts.lines("Live metrics", "step", "value", metrics));
    private final TextArea log = new TextArea();
    private final TableView<RunItem> runs = new TableView<>();
    private BackgroundTask<Long> job;

    public PipelineView(AppContext ctx) {
        this.ctx = ctx;
        this.pipeline = ctx.services().get(PipelineService.class);
        if (pipeline == null) {
            root.getChildren().add(Ui.emptyState("Pipeline not available",
                    "This build has no pipeline service wired in. Run the stages from the command line "
                            + "instead (`./rali --help` lists the commands)."));
            return;
        }
        List<String> names = pipeline.stages();
        stages.setId("stageList");
        stages.getItems().setAll(names);
        stages.setCellFactory(l -> new StageCell());
        stages.setPrefWidth(190);
        names.forEach(n -> stageProgress.put(n, new SimpleDoubleProperty(0)));
        target.setId("stageChoice");
        target.getItems().add("all");
        target.getItems().addAll(names);
        target.getSelectionModel().select(0);
        stages.getSelectionModel().selectedItemProperty().addListener((o, a, s) -> {
            if (s != null) {
                target.setValue(s);
            }
        });
        run.setId("runStage");
        run.setDefaultButton(true);
        run.setOnAction(e -> runStage());
        Ui.cancelButton(cancel, "cancelStage", () -> job);
        progress.setPrefWidth(220);
        progress.setId("runProgress");
        status.setId("runStatus");
        Button reset = new Button("Reset to paper defaults");
        reset.setOnAction(e -> buildForm(PipelineParams.defaults()));
        HBox bar = new HBox(8, new Label("Stage"), target, run, cancel, progress, status);
        bar.setAlignment(Pos.CENTER_LEFT);

        buildForm(PipelineParams.defaults());
        ScrollPane formScroll = new ScrollPane(new VBox(8, Ui.heading("Parameters"), form, reset));
        formScroll.setFitToWidth(true);
        formScroll.setPadding(new Insets(4));

        plot.setId("metricPlot");
        log.setId("runLog");
        log.setEditable(false);
        log.getStyleClass().add("log");
        SplitPane plotLog = new SplitPane(plot, log);
        plotLog.setOrientation(Orientation.VERTICAL);
        plotLog.setDividerPositions(0.62);
        SplitPane upper = new SplitPane(stages, formScroll, plotLog);
        upper.setDividerPositions(0.16, 0.48);

        runs.setId("runTable");
        runs.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY);
        runs.setPlaceholder(new Label("No runs yet. Choose a stage and press Run."));
        runs.getSelectionModel().setSelectionMode(SelectionMode.MULTIPLE);
        runs.getColumns().add(col("Run", r -> r.id(), 50));
        runs.getColumns().add(col("Stage", RunItem::stage, 110));
        runs.getColumns().add(col("Status", RunItem::status, 80));
        runs.getColumns().add(col("Started", RunItem::startedAt, 170));
        runs.getColumns().add(col("Ended", r -> r.endedAt() == null ? "" : r.endedAt(), 170));
        runs.getColumns().add(col("Params", r -> abbreviate(r.paramsJson(), 80), 320));
        runs.getColumns().add(col("Message", r -> r.message() == null ? "" : r.message(), 220));
        runs.setOnMouseClicked(e -> {
            if (e.getClickCount() == 2 && runs.getSelectionModel().getSelectedItem() != null) {
                showRunMetrics(runs.getSelectionModel().getSelectedItem());
            }
        });
        Button compare = new Button("Compare selected runs");
        compare.setId("compareRuns");
        compare.disableProperty().bind(javafx.beans.binding.Bindings.size(runs.getSelectionModel().getSelectedItems())
                .isNotEqualTo(2));
        compare.setOnAction(e -> {
            List<RunItem> sel = List.copyOf(runs.getSelectionModel().getSelectedItems());
            RunCompareDialog.open(ctx, sel.get(0), sel.get(1));
        });
        HBox runsBar = new HBox(8, Ui.heading("Past runs"), compare,
                Ui.hint("double-click a run to plot its metrics; select two to compare"));
        runsBar.setAlignment(Pos.CENTER_LEFT);
        VBox lower = new VBox(6, runsBar, runs);
        VBox.setVgrow(runs, Priority.ALWAYS);

        SplitPane main = new SplitPane(upper, lower);
        main.setOrientation(Orientation.VERTICAL);
        main.setDividerPositions(0.66);
        BorderPane content = Ui.withBar(new BorderPane(main), bar);
        Ui.emptyUnless(root, content, ctx.project().queriesProperty().isNotNull(),
                "No project open", "Open a project with datasets to run the pipeline.");
        ctx.project().revisionProperty().addListener((o, a, b) -> reloadRuns());
        reloadRuns();
    }

    private final class StageCell extends ListCell<String> {
        private final Label name = new Label();
        private final ProgressBar bar = new ProgressBar(0);
        private final VBox box = new VBox(2, name, bar);

        StageCell() {
            bar.setMaxWidth(Double.MAX_VALUE);
            bar.setPrefHeight(8);
            bar.getStyleClass().add("stage-progress");
        }

        @Override
        protected void updateItem(String s, boolean empty) {
            super.updateItem(s, empty);
            bar.progressProperty().unbind();
            if (empty || s == null) {
                setGraphic(null);
                return;
            }
            name.setText(s);
            bar.progressProperty().bind(stageProgress.get(s));
            setGraphic(box);
        }
    }

    /**
     * Builds one titled section per parameter section and one field per {@link ParamKeys} key: a check box for
     * true/false, a choice box for a fixed set of values, a text field otherwise; the tooltip is the key's help,
     * type, range and the paper's value.
     */
    private void buildForm(PipelineParams values) {
        form.getChildren().clear();
        fields.clear();
        for (String section : ParamKeys.SECTIONS) {
            GridPane g = new GridPane();
            g.setHgap(8);
            g.setVgap(4);
            int row = 0;
            for (ParamKey<?> k : ParamKeys.section(section)) {
                Control c = field(k, values.get(k));
                c.setId("param-" + k.name().replace('.', '-'));
                String tip = tooltip(k);
                Ui.tip(c, tip);
                Label l = new Label(k.leaf());
                Ui.tip(l, tip);
                g.addRow(row++, l, c);
                fields.put(k, c);
            }
            TitledPane tp = new TitledPane(section, g);
            tp.setExpanded(true);
            form.getChildren().add(tp);
        }
    }

    static String tooltip(ParamKey<?> k) {
        return k.help() + "\n\n" + k.describeType() + "; default " + k.format(k.defaultValue()) + "; paper: "
                + k.paperValue();
    }

    private static Control field(ParamKey<?> k, Object value) {
        if (k.type() == ParamKey.Type.BOOLEAN) {
            CheckBox cb = new CheckBox();
            cb.setSelected((Boolean) value);
            return cb;
        }
        if (k.type() == ParamKey.Type.CHOICE) {
            ComboBox<String> cb = new ComboBox<>();
            cb.getItems().setAll(k.choices());
            cb.setValue(k.format(value));
            return cb;
        }
        TextField t = new TextField(k.format(value));
        t.setPrefColumnCount(14);
        return t;
    }

    /**
     * The form's values as parameters; each field is parsed and range-checked by its {@link ParamKey}, and the
     * first bad one is marked and reported with the key's name.
     */
    public PipelineParams params() {
        PipelineParams out = PipelineParams.defaults();
        for (Map.Entry<ParamKey<?>, Control> e : fields.entrySet()) {
            Control c = e.getValue();
            c.getStyleClass().remove("invalid");
            String text = c instanceof CheckBox cb ? Boolean.toString(cb.isSelected())
                    : c instanceof ComboBox<?> cb ? String.valueOf(cb.getValue()) : ((TextField) c).getText();
            try {
                out = out.with(e.getKey().name(), text);
            } catch (IllegalArgumentException ex) {
                c.getStyleClass().add("invalid");
                throw ex;
            }
        }
        return out.validate();
    }

    /** Starts the chosen stage with the form's parameters. */
    public void runStage() {
        var store = ctx.project().store();
        if (store == null || job != null) {
            return;
        }
        PipelineParams params;
        try {
            params = params();
        } catch (IllegalArgumentException e) {
            Dialogs.error(ctx.window(), "Invalid parameter", e);
            return;
        }
        String stage = target.getValue();
        // Taken before anything starts, so a project another process (a `rali run`, say) is writing to shows who
        // holds it instead of starting a run that would fail; released when the job ends.
        dev.rali.engine.project.ProjectStore.Hold hold;
        try {
            hold = store.holdWriterLock("app: run " + stage);
        } catch (java.io.IOException e) {
            Dialogs.error(ctx.window(), "Project is busy", e);
            return;
        }
        metrics.removeAllSeries();
        log.clear();
        stageProgress.values().forEach(p -> p.set(0));
        run.setDisable(true);
        cancel.setDisable(false);
        appendLog("run " + stage + " " + params);
        job = BackgroundTask.of("Run " + stage, c -> pipeline.run(store, stage, params, c))
                .onLog(this::appendLog)
                .onMetrics(this::addMetrics)
                .onProgress(p -> {
                    progress.setProgress(p.fraction());
                    status.setText(p.text());
                    SimpleDoubleProperty sp = stageProgress.get(p.phase());
                    if (sp == null) {
                        sp = stageProgress.get(stage);
                    }
                    if (sp != null && p.total() > 0) {
                        sp.set((double) p.done() / p.total());
                    }
                })
                .onSuccess(id -> {
                    appendLog("run " + id + " finished");
                    if (!"all".equals(stage)) {
                        stageProgress.get(stage).set(1);
                    }
                })
                .onFailure(e -> {
                    appendLog("failed: " + Dialogs.message(e));
                    Dialogs.error(ctx.window(), "Stage " + stage + " failed", e);
                })
                .onCancelled(() -> appendLog("cancelled — run again to resume from the last checkpoint"));
        BackgroundTask<Long> started = job;
        job.onFinished(() -> {
            status.setText(started.state().toString().toLowerCase(java.util.Locale.ROOT));
            run.setDisable(false);
            cancel.setDisable(true);
            job = null;
            try {
                hold.close();
            } catch (java.io.IOException e) {
                appendLog("could not release the project lock: " + e.getMessage());
            }
            ctx.project().changed();
        });
        progress.setProgress(-1);
        status.setText("starting");
        ctx.tasks().execute(job);
    }

    /** Adds a batch of points and redraws once per touched series, not once per point. */
    void addMetrics(List<BackgroundTask.Metric> batch) {
        java.util.Set<XYSeries> touched = new java.util.LinkedHashSet<>();
        for (BackgroundTask.Metric m : batch) {
            XYSeries s;
            int i = metrics.getSeriesIndex(m.name());
            if (i < 0) {
                s = new XYSeries(m.name(), false, true);
                metrics.addSeries(s);
            } else {
                s = metrics.getSeries(i);
            }
            s.add(m.step(), m.value(), false);
            touched.add(s);
        }
        touched.forEach(XYSeries::fireSeriesChanged);
    }

    public XYSeriesCollection metrics() {
        return metrics;
    }

    private void appendLog(String line) {
        log.appendText(line + "\n");
        if (log.getParagraphs().size() > LOG_LINES) {
            String t = log.getText();
            log.setText(t.substring(t.indexOf('\n', t.length() / 4) + 1));
            log.positionCaret(log.getLength());
        }
    }

    private void showRunMetrics(RunItem r) {
        ProjectQueries q = ctx.project().queries();
        ctx.tasks().execute("Load metrics", c -> q.runs().metrics(r.id()), m -> {
            metrics.removeAllSeries();
            m.forEach((name, pts) -> {
                XYSeries s = new XYSeries("run " + r.id() + ": " + name, false, true);
                pts.forEach(p -> s.add(p.step(), p.value(), false));
                metrics.addSeries(s);
            });
            if (m.isEmpty()) {
                appendLog("run " + r.id() + " recorded no metrics");
            }
        });
    }

    private void reloadRuns() {
        ProjectQueries q = ctx.project().queries();
        if (q == null) {
            runs.getItems().clear();
            return;
        }
        ctx.tasks().execute("Load runs", c -> q.runs().list(), list -> runs.getItems().setAll(list));
    }

    public TableView<RunItem> runs() {
        return runs;
    }

    static String abbreviate(String s, int n) {
        if (s == null) {
            return "";
        }
        return s.length() <= n ? s : s.substring(0, n - 1) + "…";
    }

    /**
     * Flattens a run's recorded parameters to dotted keys (for the parameter diff). Pipeline parameters are read
     * through {@link PipelineParams}, so runs of older versions show today's key names; anything else is
     * flattened as it is.
     */
    static Map<String, String> flatten(String json) {
        Map<String, String> out = new LinkedHashMap<>();
        try {
            PipelineParams p = PipelineParams.fromJson(json == null ? "{}" : json);
            p.flat().forEach((k, v) -> out.put(k, ParamKeys.get(k).format(v)));
            return out;
        } catch (IllegalArgumentException notPipelineParams) {
            // e.g. a run recorded by another tool: show it as it is
        }
        try {
            flatten("", JSON.readTree(json == null ? "{}" : json), out);
        } catch (Exception e) {
            out.put("(unparsable params)", json);
        }
        return out;
    }

    private static void flatten(String prefix, JsonNode n, Map<String, String> out) {
        if (n.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                var e = it.next();
                flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), out);
            }
        } else {
            out.put(prefix, n.isTextual() ? n.textValue() : n.toString());
        }
    }

    private static <T> TableColumn<RunItem, T> col(String title, Function<RunItem, T> f, double width) {
        return Ui.column(title, f, width);
    }

    static List<String> keys(Map<String, String> a, Map<String, String> b) {
        List<String> k = new ArrayList<>(a.keySet());
        b.keySet().stream().filter(x -> !a.containsKey(x)).forEach(k::add);
        return k;
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
