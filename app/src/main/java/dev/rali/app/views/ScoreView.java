package dev.rali.app.views;

import dev.rali.app.AppContext;
import dev.rali.app.ViewFeature;
import dev.rali.app.Dialogs;
import dev.rali.app.FxBatcher;
import dev.rali.app.ImageFiles;
import dev.rali.app.ScorerFactory;
import dev.rali.engine.io.AtomicFiles;
import dev.rali.engine.io.OutputPaths;
import dev.rali.engine.score.ImageScorer;
import dev.rali.engine.score.ScoreResult;
import dev.rali.engine.task.BackgroundTask;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.collections.transformation.FilteredList;
import javafx.collections.transformation.SortedList;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.application.Platform;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.SelectionMode;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.image.ImageView;
import javafx.scene.input.Clipboard;
import javafx.scene.input.ClipboardContent;
import javafx.scene.input.DragEvent;
import javafx.scene.input.KeyCode;
import javafx.scene.input.TransferMode;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.DirectoryChooser;
import javafx.stage.FileChooser;

/**
 * Score: drop files or folders (anywhere on the window) or choose them, pick a model bundle folder, and watch
 * scores arrive; the table sorts and filters, copies as tab-separated text and exports CSV. Files the scorer
 * cannot read stay in the table with the reason. Does not need an open project.
 */
public final class ScoreView implements AppView {
    public static final String TITLE = "Score";

    /** Registers this view in the navigation (META-INF/services/dev.rali.app.AppFeature). */
    public static final class Feature extends ViewFeature {
        public Feature() {
            // loads the chosen model bundle.
            super("score", TITLE, 60, ScoreView::new, ScorerFactory.class);
        }
    }

    /** One file in the table; score is null until scored or when scoring failed. */
    public static final class Row {
        final Path file;
        final SimpleObjectProperty<Double> score = new SimpleObjectProperty<>();
        final SimpleStringProperty status = new SimpleStringProperty("queued");
        /** The bundle the score came from: a score from another model does not count as scored. */
        Path model;

        Row(Path file) {
            this.file = file;
        }

        public Path file() {
            return file;
        }

        public Double score() {
            return score.get();
        }

        public String status() {
            return status.get();
        }
    }

    private final AppContext ctx;
    private final BorderPane root = new BorderPane();
    private final ObservableList<Row> rows = FXCollections.observableArrayList();
    private final Map<Path, Row> byFile = new HashMap<>();
    private final FilteredList<Row> filtered = new FilteredList<>(rows, r -> true);
    private final TableView<Row> table = new TableView<>();
    private final TextField bundle = new TextField();
    private final TextField filter = new TextField();
    private final Button score = new Button("Score");
    private final Button cancel = new Button("Cancel");
    private final ProgressBar progress = new ProgressBar(0);
    private final Label summary = new Label();
    /** Encoder precision (issue 14): auto = bf16 where the CPU/GPU runs it natively and the tower is wide. */
    private final ComboBox<String> precision = new ComboBox<>(
            FXCollections.observableArrayList("auto", "fp32", "bf16"));
    /** What the last scoring ran in, e.g. "encoder: bf16 on cpu". */
    private final Label precisionInUse = new Label();
    private BackgroundTask<Void> job;
    private final SaliencyPane saliency;

    public ScoreView(AppContext ctx) {
        this.ctx = ctx;
        saliency = new SaliencyPane(ctx, "scoreSaliency", 300);
        saliency.useViewsModelField();
        // the bundle chosen here is the one the saliency panes explain with
        bundle.textProperty().addListener((o, a, t) -> {
            String s = t == null ? "" : t.strip();
            if (!s.isEmpty() && Files.isDirectory(Path.of(s))) {
                ctx.modelBundleProperty().set(Path.of(s));
            }
        });
        Button choose = new Button("Choose files…");
        choose.setId("chooseFiles");
        choose.setOnAction(e -> chooseFiles());
        Button chooseFolder = new Button("Choose folder…");
        chooseFolder.setOnAction(e -> {
            DirectoryChooser dc = new DirectoryChooser();
            dc.setTitle("Folder of images to score");
            File f = dc.showDialog(ctx.window());
            if (f != null) {
                addFiles(List.of(f.toPath()));
            }
        });
        Button clear = new Button("Clear");
        clear.setOnAction(e -> {
            if (job == null) {
                rows.clear();
                byFile.clear();
                updateSummary();
            }
        });
        bundle.setId("bundlePath");
        bundle.setPromptText("model bundle folder (*.rali-model)");
        bundle.setPrefColumnCount(32);
        Button browse = new Button("Model…");
        browse.setOnAction(e -> {
            DirectoryChooser dc = new DirectoryChooser();
            dc.setTitle("Model bundle folder");
            File f = dc.showDialog(ctx.window());
            if (f != null) {
                bundle.setText(f.getAbsolutePath());
            }
        });
        score.setId("scoreButton");
        score.setDefaultButton(true);
        score.setOnAction(e -> startScoring());
        Ui.cancelButton(cancel, "cancelScoring", () -> job);
        precision.setId("scorePrecision");
        precision.getSelectionModel().select("auto");
        precision.setTooltip(new Tooltip("Encoder precision. auto = bf16 where the CPU"
                + " (AVX-512-BF16/AMX) or GPU runs it natively and the image tower is at least 512 wide, else fp32;"
                + " bf16 on a narrower tower runs only the MLP in bf16 (bf16-mlp) to keep scores within 0.02 of fp32."));
        precisionInUse.setId("scorePrecisionInUse");
        HBox top = new HBox(8, choose, chooseFolder, clear, new Label("Model"), bundle, browse,
                new Label("Precision"), precision, score, cancel);
        top.setAlignment(Pos.CENTER_LEFT);
        HBox.setHgrow(bundle, Priority.ALWAYS);
        Ui.noCollapse(top);

        filter.setId("scoreFilter");
        filter.setPromptText("filter by file name or status");
        filter.textProperty().addListener((o, a, t) -> {
            String s = t == null ? "" : t.strip().toLowerCase(Locale.ROOT);
            filtered.setPredicate(r -> s.isEmpty() || r.file.toString().toLowerCase(Locale.ROOT).contains(s)
                    || r.status().toLowerCase(Locale.ROOT).contains(s));
        });
        Button copy = new Button("Copy");
        copy.setOnAction(e -> copySelection());
        Button export = new Button("Export CSV…");
        export.setId("exportScores");
        export.setOnAction(e -> exportCsv());
        summary.setId("scoreSummary");
        progress.setPrefWidth(200);
        HBox second = new HBox(8, new Label("Filter"), filter, copy, export, progress, summary, precisionInUse);
        second.setAlignment(Pos.CENTER_LEFT);
        progress.setMinWidth(60);
        Ui.noCollapse(second);

        table.setId("scoreTable");
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY);
        table.setPlaceholder(Ui.emptyState("Drop images here",
                "Drag image files or folders onto this window, or use Choose files… or Choose folder…; then "
                        + "choose a model bundle folder (Model…) and press Score."));
        table.getSelectionModel().setSelectionMode(SelectionMode.MULTIPLE);
        TableColumn<Row, Path> thumb = new TableColumn<>("");
        thumb.setPrefWidth(60);
        thumb.setMinWidth(60);
        thumb.setMaxWidth(60);
        thumb.setSortable(false);
        thumb.setCellValueFactory(cd -> new ReadOnlyObjectWrapper<>(cd.getValue().file));
        thumb.setCellFactory(c -> new ThumbCell());
        TableColumn<Row, String> file = Ui.middleEllipsis(new TableColumn<>("File"));
        file.setCellValueFactory(cd -> new ReadOnlyObjectWrapper<>(cd.getValue().file.toString()));
        file.setPrefWidth(480);
        TableColumn<Row, Double> sc = new TableColumn<>("Score");
        sc.setCellValueFactory(cd -> cd.getValue().score);
        sc.setCellFactory(c -> new TableCell<>() {
            @Override
            protected void updateItem(Double v, boolean empty) {
                super.updateItem(v, empty);
                setText(empty || v == null ? null : String.format(Locale.ROOT, "%.4f", v));
            }
        });
        sc.setPrefWidth(90);
        sc.setMaxWidth(110);
        TableColumn<Row, String> st = new TableColumn<>("Status");
        st.setCellValueFactory(cd -> cd.getValue().status);
        st.setPrefWidth(360);
        table.getColumns().addAll(List.of(thumb, file, sc, st));
        SortedList<Row> sorted = new SortedList<>(filtered);
        sorted.comparatorProperty().bind(table.comparatorProperty());
        table.setItems(sorted);
        table.setOnKeyPressed(e -> {
            if (e.isShortcutDown() && e.getCode() == KeyCode.C) {
                copySelection();
                e.consume();
            }
        });
        table.getSelectionModel().selectedItemProperty().addListener((o, a, r) ->
                saliency.setImage(r == null || r.score() == null ? null : r.file));
        javafx.scene.control.ScrollPane side = new javafx.scene.control.ScrollPane(saliency);
        side.setFitToWidth(true);
        side.setMinWidth(330);
        javafx.scene.control.SplitPane split = new javafx.scene.control.SplitPane(table);
        VBox.setVgrow(split, Priority.ALWAYS);
        // the saliency pane opens on demand, so the table keeps its width on small screens
        javafx.scene.control.ToggleButton showSaliency = new javafx.scene.control.ToggleButton("Saliency");
        showSaliency.setId("scoreSaliencyToggle");
        showSaliency.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
        Ui.tip(showSaliency, "Which regions of the selected scored image drive its score (rollout and occlusion "
                + "with the chosen model)");
        showSaliency.selectedProperty().addListener((o, was, on) -> {
            if (on) {
                split.getItems().add(side);
                split.setDividerPositions(0.62);
            } else {
                split.getItems().remove(side);
            }
        });
        second.getChildren().add(showSaliency);
        VBox content = new VBox(8, top, second, split);
        content.setPadding(new Insets(10));
        root.setCenter(content);
        installDropTarget(root);
        updateSummary();
    }

    private final class ThumbCell extends TableCell<Row, Path> {
        private final ImageView view = new ImageView();

        ThumbCell() {
            view.setFitWidth(48);
            view.setFitHeight(48);
            view.setPreserveRatio(true);
        }

        @Override
        protected void updateItem(Path p, boolean empty) {
            super.updateItem(p, empty);
            if (empty || p == null) {
                setGraphic(null);
                return;
            }
            view.setImage(ctx.thumbnails().cached(p));
            if (view.getImage() == null) {
                ctx.thumbnails().load(p, img -> {
                    if (p.equals(getItem())) {
                        view.setImage(img);
                    }
                });
            }
            setGraphic(view);
        }
    }

    /** Accepts dropped files and folders on {@code target} (the main window installs it on the whole scene). */
    public void installDropTarget(Node target) {
        target.addEventHandler(DragEvent.DRAG_OVER, e -> {
            if (e.getDragboard().hasFiles()) {
                e.acceptTransferModes(TransferMode.COPY);
                e.consume();
            }
        });
        target.addEventHandler(DragEvent.DRAG_DROPPED, e -> {
            if (e.getDragboard().hasFiles()) {
                addFiles(e.getDragboard().getFiles().stream().map(File::toPath).toList());
                e.setDropCompleted(true);
                e.consume();
            }
        });
    }

    private void chooseFiles() {
        FileChooser fc = new FileChooser();
        fc.setTitle("Images to score");
        fc.getExtensionFilters().add(new FileChooser.ExtensionFilter("Images",
                "*.jpg", "*.jpeg", "*.png", "*.bmp", "*.tif", "*.tiff", "*.webp"));
        fc.getExtensionFilters().add(new FileChooser.ExtensionFilter("All files", "*.*"));
        List<File> files = fc.showOpenMultipleDialog(ctx.window());
        if (files != null) {
            addFiles(files.stream().map(File::toPath).toList());
        }
    }

    /** Adds files and (recursively) the images in folders, skipping ones already listed. */
    public void addFiles(List<Path> filesOrFolders) {
        ctx.tasks().execute("List images", c -> ImageFiles.expand(filesOrFolders), files -> {
            List<Row> added = new ArrayList<>();
            for (Path p : files) {
                Path abs = p.toAbsolutePath().normalize();
                if (!byFile.containsKey(abs)) {
                    Row r = new Row(abs);
                    byFile.put(abs, r);
                    added.add(r);
                }
            }
            rows.addAll(added);
            updateSummary();
        });
    }

    /** Scores every listed file that has no score yet with the chosen bundle. */
    public void startScoring() {
        if (job != null) {
            return;
        }
        ScorerFactory factory = ctx.services().get(ScorerFactory.class);
        if (factory == null) {
            Dialogs.info(ctx.window(), "Scoring not available",
                    "This build has no scorer wired in. Use `./rali score` on the command line.");
            return;
        }
        String b = bundle.getText() == null ? "" : bundle.getText().strip();
        if (b.isEmpty() || !Files.isDirectory(Path.of(b))) {
            Dialogs.info(ctx.window(), "Choose a model", b.isEmpty() ? "Choose a model bundle folder first (Model…)."
                    : b + " is not a folder; choose a model bundle folder (*.rali-model).");
            return;
        }
        Path bundleDir = Path.of(b).toAbsolutePath().normalize();
        // Scores from another model are stale once the user picks a different bundle (issue 17, item 6): those
        // rows are scored again with the chosen one.
        List<Path> todo = rows.stream().filter(r -> r.score() == null || !bundleDir.equals(r.model))
                .map(r -> r.file).toList();
        if (todo.isEmpty()) {
            Dialogs.info(ctx.window(), "Nothing to score", rows.isEmpty()
                    ? "Add images first: drop them on the window or use Choose files…."
                    : "All " + rows.size() + " files are already scored with " + bundleDir.getFileName()
                            + ". Add more images, or choose another model to score them again.");
            return;
        }
        todo.forEach(p -> {
            Row r = byFile.get(p);
            r.status.set("queued");
            r.score.set(null);
            r.model = null;
        });
        FxBatcher<ScoreResult> results = new FxBatcher<>(batch -> {
            for (ScoreResult r : batch) {
                Row row = byFile.get(r.file().toAbsolutePath().normalize());
                if (row == null) {
                    continue;
                }
                if (r.isOk()) {
                    row.score.set(r.score());
                    row.model = bundleDir;
                    row.status.set("ok");
                } else {
                    row.score.set(null);
                    row.status.set("failed: " + r.error());
                }
            }
            updateSummary();
        });
        String chosen = precision.getValue();
        precisionInUse.setText("");
        job = BackgroundTask.<Void>of("Score " + todo.size() + " images", c -> {
            c.progress("load model", 0, 0, bundleDir.getFileName().toString());
            try (ImageScorer scorer = factory.open(bundleDir, chosen)) {
                c.log(scorer.describe());
                String used = scorer.precisionInUse();
                Platform.runLater(() -> precisionInUse.setText(used.isEmpty() ? ""
                        : "encoder: " + used + (chosen.equals("auto") ? " (auto)" : "")));
                int[] n = {0};
                scorer.scoreAll(todo, r -> {
                    results.add(r);
                    c.progress("score", ++n[0], todo.size(), r.file().getFileName().toString());
                }, c);
            }
            return null;
        });
        job.onProgress(p -> progress.setProgress(p.fraction()))
                .onSuccess(v -> progress.setProgress(1))
                .onFailure(e -> Dialogs.error(ctx.window(), "Scoring failed", e))
                .onCancelled(() -> rows.stream().filter(r -> "queued".equals(r.status()))
                        .forEach(r -> r.status.set("cancelled")))
                .onFinished(() -> {
                    score.setDisable(false);
                    cancel.setDisable(true);
                    job = null;
                    updateSummary();
                });
        score.setDisable(true);
        cancel.setDisable(false);
        ctx.tasks().execute(job);
    }

    private void updateSummary() {
        long ok = rows.stream().filter(r -> r.score() != null).count();
        long failed = rows.stream().filter(r -> r.status().startsWith("failed")).count();
        summary.setText(rows.size() + " files · " + ok + " scored · " + failed + " failed");
    }

    private String tsv(List<Row> list) {
        StringBuilder sb = new StringBuilder("file\tscore\tstatus\n");
        for (Row r : list) {
            sb.append(r.file).append('\t').append(r.score() == null ? "" : String.format(Locale.ROOT, "%.6f", r.score()))
                    .append('\t').append(r.status()).append('\n');
        }
        return sb.toString();
    }

    private void copySelection() {
        List<Row> sel = new ArrayList<>(table.getSelectionModel().getSelectedItems());
        if (sel.isEmpty()) {
            sel = new ArrayList<>(table.getItems());
        }
        ClipboardContent c = new ClipboardContent();
        c.putString(tsv(sel));
        Clipboard.getSystemClipboard().setContent(c);
    }

    private void exportCsv() {
        FileChooser fc = new FileChooser();
        fc.setTitle("Export scores");
        fc.setInitialFileName("scores.csv");
        fc.setInitialDirectory(exportFolder());
        fc.getExtensionFilters().add(new FileChooser.ExtensionFilter("CSV", "*.csv"));
        File f = fc.showSaveDialog(ctx.window());
        if (f != null) {
            exportTo(f.toPath());
        }
    }

    /** Writes the rows as shown (filtered, sorted) as CSV: file,score,status. */
    public void exportTo(Path file) {
        List<Row> list = List.copyOf(table.getItems());
        StringBuilder sb = new StringBuilder("file,score,status\n");
        for (Row r : list) {
            sb.append(csv(r.file.toString())).append(',')
                    .append(r.score() == null ? "" : String.format(Locale.ROOT, "%.6f", r.score())).append(',')
                    .append(csv(r.status())).append('\n');
        }
        String text = sb.toString();
        List<Path> scored = list.stream().map(r -> r.file).toList();
        Path model = bundle.getText().isBlank() ? null : Path.of(bundle.getText().strip());
        ctx.tasks().execute("Export scores", c -> {
            // the save dialog asked about replacing; the guard still refuses a scored image or the bundle itself
            OutputPaths.file(file, "csv").inputs(scored).protect(model, "the model bundle").force(true).check();
            AtomicFiles.writeString(file, text);
            return file;
        }, p -> Dialogs.info(ctx.window(), "Scores exported", list.size() + " rows written to " + p));
    }

    /** The project's folder when one is open, else the folder of the first listed image. */
    java.io.File exportFolder() {
        java.io.File f = Ui.exportFolder(ctx);
        if (f == null && !rows.isEmpty() && rows.get(0).file.getParent() != null
                && Files.isDirectory(rows.get(0).file.getParent())) {
            f = rows.get(0).file.getParent().toFile();
        }
        return f;
    }

    static String csv(String s) {
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? '"' + s.replace("\"", "\"\"") + '"' : s;
    }

    public ObservableList<Row> rows() {
        return rows;
    }

    public SaliencyPane saliency() {
        return saliency;
    }

    public TableView<Row> table() {
        return table;
    }

    public void setBundle(Path dir) {
        bundle.setText(dir.toString());
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
