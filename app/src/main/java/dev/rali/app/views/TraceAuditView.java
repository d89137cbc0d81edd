package dev.rali.app.views;

import dev.rali.app.AppContext;
import dev.rali.app.ViewFeature;
import dev.rali.app.Dialogs;
import dev.rali.app.SaliencyFactory;
import dev.rali.engine.analysis.attention.AttentionService;
import dev.rali.engine.io.AtomicFiles;
import dev.rali.engine.io.OutputPaths;
import dev.rali.engine.dataset.DatasetSummary;
import dev.rali.engine.dataset.Datasets;
import dev.rali.engine.project.ProjectQueries;
import dev.rali.engine.project.ProjectQueries.AuditItem;
import dev.rali.engine.project.ProjectQueries.FlagCriteria;
import dev.rali.engine.project.ProjectQueries.TraceItem;
import java.io.File;
import java.util.List;
import java.util.function.Function;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.Spinner;
import javafx.scene.control.SplitPane;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableRow;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.control.TextInputControl;
import javafx.scene.control.ToggleButton;
import javafx.scene.control.ToggleGroup;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyEvent;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import javafx.stage.FileChooser;

/**
 * Trace audit: every reasoning trace beside its image, parsed score vs MOS, parse status and the reasons it is
 * flagged; N/J and P/K jump to the next/previous flagged trace, O/W/U set the verdict (ok/wrong/unsure), which is
 * stored with the note in the project; Export writes the audit table as CSV.
 */
public final class TraceAuditView implements AppView {
    public static final String TITLE = "Trace audit";

    /** Registers this view in the navigation (META-INF/services/dev.rali.app.AppFeature). */
    public static final class Feature extends ViewFeature {
        public Feature() {
            super("traces", TITLE, 30, TraceAuditView::new);
        }
    }

    private static final DatasetSummary ALL = new DatasetSummary(-1, "all datasets", "", null, 0, 0, 0, java.util.Map.of(),
            0, 0, false, null, null, null, null, null, null);

    private final AppContext ctx;
    private final StackPane root = new StackPane();
    private final ComboBox<DatasetSummary> dataset = new ComboBox<>();
    private final CheckBox flaggedOnly = new CheckBox("Flagged only");
    private final Spinner<Double> mosThreshold = new Spinner<>(0.01, 4.0, FlagCriteria.DEFAULT.mosThreshold(), 0.1);
    private final Spinner<Double> stdThreshold = new Spinner<>(0.01, 4.0, FlagCriteria.DEFAULT.seedStdThreshold(), 0.05);
    private final TableView<AuditItem> table = new TableView<>();
    private final ImageDetailPane detail = new ImageDetailPane(260);
    private final ToggleGroup verdict = new ToggleGroup();
    private final TextField note = new TextField();
    private final Label position = new Label();
    private final Label flagsLabel = new Label();
    private final Label feedback = new Label();
    private final VBox empty;
    private final BorderPane content = new BorderPane();
    private final Button attention = new Button("Attention…");
    private final SaliencyPane saliency;
    private java.util.Set<Long> tracesWithDump = java.util.Set.of();

    public TraceAuditView(AppContext ctx) {
        this.ctx = ctx;
        saliency = new SaliencyPane(ctx, "auditSaliency", 300);
        attention.setId("openAttention");
        attention.setMinWidth(Region.USE_PREF_SIZE);
        attention.setDisable(true);
        attention.setOnAction(e -> openAttention());
        Ui.tip(attention, "Where the reasoning model's score token looked while writing this trace (needs an imported "
                + "attention dump of this trace: rali attention import)");
        dataset.setId("auditDataset");
        dataset.setCellFactory(l -> new DatasetCell());
        dataset.setButtonCell(new DatasetCell());
        dataset.setOnAction(e -> reload());
        flaggedOnly.setId("flaggedOnly");
        flaggedOnly.setOnAction(e -> reload());
        mosThreshold.setEditable(true);
        mosThreshold.setPrefWidth(80);
        stdThreshold.setEditable(true);
        stdThreshold.setPrefWidth(80);
        mosThreshold.valueProperty().addListener((o, a, b) -> reload());
        stdThreshold.valueProperty().addListener((o, a, b) -> reload());
        Ui.tip(mosThreshold, "Flag a trace whose parsed score is further than this from the image's MOS [1,5]");
        Ui.tip(stdThreshold, "Flag an image's traces when the std of their scores across seeds exceeds this");
        Button export = new Button("Export CSV…");
        export.setId("exportAudit");
        export.setOnAction(e -> exportCsv());
        Button worst = new Button("Worst 5 %");
        worst.setId("flagWorst");
        worst.setOnAction(e -> flagWorst(0.95));
        Ui.tip(worst, "Set both thresholds to the 95th percentile of this selection, so the 5 % of traces furthest "
                + "from MOS and the images whose seeds disagree most are flagged");
        HBox bar = new HBox(8, new Label("Dataset"), dataset, flaggedOnly, new Label("|score − MOS| >"), mosThreshold,
                new Label("seed std >"), stdThreshold, worst, export);
        Ui.noCollapse(bar);
        bar.setAlignment(Pos.CENTER_LEFT);

        table.setId("auditTable");
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY);
        table.setPlaceholder(new Label("No traces in this project yet. Import traces (rali traces import) or "
                + "generate them, then audit them here."));
        // the file name without its folders ("astronaut__gaussian_blur_3.png"), cut so the distortion survives
        table.getColumns().add(Ui.fileNameKeepingEnd(col("Image", a -> DatasetsView.fileName(a.imageName()), 200)));
        table.getColumns().add(col("Seed", a -> a.trace().seed(), 45));
        table.getColumns().add(col("Score", a -> Ui.num(a.trace().score(), 2), 55));
        table.getColumns().add(col("MOS", a -> Ui.num(a.mos(), 2), 55));
        table.getColumns().add(col("Parse", a -> a.trace().parseStatus(), 75));
        table.getColumns().add(col("Flags", a -> String.join(", ", a.flags()), 110));
        table.getColumns().add(col("Verdict", a -> a.trace().verdict() == null ? "" : a.trace().verdict(), 64));
        table.setRowFactory(t -> new TableRow<>() {
            @Override
            protected void updateItem(AuditItem item, boolean e) {
                super.updateItem(item, e);
                getStyleClass().remove("flagged-row");
                if (item != null && item.flagged()) {
                    getStyleClass().add("flagged-row");
                }
            }
        });
        table.getSelectionModel().selectedItemProperty().addListener((o, a, item) -> selected(item));

        Label verdictLabel = new Label("Verdict");
        verdictLabel.setMinWidth(Region.USE_PREF_SIZE); // never "Verd..." on narrow windows
        HBox verdictBar = new HBox(6, verdictLabel, toggle("ok", "O"), toggle("wrong", "W"),
                toggle("unsure", "U"), new Label("Note"), note);
        note.setId("auditNote");
        note.setPromptText("why (optional); Enter saves");
        // Enter saves and hands the keys back to the list, so the next N/P navigates instead of typing into the note
        note.setOnAction(e -> {
            save();
            table.requestFocus();
        });
        HBox.setHgrow(note, Priority.ALWAYS);
        Button save = new Button("Save");
        save.setId("saveVerdict");
        save.setOnAction(e -> save());
        verdictBar.getChildren().add(save);
        verdictBar.setAlignment(Pos.CENTER_LEFT);
        Ui.noCollapse(verdictBar);
        position.setId("auditPosition");
        flagsLabel.setId("auditFlags");
        flagsLabel.getStyleClass().add("flags");
        feedback.setId("auditFeedback");
        feedback.getStyleClass().add("hint");
        feedback.setWrapText(true);
        feedback.setMinHeight(Region.USE_PREF_SIZE); // two lines rather than cut
        // the image side shows either the image with its traces or which regions drive its RALI score
        javafx.scene.control.ScrollPane saliencyScroll = new javafx.scene.control.ScrollPane(saliency);
        saliencyScroll.setFitToWidth(true);
        ToggleButton showSaliency = new ToggleButton("Saliency");
        showSaliency.setId("auditSaliencyToggle");
        showSaliency.setMinWidth(Region.USE_PREF_SIZE);
        Ui.tip(showSaliency, "Show which regions of this image drive its RALI score (rollout and occlusion with a "
                + "model bundle) instead of the image detail");
        HBox positionBar = new HBox(12, position, flagsLabel, attention, showSaliency);
        positionBar.setAlignment(Pos.CENTER_LEFT);
        VBox right = new VBox(8, positionBar, feedback, verdictBar,
                Ui.hint("Keys: N/J next flagged · P/K previous flagged · O/W/U verdict"), detail);
        VBox.setVgrow(saliencyScroll, Priority.ALWAYS);
        showSaliency.selectedProperty().addListener((o, a, on) -> {
            int slot = right.getChildren().indexOf(on ? detail : saliencyScroll);
            if (slot >= 0) {
                right.getChildren().set(slot, on ? saliencyScroll : detail);
            }
        });
        VBox.setVgrow(detail, Priority.ALWAYS);
        right.setPadding(new javafx.geometry.Insets(0, 0, 0, 8));
        SplitPane split = new SplitPane(table, right);
        split.setDividerPositions(0.5);
        Ui.withBar(content, bar).setCenter(split);
        empty = Ui.emptyState("No project open", "Open a project with reasoning traces to audit them.");
        root.getChildren().addAll(content, empty);
        root.addEventHandler(KeyEvent.KEY_PRESSED, this::key);
        ctx.project().revisionProperty().addListener((o, a, b) -> reloadDatasets());
        reloadDatasets();
    }

    private ToggleButton toggle(String v, String key) {
        ToggleButton b = new ToggleButton(v + " (" + key + ")");
        b.setUserData(v);
        b.setId("verdict-" + v);
        b.setMinWidth(Region.USE_PREF_SIZE);
        b.setToggleGroup(verdict);
        b.setOnAction(e -> save());
        return b;
    }

    private static final class DatasetCell extends ListCell<DatasetSummary> {
        @Override
        protected void updateItem(DatasetSummary d, boolean empty) {
            super.updateItem(d, empty);
            setText(empty || d == null ? null : d.name());
        }
    }

    private void key(KeyEvent e) {
        if (e.getTarget() instanceof TextInputControl || e.isControlDown() || e.isAltDown() || e.isMetaDown()) {
            return;
        }
        KeyCode k = e.getCode();
        if (k == KeyCode.N || k == KeyCode.J) {
            step(+1);
        } else if (k == KeyCode.P || k == KeyCode.K) {
            step(-1);
        } else if (k == KeyCode.O || k == KeyCode.W || k == KeyCode.U) {
            String v = k == KeyCode.O ? "ok" : k == KeyCode.W ? "wrong" : "unsure";
            verdict.getToggles().stream().filter(t -> v.equals(t.getUserData())).findFirst()
                    .ifPresent(t -> verdict.selectToggle(t));
            save();
        } else {
            return;
        }
        e.consume();
    }

    /**
     * Moves the selection to the next (+1) or previous (−1) flagged trace; at the ends, or when nothing is flagged,
     * stays put and says why instead of doing nothing silently.
     */
    public void step(int dir) {
        List<AuditItem> items = table.getItems();
        int i = table.getSelectionModel().getSelectedIndex();
        for (int j = i + dir; j >= 0 && j < items.size(); j += dir) {
            if (items.get(j).flagged()) {
                feedback.setText("");
                table.getSelectionModel().clearAndSelect(j);
                table.scrollTo(Math.max(0, j - 3));
                return;
            }
        }
        feedback.setText(items.stream().noneMatch(AuditItem::flagged) ? nothingFlagged(items)
                : "No flagged trace " + (dir > 0 ? "after" : "before") + " this one.");
    }

    /** Why N/P found nothing: the largest deviations present, so the user knows how far to lower the thresholds. */
    static String nothingFlagged(List<AuditItem> items) {
        if (items.isEmpty()) {
            return "No traces in this selection.";
        }
        double maxDiff = items.stream().filter(a -> a.mos() != null && a.trace().score() != null)
                .mapToDouble(a -> Math.abs(a.trace().score() - a.mos())).max().orElse(Double.NaN);
        double maxStd = items.stream().mapToDouble(AuditItem::seedStd).max().orElse(Double.NaN);
        return String.format(java.util.Locale.ROOT, "No trace is flagged at these thresholds: the largest "
                + "|score − MOS| here is %s and the largest seed std %s. Lower the thresholds, or press Worst 5 %%.",
                Ui.num(maxDiff, 2), Ui.num(maxStd, 2));
    }

    /**
     * Sets each threshold just below the {@code quantile} of |score − MOS| and of the seed std over the listed traces,
     * so that the worst (1 − quantile) share of them (at least one) is flagged; ties below it are not.
     */
    public void flagWorst(double quantile) {
        List<AuditItem> items = List.copyOf(table.getItems());
        double[] diff = items.stream().filter(a -> a.mos() != null && a.trace().score() != null)
                .mapToDouble(a -> Math.abs(a.trace().score() - a.mos())).sorted().toArray();
        double[] std = items.stream().mapToDouble(AuditItem::seedStd).filter(v -> v > 0).sorted().toArray();
        if (diff.length > 0) {
            mosThreshold.getValueFactory().setValue(worstThreshold(diff, quantile));
        }
        if (std.length > 0) {
            stdThreshold.getValueFactory().setValue(worstThreshold(std, quantile));
        }
    }

    /** Just below the k-th largest value (k = the worst share, at least 1), in the spinner's two decimals. */
    static double worstThreshold(double[] sorted, double quantile) {
        int k = Math.max(1, (int) Math.round((1 - quantile) * sorted.length));
        double v = sorted[sorted.length - k];
        return Math.max(0.01, Math.floor(v * 100 - 1e-6) / 100);
    }

    @Override
    public void reset() {
        table.getItems().clear();
        dataset.getItems().clear();
        dataset.setValue(null);
        note.clear();
        feedback.setText("");
        verdict.selectToggle(null);
        detail.clear();
        updatePosition();
    }

    private void reloadDatasets() {
        ProjectQueries q = ctx.project().queries();
        empty.setVisible(q == null);
        content.setVisible(q != null);
        if (q == null) {
            table.getItems().clear();
            return;
        }
        ctx.tasks().execute("Load datasets", c -> Datasets.list(q.store()), list -> {
            if (q != ctx.project().queries()) {
                return; // another project was opened meanwhile
            }
            DatasetSummary keep = dataset.getValue();
            dataset.getItems().setAll(ALL);
            dataset.getItems().addAll(list);
            DatasetSummary sel = ALL;
            for (DatasetSummary d : list) {
                if (keep != null && keep.id() == d.id()) {
                    sel = d;
                }
            }
            dataset.setValue(sel);
            reload();
        });
    }

    private void reload() {
        ProjectQueries q = ctx.project().queries();
        if (q == null) {
            return;
        }
        Long id = dataset.getValue() == null || dataset.getValue().id() < 0 ? null : dataset.getValue().id();
        AttentionService dumps = ctx.services().get(AttentionService.class);
        if (dumps != null && ctx.project().store() != null) {
            var store = ctx.project().store();
            ctx.tasks().execute("Load attention dumps", x -> dumps.dumps(store).stream()
                    .map(AttentionService.ImportedDump::traceId).filter(java.util.Objects::nonNull)
                    .collect(java.util.stream.Collectors.toSet()), set -> {
                        tracesWithDump = set;
                        updateAttentionButton();
                    });
        }
        FlagCriteria c = new FlagCriteria(mosThreshold.getValue(), stdThreshold.getValue());
        boolean only = flaggedOnly.isSelected();
        int keep = table.getSelectionModel().getSelectedIndex();
        ctx.tasks().execute("Load traces", x -> q.auditItems(id, c, only), items -> {
            if (q != ctx.project().queries()) {
                return;
            }
            table.getItems().setAll(items);
            feedback.setText(items.isEmpty() || items.stream().anyMatch(AuditItem::flagged) ? ""
                    : nothingFlagged(items));
            if (!items.isEmpty()) {
                table.getSelectionModel().clearAndSelect(Math.max(0, Math.min(keep, items.size() - 1)));
            } else {
                updatePosition();
            }
        });
    }

    private void selected(AuditItem item) {
        updatePosition();
        updateAttentionButton();
        saliency.setImage(item == null ? null : item.imagePath());
        if (item == null) {
            return;
        }
        TraceItem t = item.trace();
        verdict.selectToggle(verdict.getToggles().stream().filter(x -> x.getUserData().equals(t.verdict()))
                .findFirst().orElse(null));
        note.setText(t.note() == null ? "" : t.note());
        ProjectQueries q = ctx.project().queries();
        ctx.tasks().execute("Load image", c -> q.image(t.imageId()), d -> {
            if (table.getSelectionModel().getSelectedItem() == item) {
                d.ifPresent(x -> detail.show(x, t.id()));
            }
        });
    }

    private void updateAttentionButton() {
        AuditItem a = table.getSelectionModel().getSelectedItem();
        boolean has = a != null && tracesWithDump.contains(a.trace().id());
        attention.setDisable(!has);
        attention.setText(has || a == null ? "Attention…" : "Attention… (no dump)");
    }

    /** Shows the selected trace's attention dump in the Attention view. */
    public void openAttention() {
        AuditItem a = table.getSelectionModel().getSelectedItem();
        if (a != null && tracesWithDump.contains(a.trace().id())) {
            ctx.navigate(AttentionView.TITLE, a.trace().id());
        }
    }

    public SaliencyPane saliency() {
        return saliency;
    }

    private void updatePosition() {
        List<AuditItem> items = table.getItems();
        long flagged = items.stream().filter(AuditItem::flagged).count();
        int i = table.getSelectionModel().getSelectedIndex();
        AuditItem a = table.getSelectionModel().getSelectedItem();
        position.setText(items.isEmpty() ? "no traces" : (i + 1) + " / " + items.size() + " traces, " + flagged + " flagged");
        flagsLabel.setText(a == null || !a.flagged() ? "" : "⚑ " + String.join(", ", a.flags())
                + (a.seedStd() > 0 ? String.format(java.util.Locale.ROOT, " (seed std %.2f)", a.seedStd()) : ""));
    }

    /** Stores the selected verdict and note for the selected trace. */
    public void save() {
        AuditItem a = table.getSelectionModel().getSelectedItem();
        ProjectQueries q = ctx.project().queries();
        if (a == null || q == null) {
            return;
        }
        String v = verdict.getSelectedToggle() == null ? null : (String) verdict.getSelectedToggle().getUserData();
        String n = note.getText();
        int index = table.getSelectionModel().getSelectedIndex();
        ctx.tasks().execute("Save verdict", c -> {
            q.setVerdict(a.trace().id(), v, n);
            return null;
        }, x -> {
            TraceItem t = a.trace();
            TraceItem updated = new TraceItem(t.id(), t.imageId(), t.seed(), t.source(), t.rawText(), t.think(),
                    t.answer(), t.score(), t.parseStatus(), v, n == null || n.isBlank() ? null : n);
            if (index < table.getItems().size() && table.getItems().get(index) == a) {
                table.getItems().set(index, new AuditItem(updated, a.datasetName(), a.imageName(), a.imagePath(),
                        a.mos(), a.seedStd(), a.flags()));
                table.getSelectionModel().clearAndSelect(index);
            }
        });
    }

    private void exportCsv() {
        if (table.getItems().isEmpty()) {
            Dialogs.info(ctx.window(), "Nothing to export", "There are no traces in the current selection.");
            return;
        }
        FileChooser fc = new FileChooser();
        fc.setTitle("Export audit CSV");
        fc.setInitialFileName("trace-audit.csv");
        fc.setInitialDirectory(Ui.exportFolder(ctx));
        fc.getExtensionFilters().add(new FileChooser.ExtensionFilter("CSV", "*.csv"));
        File f = fc.showSaveDialog(ctx.window());
        if (f != null) {
            exportTo(f.toPath());
        }
    }

    /** Writes the rows currently listed (respecting the filters) to {@code file}. */
    public void exportTo(java.nio.file.Path file) {
        List<AuditItem> items = List.copyOf(table.getItems());
        var store = ctx.project().store();
        ctx.tasks().execute("Export audit", c -> {
            var guard = OutputPaths.file(file, "csv").force(true);
            if (store != null) {
                guard.protectProject(store.file());
            }
            guard.check();
            try (AtomicFiles.Output o = AtomicFiles.open(file)) {
                ProjectQueries.writeAuditCsv(items, o.writer());
                o.commit();
            }
            return file;
        }, p -> Dialogs.info(ctx.window(), "Audit exported", items.size() + " traces written to " + p));
    }

    public TableView<AuditItem> table() {
        return table;
    }

    private static <T> TableColumn<AuditItem, T> col(String title, Function<AuditItem, T> f, double width) {
        TableColumn<AuditItem, T> c = Ui.column(title, f, width);
        c.setMinWidth(Math.min(width, 64));
        return c;
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
