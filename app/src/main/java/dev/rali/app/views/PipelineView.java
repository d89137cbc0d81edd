package dev.rali.app.views;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rali.app.AppContext;
import dev.rali.app.ViewFeature;
import dev.rali.app.Dialogs;
import dev.rali.app.BundleExportAction;
import dev.rali.engine.dataset.DatasetSummary;
import dev.rali.engine.dataset.Datasets;
import dev.rali.engine.project.Runs.MetricPoint;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiFunction;
import javafx.animation.Animation;
import javafx.animation.KeyFrame;
import javafx.animation.Timeline;
import javafx.beans.binding.Bindings;
import javafx.scene.control.CheckMenuItem;
import javafx.scene.control.ContextMenu;
import javafx.scene.control.MenuButton;
import javafx.scene.control.MenuItem;
import javafx.scene.control.cell.TextFieldTableCell;
import javafx.scene.layout.Region;
import javafx.stage.DirectoryChooser;
import javafx.stage.FileChooser;
import javafx.util.Duration;
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

/**
 * Pipeline: the stages with a progress bar each, a parameter form generated from {@link ParamKeys} (seeded from the
 * project's newest full run — not an ablation or sweep point — or any chosen run, settings that differ from the paper in bold; help texts as tooltips; a
 * folder picker for the base encoder, dataset menus), Run/Cancel with an optional run name and tags, the metric plots
 * ({@link MetricPlots}: one panel per metric group, live from the job's TaskContext or read back from the project),
 * the log, and the table of past runs (name, tags, ablation, parent) with comparison and bundle export. The project
 * file is polled cheaply so runs written by another process (a {@code rali run}) show up and plot as they go.
 */
public final class PipelineView implements AppView {
    public static final String TITLE = "Pipeline";

    /** Registers this view in the navigation (META-INF/services/dev.rali.app.AppFeature). */
    public static final class Feature extends ViewFeature {
        public Feature() {
            // the RALI stages.
            super("pipeline", TITLE, 40, PipelineView::new, PipelineService.class);
        }
    }

    static final int LOG_LINES = 2000;
    static final ObjectMapper JSON = new ObjectMapper();
    /** How often the project is checked for writes by other processes (one PRAGMA, off the FX thread). */
    static final Duration POLL = Duration.millis(1000);
    /** The label of the GUI's own run in the plots while its id is not known yet. */
    public static final String LIVE = "this run";

    /** Test seam for the folder and save choosers (kind, initial folder → chosen path or null). */
    private static volatile BiFunction<String, Path, Path> headlessChooser;

    /** Tests answer the choosers here instead of a native dialog; null restores the dialogs. */
    public static void headlessChooserForTests(BiFunction<String, Path, Path> chooser) {
        headlessChooser = chooser;
    }

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
    private final TextField runName = new TextField();
    private final TextField runTags = new TextField();
    private final VBox form = new VBox(6);
    private final Label formSource = new Label();
    private final Map<ParamKey<?>, Control> fields = new LinkedHashMap<>();
    private final Map<ParamKey<?>, Label> fieldLabels = new LinkedHashMap<>();
    private final List<String> datasetNames = new ArrayList<>();
    private final MetricPlots plots = new MetricPlots("No metrics yet",
            "Run a stage, or double-click a past run: its losses and validation correlations appear here, one panel "
                    + "per kind, each with its own step unit.");
    private final TextArea log = new TextArea();
    private final TableView<RunItem> runs = new TableView<>();
    private final Timeline poll = new Timeline();
    private BackgroundTask<Long> job;
    /** Runs read back from the project into the plots; they follow new points while they run. */
    private final Set<Long> shownRuns = new LinkedHashSet<>();
    /** The project whose runs seeded the form (the form is seeded once per opened project). */
    private ProjectQueries seededFor;
    private long seenVersion = Long.MIN_VALUE;
    private volatile boolean polling;

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
        // four short rows above the form, so the plots keep the width
        stages.setFixedCellSize(30);
        stages.prefHeightProperty().bind(Bindings.size(stages.getItems()).multiply(30).add(4));
        stages.setMinHeight(Region.USE_PREF_SIZE);
        names.forEach(n -> stageProgress.put(n, new SimpleDoubleProperty(0)));
        target.setId("stageChoice");
        target.getItems().add("all");
        target.getItems().addAll(names);
        target.getSelectionModel().select(0);
        target.setMinWidth(Region.USE_PREF_SIZE);
        stages.getSelectionModel().selectedItemProperty().addListener((o, a, s) -> {
            if (s != null) {
                target.setValue(s);
            }
        });
        run.setId("runStage");
        run.setDefaultButton(true);
        run.setOnAction(e -> runStage());
        Ui.cancelButton(cancel, "cancelStage", () -> job);
        for (Button b : List.of(run, cancel)) {
            b.setMinWidth(Region.USE_PREF_SIZE);
        }
        progress.setPrefWidth(200);
        progress.setMinWidth(80);
        progress.setId("runProgress");
        status.setId("runStatus");
        status.setMinWidth(60);
        runName.setId("runName");
        runName.setPromptText("run name");
        runName.setPrefColumnCount(9);
        Ui.tip(runName, "Optional name for the run this starts (shown in Past runs, comparisons and plots)");
        runTags.setId("runTags");
        runTags.setPromptText("tags");
        runTags.setPrefColumnCount(8);
        Ui.tip(runTags, "Optional tags for the run this starts, comma-separated");
        Label stageLabel = new Label("Stage");
        stageLabel.setMinWidth(Region.USE_PREF_SIZE);
        // the status takes the bar's spare width (a long phase such as "all: score_definition/val_plcc 0.41" was cut
        // at 1024 wide), and its tooltip holds the whole text when it still does not fit
        HBox bar = new HBox(8, stageLabel, target, run, cancel, progress, status, runName, runTags);
        HBox.setHgrow(status, Priority.ALWAYS);
        status.setMaxWidth(Double.MAX_VALUE);
        javafx.scene.control.Tooltip statusTip = new javafx.scene.control.Tooltip();
        statusTip.textProperty().bind(status.textProperty());
        status.setTooltip(statusTip);
        bar.setAlignment(Pos.CENTER_LEFT);
        Ui.noCollapse(bar);

        Button reset = new Button("Paper defaults");
        reset.setId("resetParams");
        Ui.tip(reset, "Fill the form with the paper's settings (the defaults).");
        reset.setOnAction(e -> buildForm(PipelineParams.defaults(), null));
        Button fromRun = new Button("From selected run");
        fromRun.setId("paramsFromRun");
        Ui.tip(fromRun, "Fill the form with the parameters the selected past run used.");
        fromRun.disableProperty().bind(runs.getSelectionModel().selectedItemProperty().isNull());
        fromRun.setOnAction(e -> loadParams(runs.getSelectionModel().getSelectedItem()));
        formSource.setId("formSource");
        formSource.getStyleClass().add("hint");
        formSource.setWrapText(true);
        // wraps in a narrow form column instead of cutting the button texts (LayoutFxTest, 1024 x 700)
        javafx.scene.layout.FlowPane formButtons = Ui.noCollapse(new javafx.scene.layout.FlowPane(6, 6, fromRun, reset));
        buildForm(PipelineParams.defaults(), null);
        ScrollPane formScroll = new ScrollPane(new VBox(6, Ui.heading("Parameters"), formSource, formButtons, form));
        formScroll.setFitToWidth(true);
        formScroll.setPadding(new Insets(4));
        VBox left = new VBox(6, stages, formScroll);
        VBox.setVgrow(formScroll, Priority.ALWAYS);
        left.setMinWidth(240);
        left.setPrefWidth(330);
        left.setMaxWidth(480);

        log.setId("runLog");
        log.setEditable(false);
        log.setWrapText(true);
        log.getStyleClass().add("log");
        log.setMinHeight(40);
        SplitPane plotLog = new SplitPane(plots.node(), log);
        plotLog.setOrientation(Orientation.VERTICAL);
        plotLog.setDividerPositions(0.8);
        SplitPane upper = new SplitPane(left, plotLog);
        upper.setDividerPositions(0.25);
        SplitPane.setResizableWithParent(left, false);

        buildRunTable();
        Button compare = new Button("Compare selected");
        compare.setId("compareRuns");
        compare.setMinWidth(Region.USE_PREF_SIZE);
        compare.disableProperty().bind(Bindings.size(runs.getSelectionModel().getSelectedItems()).lessThan(2));
        compare.setOnAction(e -> RunCompareDialog.open(ctx, List.copyOf(runs.getSelectionModel().getSelectedItems())));
        Button export = new Button("Export bundle…");
        export.setId("exportBundle");
        export.setMinWidth(Region.USE_PREF_SIZE);
        Ui.tip(export, "Export the selected finished run (encoder + head) as a model bundle for `rali score` and "
                + "the Score view.");
        export.disableProperty().bind(Bindings.size(runs.getSelectionModel().getSelectedItems()).isNotEqualTo(1)
                .or(Bindings.createBooleanBinding(() -> !ctx.services().has(BundleExportAction.class))));
        export.setOnAction(e -> exportBundle(runs.getSelectionModel().getSelectedItem()));
        Label runsHint = Ui.hint("double-click: plot its metrics · select several: compare · Name and Tags: "
                + "double-click the cell to edit");
        runsHint.setWrapText(false);
        runsHint.setMinWidth(0);
        Label heading = Ui.heading("Past runs");
        heading.setMinWidth(Region.USE_PREF_SIZE);
        HBox runsBar = new HBox(8, heading, compare, export, runsHint);
        runsBar.setAlignment(Pos.CENTER_LEFT);
        // the buttons keep their text; the hint wraps onto a second line when the window is narrow
        compare.setMinWidth(Region.USE_PREF_SIZE);
        export.setMinWidth(Region.USE_PREF_SIZE);
        runsHint.setWrapText(true);
        runsHint.setMinWidth(0);
        runsHint.setMinHeight(Region.USE_PREF_SIZE);
        HBox.setHgrow(runsHint, Priority.ALWAYS);
        VBox lower = new VBox(6, runsBar, runs);
        VBox.setVgrow(runs, Priority.ALWAYS);

        SplitPane main = new SplitPane(upper, lower);
        main.setOrientation(Orientation.VERTICAL);
        main.setDividerPositions(0.68);
        BorderPane content = Ui.withBar(new BorderPane(main), bar);
        Ui.emptyUnless(root, content, ctx.project().queriesProperty().isNotNull(),
                "No project open", "Open a project with datasets to run the pipeline.");
        ctx.project().revisionProperty().addListener((o, a, b) -> reloadRuns());
        ctx.project().queriesProperty().addListener((o, a, b) -> projectChanged());
        poll.getKeyFrames().add(new KeyFrame(POLL, e -> pollProject()));
        poll.setCycleCount(Animation.INDEFINITE);
        poll.play();
        projectChanged();
    }

    private void buildRunTable() {
        runs.setId("runTable");
        runs.setEditable(true);
        runs.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY);
        runs.setPlaceholder(new Label("No runs yet. Choose a stage and press Run."));
        runs.getSelectionModel().setSelectionMode(SelectionMode.MULTIPLE);
        runs.getColumns().add(col("Run", r -> r.id(), 50));
        TableColumn<RunItem, String> name = col("Name", r -> r.name() == null ? "" : r.name(), 120);
        name.setId("runNameColumn");
        name.setCellFactory(TextFieldTableCell.forTableColumn());
        name.setOnEditCommit(e -> label(e.getRowValue(), e.getNewValue(), e.getRowValue().tags()));
        name.setEditable(true);
        runs.getColumns().add(name);
        TableColumn<RunItem, String> tags = col("Tags", r -> String.join(", ", r.tags()), 110);
        tags.setCellFactory(TextFieldTableCell.forTableColumn());
        tags.setOnEditCommit(e -> label(e.getRowValue(), e.getRowValue().name(), splitTags(e.getNewValue())));
        tags.setEditable(true);
        runs.getColumns().add(tags);
        runs.getColumns().add(col("Stage", RunItem::stage, 75));
        runs.getColumns().add(col("Ablation", PipelineView::ablation, 140));
        runs.getColumns().add(col("Status", RunItem::status, 80));
        // a resumed run links the run it resumed; a sweep's run names its sweep and point (Sweeps view)
        runs.getColumns().add(col("Parent", r -> r.parentRun() != null ? "↳ run " + r.parentRun()
                : sweepOf.getOrDefault(r.id(), ""), 120));
        runs.getColumns().add(col("Started (UTC)", r -> time(r.startedAt()), 135));
        runs.getColumns().add(col("Ended (UTC)", r -> time(r.endedAt()), 135));
        runs.getColumns().add(col("Message", r -> r.message() == null ? "" : r.message(), 300));
        // never squeezed to "…" at 1024 wide (the table scrolls sideways instead); name, tags, message may shrink
        for (TableColumn<RunItem, ?> c : runs.getColumns()) {
            c.setMinWidth(List.of("Name", "Tags", "Message").contains(c.getText()) ? 60 : c.getPrefWidth());
        }
        runs.getColumns().forEach(c -> {
            if (c != name && c != tags) {
                c.setEditable(false);
            }
        });
        runs.setOnMouseClicked(e -> {
            RunItem r = runs.getSelectionModel().getSelectedItem();
            if (e.getClickCount() == 2 && r != null && !(e.getTarget() instanceof javafx.scene.control.TextField)) {
                showRuns(List.of(r));
            }
        });
        MenuItem plot = new MenuItem("Plot metrics");
        plot.setOnAction(e -> showRuns(List.copyOf(runs.getSelectionModel().getSelectedItems())));
        MenuItem load = new MenuItem("Load parameters into the form");
        load.setOnAction(e -> loadParams(runs.getSelectionModel().getSelectedItem()));
        MenuItem export = new MenuItem("Export bundle…");
        export.setOnAction(e -> exportBundle(runs.getSelectionModel().getSelectedItem()));
        runs.setContextMenu(new ContextMenu(plot, load, export));
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

    /** A new project: clear what belonged to the old one, seed the form from its runs, plot a run in progress. */
    private void projectChanged() {
        shownRuns.clear();
        plots.clear();
        seenVersion = Long.MIN_VALUE;
        if (job == null) { // a job of the old project keeps reporting until it ends (closing asks to cancel it)
            log.clear();
            status.setText("");
            progress.setProgress(0);
            stageProgress.values().forEach(p -> p.set(0));
            buildForm(PipelineParams.defaults(), null);
        }
        ProjectQueries q = ctx.project().queries();
        if (q == null) {
            runs.getItems().clear();
            datasetNames.clear();
            return;
        }
        ctx.tasks().execute("Load datasets", c -> Datasets.list(q.store()).stream().map(DatasetSummary::name).toList(), list -> {
            if (q == ctx.project().queries()) {
                datasetNames.clear();
                datasetNames.addAll(list);
            }
        });
        reloadRuns();
    }

    /**
     * Builds one titled section per parameter section and one field per {@link ParamKeys} key: a check box for
     * true/false, a choice box for a fixed set of values, a text field otherwise (with a folder picker for the
     * base encoder and a dataset menu for the dataset keys); the tooltip is the key's help, type, range and the
     * paper's value. {@code from}: the run the values come from, null for the paper's defaults.
     */
    private void buildForm(PipelineParams values, RunItem from) {
        form.getChildren().clear();
        fields.clear();
        fieldLabels.clear();
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
                l.setId("label-" + k.name().replace('.', '-'));
                l.setMinWidth(Region.USE_PREF_SIZE);
                Ui.tip(l, tip);
                g.addRow(row++, l, withPicker(k, c));
                fields.put(k, c);
                fieldLabels.put(k, l);
                onEdit(c, this::highlightChanges);
            }
            TitledPane tp = new TitledPane(section, g);
            tp.setExpanded(true);
            form.getChildren().add(tp);
        }
        formOrigin = from == null ? "Paper defaults" : "From " + from.label() + " (" + from.stage() + ", "
                + from.status() + ")";
        highlightChanges();
    }

    private String formOrigin = "";

    private static void onEdit(Control c, Runnable r) {
        if (c instanceof CheckBox cb) {
            cb.selectedProperty().addListener((o, a, b) -> r.run());
        } else if (c instanceof ComboBox<?> cb) {
            cb.valueProperty().addListener((o, a, b) -> r.run());
        } else if (c instanceof TextField t) {
            t.textProperty().addListener((o, a, b) -> r.run());
        }
    }

    /** The base encoder gets a folder picker, the dataset keys a menu of the project's datasets. */
    private Node withPicker(ParamKey<?> k, Control c) {
        if (k == ParamKeys.ENCODER_BASE && c instanceof TextField t) {
            Button browse = new Button("Browse…");
            browse.setId("browseEncoder");
            browse.setMinWidth(Region.USE_PREF_SIZE);
            Ui.tip(browse, "Choose a Hugging Face CLIP folder (config.json + model.safetensors).");
            browse.setOnAction(e -> {
                Path dir = choose("encoder", projectFolder());
                if (dir != null) {
                    t.setText(dir.toString());
                }
            });
            HBox box = new HBox(4, t, browse);
            HBox.setHgrow(t, Priority.ALWAYS);
            return box;
        }
        boolean list = k == ParamKeys.ALIGN_DATASETS || k == ParamKeys.EVAL_DATASETS;
        if ((list || k == ParamKeys.SCORE_DATASET) && c instanceof TextField t) {
            MenuButton pick = new MenuButton("▾");
            pick.setId("pick-" + k.name().replace('.', '-'));
            pick.setMinWidth(Region.USE_PREF_SIZE);
            Ui.tip(pick, list ? "Tick the project's datasets to use" : "Choose one of the project's datasets");
            pick.setOnShowing(e -> pick.getItems().setAll(datasetItems(t, list)));
            HBox box = new HBox(4, t, pick);
            HBox.setHgrow(t, Priority.ALWAYS);
            return box;
        }
        return c;
    }

    private List<MenuItem> datasetItems(TextField t, boolean list) {
        List<MenuItem> items = new ArrayList<>();
        if (datasetNames.isEmpty()) {
            MenuItem none = new MenuItem("(the project has no datasets yet)");
            none.setDisable(true);
            items.add(none);
            return items;
        }
        if (!list) {
            MenuItem any = new MenuItem("(empty: the project's only dataset)");
            any.setOnAction(e -> t.setText(""));
            items.add(any);
        }
        for (String d : datasetNames) {
            if (list) {
                CheckMenuItem m = new CheckMenuItem(d);
                m.setSelected(splitTags(t.getText()).contains(d));
                m.setOnAction(e -> {
                    List<String> now = new ArrayList<>(splitTags(t.getText()));
                    now.remove(d);
                    if (m.isSelected()) {
                        now.add(d);
                    }
                    t.setText(String.join(",", now));
                });
                items.add(m);
            } else {
                MenuItem m = new MenuItem(d);
                m.setOnAction(e -> t.setText(d));
                items.add(m);
            }
        }
        return items;
    }

    /**
     * Marks the fields whose value differs from the paper's default (bold label, "paper: …" in the tooltip) and
     * says in the form's header where the values came from and how many differ.
     */
    private void highlightChanges() {
        PipelineParams defaults = PipelineParams.defaults();
        List<String> changed = new ArrayList<>();
        fields.forEach((k, c) -> {
            Label l = fieldLabels.get(k);
            boolean differs;
            try {
                Object v = k.parse(text(c));
                differs = !Objects.equals(v, defaults.get(k));
            } catch (IllegalArgumentException bad) {
                differs = true;
            }
            l.getStyleClass().remove("param-changed");
            c.getStyleClass().remove("param-changed");
            if (differs) {
                l.getStyleClass().add("param-changed");
                c.getStyleClass().add("param-changed");
                changed.add(k.name());
            }
        });
        formSource.setText(formOrigin + " · " + (changed.isEmpty() ? "all settings as in the paper"
                : changed.size() + (changed.size() == 1 ? " setting differs" : " settings differ")
                + " from the paper (bold)"));
    }

    /** The names of the keys whose form value differs from the paper's default, in form order. */
    public List<String> changedFromPaper() {
        return fields.entrySet().stream().filter(e -> fieldLabels.get(e.getKey()).getStyleClass()
                .contains("param-changed")).map(e -> e.getKey().name()).toList();
    }

    /** The form's header line: where its values came from. */
    public String formSource() {
        return formSource.getText();
    }

    /** Fills the form with a run's recorded parameters (read through PipelineParams, so older runs load too). */
    public void loadParams(RunItem r) {
        if (r == null) {
            return;
        }
        try {
            buildForm(PipelineParams.fromJson(r.paramsJson() == null ? "{}" : r.paramsJson()), r);
        } catch (IllegalArgumentException e) {
            Dialogs.error(ctx.window(), "Cannot load the parameters of " + r.label(), e);
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
        t.setPrefColumnCount(12);
        return t;
    }

    private static String text(Control c) {
        return c instanceof CheckBox cb ? Boolean.toString(cb.isSelected())
                : c instanceof ComboBox<?> cb ? String.valueOf(cb.getValue()) : ((TextField) c).getText();
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
            try {
                out = out.with(e.getKey().name(), text(c));
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
        ProjectQueries q = ctx.project().queries();
        if (store == null || q == null || job != null) {
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
        String name = runName.getText();
        List<String> tags = splitTags(runTags.getText());
        // Taken before anything starts, so a project another process (a `rali run`, say) is writing to shows who
        // holds it instead of starting a run that would fail; released when the job ends.
        dev.rali.engine.project.ProjectStore.Hold hold;
        try {
            hold = store.holdWriterLock("app: run " + stage);
        } catch (java.io.IOException e) {
            Dialogs.error(ctx.window(), "Project is busy", e);
            return;
        }
        shownRuns.clear();
        plots.clear();
        log.clear();
        stageProgress.values().forEach(p -> p.set(0));
        run.setDisable(true);
        cancel.setDisable(false);
        List<String> differ = params.changedFrom(PipelineParams.defaults());
        appendLog("run " + stage + (differ.isEmpty() ? " with the paper's settings" : " — differs from the paper: "
                + String.join(", ", differ.stream().map(k -> k + "=" + ParamKeys.get(k).format(params.get(k)))
                .toList())));
        job = BackgroundTask.of("Run " + stage, c -> {
            long before = q.runs().recent(1).stream().mapToLong(RunItem::id).findFirst().orElse(0);
            try {
                return pipeline.run(store, stage, params, c);
            } finally {
                // whatever the outcome, the runs this job recorded get the name and tags typed in the bar
                if ((name != null && !name.isBlank()) || !tags.isEmpty()) {
                    for (RunItem r : q.runs().list()) {
                        if (r.id() > before) {
                            q.labelRun(r.id(), name, tags);
                        }
                    }
                }
            }
        })
                .onLog(this::appendLog)
                .onMetrics(batch -> plots.add(LIVE, batch))
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
                    } else {
                        stageProgress.values().forEach(p -> p.set(1));
                    }
                })
                .onFailure(e -> {
                    appendLog("failed: " + Dialogs.message(e));
                    Dialogs.error(ctx.window(), "Stage " + stage + " failed", e);
                })
                .onCancelled(() -> appendLog("cancelled — run again to resume from the last checkpoint"));
        BackgroundTask<Long> started = job;
        job.onFinished(() -> {
            BackgroundTask.State end = started.state();
            status.setText(end.toString().toLowerCase(java.util.Locale.ROOT));
            // a finished job never leaves the bar animating: full when it succeeded, empty otherwise
            progress.setProgress(end == BackgroundTask.State.SUCCEEDED ? 1 : 0);
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

    /** The plots (live metrics of the running job, or the runs read back from the project). */
    public MetricPlots plots() {
        return plots;
    }

    public ProgressBar progress() {
        return progress;
    }

    /** The run log's text. */
    public String logText() {
        return log.getText();
    }

    private void appendLog(String line) {
        log.appendText(line + "\n");
        if (log.getParagraphs().size() > LOG_LINES) {
            String t = log.getText();
            log.setText(t.substring(t.indexOf('\n', t.length() / 4) + 1));
            log.positionCaret(log.getLength());
        }
    }

    /** Plots these runs' recorded metrics (replacing what the plots showed); they follow new points. */
    public void showRuns(List<RunItem> list) {
        if (list.isEmpty() || job != null) {
            return;
        }
        shownRuns.clear();
        plots.clear();
        list.forEach(r -> shownRuns.add(r.id()));
        reloadShownMetrics(list);
    }

    private void reloadShownMetrics(List<RunItem> list) {
        ProjectQueries q = ctx.project().queries();
        if (q == null || list.isEmpty()) {
            return;
        }
        ctx.tasks().execute("Load metrics", c -> {
            Map<RunItem, Map<String, List<MetricPoint>>> out = new LinkedHashMap<>();
            for (RunItem r : list) {
                out.put(r, q.runs().metrics(r.id()));
            }
            return out;
        }, m -> {
            if (q != ctx.project().queries() || job != null) {
                return;
            }
            m.forEach((r, series) -> {
                if (shownRuns.contains(r.id())) {
                    plots.setRun(r.label(), series);
                }
                if (series.isEmpty() && !RUNNING.equals(r.status())) {
                    appendLog(r.label() + " recorded no metrics");
                }
            });
        });
    }

    /** The status of a run whose process is still writing it (RunRecords.RUNNING). */
    private static final String RUNNING = "running";

    private void reloadRuns() {
        ProjectQueries q = ctx.project().queries();
        if (q == null) {
            runs.getItems().clear();
            return;
        }
        boolean seed = seededFor != q;
        ctx.tasks().execute("Load runs", c -> {
            List<RunItem> all = q.runs().list();
            Map<Long, String> sweepPoints = q.runs().sweepPointLabels(); // its keys are the sweeps' runs
            return new LoadedRuns(all, seed, seed ? seedCandidate(all, sweepPoints.keySet()) : null, sweepPoints);
        }, loaded -> {
            if (q != ctx.project().queries()) {
                return; // another project was opened meanwhile
            }
            List<RunItem> list = loaded.runs();
            sweepOf = loaded.sweepOf();
            // another process started or finished a run: tell the views that list runs (not on the first load)
            String signature = list.stream().map(r -> r.id() + ":" + r.status()).collect(
                    java.util.stream.Collectors.joining(","));
            if (runsSignatureOf == q && !signature.equals(runsSignature)) {
                ctx.project().runsChanged();
            }
            runsSignature = signature;
            runsSignatureOf = q;
            List<Long> selected = runs.getSelectionModel().getSelectedItems().stream().map(RunItem::id).toList();
            runs.getItems().setAll(list);
            for (int i = 0; i < list.size(); i++) {
                if (selected.contains(list.get(i).id())) {
                    runs.getSelectionModel().select(i);
                }
            }
            runsLoaded(q, list, loaded);
        });
    }

    /** The runs list and, on a project's first load ({@code seeding}), the run its form starts from (null: none). */
    private record LoadedRuns(List<RunItem> runs, boolean seeding, Seed seed, Map<Long, String> sweepOf) { }

    /** The runs list (ids and statuses) last loaded, and for which project: a change is announced to the views. */
    private String runsSignature;
    private ProjectQueries runsSignatureOf;

    /** Run id → "sweep S · point P" for the runs a sweep started (the Parent column). */
    private Map<Long, String> sweepOf = Map.of();

    /**
     * After the runs list is read: the first time for a project the form takes the newest full run's parameters (so a
     * changed setting reuses that run's alignment and embeddings); with no job of the app's own, a run another
     * process is running is plotted, and the plotted runs pick up their new points.
     */
    private void runsLoaded(ProjectQueries q, List<RunItem> list, LoadedRuns loaded) {
        if (seededFor != q && loaded.seeding()) {
            seededFor = q;
            if (loaded.seed() != null) {
                loadParams(loaded.seed().run());
                formOrigin += loaded.seed().why();
                highlightChanges();
            }
        }
        if (job != null) {
            return;
        }
        Optional<RunItem> live = list.stream().filter(r -> RUNNING.equals(r.status())).findFirst();
        if (live.isPresent() && !shownRuns.contains(live.get().id())) {
            showRuns(List.of(live.get()));
            return;
        }
        if (loaded.seeding() && loaded.seed() != null && shownRuns.isEmpty()) {
            // a project opens on the curves of the run its form starts from (as TensorBoard opens on the runs it
            // finds), not on empty plots
            showRuns(List.of(loaded.seed().run()));
            return;
        }
        List<RunItem> shown = list.stream().filter(r -> shownRuns.contains(r.id())).toList();
        reloadShownMetrics(shown);
    }

    /** The run the form starts from when a project opens, and why that one (shown in the form's header). */
    record Seed(RunItem run, String why) { }

    /**
     * The newest run of the researcher's own (not an ablation of Table 4, not a sweep's point) with readable
     * parameters: seeding from the demo's last ablation would start the form with that ablation switched on. When
     * every run is an ablation or a sweep point, the newest of them, said so.
     */
    static Seed seedCandidate(List<RunItem> newestFirst, java.util.Set<Long> sweepRuns) {
        List<RunItem> readable = newestFirst.stream().filter(r -> parses(r.paramsJson())).toList();
        if (readable.isEmpty()) {
            return null;
        }
        RunItem newest = readable.get(0);
        for (RunItem r : readable) {
            if (!sweepRuns.contains(r.id()) && "full".equals(ablation(r))) {
                return new Seed(r, r == newest ? "" : " — the newest full run (" + skipped(newest, sweepRuns)
                        + " is newer)");
            }
        }
        return new Seed(newest, " — " + skipped(newest, sweepRuns) + "; no full run yet");
    }

    private static String skipped(RunItem r, java.util.Set<Long> sweepRuns) {
        return "run " + r.id() + (sweepRuns.contains(r.id()) ? ", a sweep point" : ", ablation " + ablation(r));
    }

    private static boolean parses(String json) {
        try {
            PipelineParams.fromJson(json == null ? "{}" : json);
            return json != null && !json.isBlank() && !json.equals("{}");
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * Checks, off the FX thread, whether anyone committed to the project since the last check (the app's own job or
     * a {@code rali run} in a terminal); reloads the runs (and the plotted runs' metrics) only then.
     */
    private void pollProject() {
        ProjectQueries q = ctx.project().queries();
        if (q == null || polling || root.getScene() == null) {
            return;
        }
        polling = true;
        Thread t = new Thread(() -> {
            long v;
            try {
                v = q.runs().dataVersion();
            } catch (Exception e) {
                polling = false;
                return; // the project was closed under us: the next open starts afresh
            }
            javafx.application.Platform.runLater(() -> {
                polling = false;
                if (q == ctx.project().queries() && v != seenVersion) {
                    // the first poll after an open reloads too: a commit between the open's load and this poll
                    // would otherwise become the baseline and never be shown (seen under load in PipelineFxTest)
                    seenVersion = v;
                    reloadRuns();
                }
            });
        }, "rali-project-poll");
        t.setDaemon(true);
        t.start();
    }

    private void label(RunItem r, String name, List<String> tags) {
        ProjectQueries q = ctx.project().queries();
        if (q == null) {
            return;
        }
        ctx.tasks().execute(BackgroundTask.<Void>of("Label " + r.label(), c -> {
            q.labelRun(r.id(), name, tags);
            return null;
        }).onSuccess(v -> reloadRuns()).onFailure(e -> {
            Dialogs.error(ctx.window(), "Cannot label " + r.label(), e);
            reloadRuns();
        }));
    }

    /** Names and tags a run as editing its cells does. */
    public void labelRun(RunItem r, String name, String tags) {
        label(r, name, splitTags(tags));
    }

    static List<String> splitTags(String text) {
        if (text == null || text.isBlank()) {
            return List.of();
        }
        return java.util.Arrays.stream(text.split(",")).map(String::strip).filter(s -> !s.isEmpty()).distinct()
                .toList();
    }

    /** Exports a run as a model bundle into a folder the user chooses (starting in the project's folder). */
    public void exportBundle(RunItem r) {
        BundleExportAction exporter = ctx.services().get(BundleExportAction.class);
        var store = ctx.project().store();
        if (r == null || exporter == null || store == null) {
            return;
        }
        Path out = choose("bundle:run-" + r.id() + ".rali-model", projectFolder());
        if (out == null) {
            return;
        }
        ctx.tasks().execute(BackgroundTask.<Void>of("Export " + r.label(), c -> {
            exporter.export(store, r.id(), out);
            return null;
        }).onSuccess(v -> {
            appendLog(r.label() + " exported to " + out);
            Dialogs.info(ctx.window(), "Bundle exported", r.label() + " → " + out
                    + "\nScore images with it in the Score view or with `rali score --model " + out + "`.");
        }).onFailure(e -> Dialogs.error(ctx.window(), "Cannot export " + r.label(), e)));
    }

    private Path projectFolder() {
        var store = ctx.project().store();
        return store == null ? null : store.file().toAbsolutePath().getParent();
    }

    /** kind "encoder": a folder to open; "bundle:NAME": a folder to create, NAME suggested. */
    private Path choose(String kind, Path initial) {
        BiFunction<String, Path, Path> h = headlessChooser;
        if (h != null) {
            return h.apply(kind, initial);
        }
        if (kind.startsWith("bundle:")) {
            FileChooser fc = new FileChooser();
            fc.setTitle("Export bundle to");
            fc.setInitialFileName(kind.substring("bundle:".length()));
            if (initial != null) {
                fc.setInitialDirectory(initial.toFile());
            }
            java.io.File f = fc.showSaveDialog(ctx.window());
            return f == null ? null : f.toPath();
        }
        DirectoryChooser dc = new DirectoryChooser();
        dc.setTitle("Base encoder folder (Hugging Face CLIP)");
        if (initial != null) {
            dc.setInitialDirectory(initial.toFile());
        }
        java.io.File f = dc.showDialog(ctx.window());
        return f == null ? null : f.toPath();
    }

    public TableView<RunItem> runs() {
        return runs;
    }

    /** The Table 4 case a run's parameters name ("full", "no_pca", …); empty when they are not pipeline params. */
    static String ablation(RunItem r) {
        try {
            return PipelineParams.fromJson(r.paramsJson()).run().ablation();
        } catch (IllegalArgumentException | NullPointerException notPipelineParams) {
            return "";
        }
    }

    /** "2026-12-03T21:39:03.709Z" → "2026-12-03 21:39:03" (UTC, as recorded); "" for null. */
    static String time(String iso) {
        if (iso == null) {
            return "";
        }
        String t = iso.replace('T', ' ');
        return t.length() >= 19 ? t.substring(0, 19) : t;
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
