package dev.rali.app.views;

import dev.rali.app.AppContext;
import dev.rali.app.ViewFeature;
import dev.rali.app.Dialogs;
import dev.rali.engine.analysis.BasisExplorer;
import dev.rali.engine.analysis.EmbeddingAnalysisService;
import dev.rali.engine.analysis.Explainer;
import dev.rali.engine.project.ProjectQueries;
import dev.rali.engine.project.Runs;
import dev.rali.engine.task.BackgroundTask;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.SplitPane;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.image.ImageView;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import javafx.scene.paint.Color;
import javafx.stage.FileChooser;

/**
 * Bases: RALI's learned "vocabulary of quality". For a run, each of its K bases (μ, f) with its score f, its size
 * (training images whose nearest basis it is), the words that set its traces apart (tf-idf), its nearest training
 * images with their reasoning, and where it lies on a t-SNE map of the training images. "Explain image…" scores an
 * image with the run and lists the bases that carried the score (top softmax weights w, their f, w·f). Same engine
 * code as {@code rali analyze bases} / {@code explain}.
 */
public final class BasesView implements AppView {
    public static final String TITLE = "Bases";
    /** Projects up to this size get their bases computed as soon as the view is first shown. */
    static final int AUTO_IMAGES = 5000;

    public static final class Feature extends ViewFeature {
        public Feature() {
            super("bases", TITLE, 75, BasesView::new, EmbeddingAnalysisService.class);
        }
    }

    private final AppContext ctx;
    private final StackPane root = new StackPane();
    private final BorderPane content = new BorderPane();
    private final ComboBox<DomainGapView.RunChoice> run = new ComboBox<>();
    private final Button compute = new Button("Show bases");
    private final Button cancel = new Button("Cancel");
    private final Button explain = new Button("Explain image…");
    private final ProgressBar progress = new ProgressBar(0);
    private final Label status = new Label();
    private final TableView<BasisExplorer.Basis> table = new TableView<>();
    private final MapCanvas map = new MapCanvas();
    private final Label detail = Ui.hint("Choose a basis to see its images and reasoning.");
    private final ListView<BasisExplorer.Member> members = new ListView<>();
    private final Label explanation = Ui.hint("Explain image… scores an image with this run and shows the bases "
            + "that carried its score.");
    private final TableView<Explainer.Carrier> carriers = new TableView<>();
    private final VBox empty;
    private BasisExplorer.Report report;
    private BackgroundTask<?> job;
    private boolean shownOnce;
    private boolean runsLoaded;
    private boolean autoDone;
    private int totalImages;

    public BasesView(AppContext ctx) {
        this.ctx = ctx;
        run.setId("basesRun");
        run.setPromptText("no run with a score head");
        compute.setId("basesCompute");
        compute.setOnAction(e -> compute());
        Ui.cancelButton(cancel, "basesCancel", () -> job);
        explain.setId("basesExplain");
        explain.setOnAction(e -> chooseAndExplain());
        status.setId("basesStatus");
        progress.setPrefWidth(140);
        HBox bar = new HBox(8, new Label("Run"), run, compute, cancel, explain, progress, status);
        bar.setAlignment(Pos.CENTER_LEFT);
        Ui.noCollapse(bar);
        status.setMinWidth(0); // the status text shrinks first, wrapping instead of being cut
        status.setWrapText(true);
        HBox.setHgrow(status, Priority.ALWAYS);

        table.setId("basesTable");
        table.setPlaceholder(new Label("No bases yet: choose a run and press Show bases."));
        table.getColumns().add(Ui.column("Basis", BasisExplorer.Basis::index, 52));
        TableColumn<BasisExplorer.Basis, String> f = Ui.column("f", b -> Ui.num(b.f(), 3), 62);
        f.setComparator((a, b) -> Double.compare(Double.parseDouble(a), Double.parseDouble(b)));
        table.getColumns().add(f);
        table.getColumns().add(Ui.column("Images", BasisExplorer.Basis::size, 62));
        table.getColumns().add(Ui.column("Distinguishing words (tf-idf)", b -> String.join(", ", b.words()), 320));
        table.getSelectionModel().selectedItemProperty().addListener((o, a, b) -> basisSelected(b));
        map.setId("basesMap");
        map.setOnSelect(sel -> {
            if (report != null && !sel.isEmpty()) {
                int b = report.mapBasis()[sel.iterator().next()];
                table.getItems().stream().filter(x -> x.index() == b).findFirst()
                        .ifPresent(x -> table.getSelectionModel().select(x));
            }
        });
        VBox left = new VBox(8, table, map);
        table.setPrefHeight(300);
        VBox.setVgrow(map, Priority.ALWAYS);
        left.setPadding(new Insets(4));

        detail.setId("basesDetail");
        members.setId("basesMembers");
        members.setCellFactory(l -> new MemberCell());
        VBox.setVgrow(members, Priority.ALWAYS);
        explanation.setId("basesExplanation");
        carriers.setId("basesCarriers");
        carriers.setPrefHeight(170);
        carriers.setPlaceholder(new Label("No image explained yet."));
        carriers.getColumns().add(Ui.column("Basis", Explainer.Carrier::basis, 52));
        carriers.getColumns().add(Ui.column("weight w", c -> Ui.num(c.weight(), 3), 80));
        carriers.getColumns().add(Ui.column("f", c -> Ui.num(c.f(), 3), 64));
        carriers.getColumns().add(Ui.column("w·f", c -> Ui.num(c.contribution(), 3), 64));
        carriers.getColumns().add(Ui.column("words", c -> words(c.basis()), 200));
        carriers.getSelectionModel().selectedItemProperty().addListener((o, a, c) -> {
            if (c != null) {
                table.getItems().stream().filter(x -> x.index() == c.basis()).findFirst()
                        .ifPresent(x -> table.getSelectionModel().select(x));
            }
        });
        VBox right = new VBox(8, Ui.heading("Basis"), detail, members, Ui.heading("Explain a score"), explanation,
                carriers);
        right.setPadding(new Insets(4, 4, 4, 10));
        SplitPane split = new SplitPane(left, right);
        split.setDividerPositions(0.55);
        content.setCenter(split);
        Ui.withBar(content, bar);
        empty = Ui.emptyState("No project open", "Open a project with a pipeline run on the Start page to inspect "
                + "its bases.");
        root.getChildren().addAll(content, empty);
        ctx.project().queriesProperty().addListener((o, a, q) -> {
            autoDone = false;
            runsLoaded = false;
            clear();
            reload();
        });
        ctx.project().revisionProperty().addListener((o, a, b) -> reload());
        ctx.project().runsRevisionProperty().addListener((o, a, b) -> reload());
        reload();
    }

    private final class MemberCell extends ListCell<BasisExplorer.Member> {
        private final ImageView view = new ImageView();
        private final Label text = new Label();

        MemberCell() {
            view.setFitWidth(96);
            view.setFitHeight(96);
            view.setPreserveRatio(true);
            text.setWrapText(true);
            text.maxWidthProperty().bind(members.widthProperty().subtract(140));
            StackPane pic = new StackPane(view);
            pic.setPrefSize(96, 96);
            pic.setMinSize(96, 96);
            HBox box = new HBox(8, pic, text);
            box.setAlignment(Pos.TOP_LEFT);
            setGraphic(box);
            setContentDisplay(javafx.scene.control.ContentDisplay.GRAPHIC_ONLY);
        }

        @Override
        protected void updateItem(BasisExplorer.Member m, boolean emptyCell) {
            super.updateItem(m, emptyCell);
            if (emptyCell || m == null) {
                view.setImage(null);
                text.setText(null);
                getGraphic().setVisible(false);
                return;
            }
            getGraphic().setVisible(true);
            String r = m.reasoning().replaceAll("\\s+", " ").strip();
            text.setText(Path.of(m.path()).getFileName() + " · " + m.dataset() + String.format(Locale.ROOT,
                    "\nMOS %.2f · cosine to μ %.3f%n", m.mos(), m.cosine())
                    + (r.isEmpty() ? "(no reasoning trace)" : r.length() > 320 ? r.substring(0, 320) + "…" : r));
            Path p = Path.of(m.path());
            view.setImage(ctx.thumbnails().cached(p));
            if (view.getImage() == null) {
                ctx.thumbnails().load(p, img -> {
                    if (getItem() == m) {
                        view.setImage(img);
                    }
                });
            }
        }
    }

    private void clear() {
        report = null;
        table.getItems().clear();
        members.getItems().clear();
        carriers.getItems().clear();
        map.setPoints(new double[0][], "training images", "", "");
        map.setMessage("");
        detail.setText("Choose a basis to see its images and reasoning.");
    }

    private void reload() {
        ProjectQueries q = ctx.project().queries();
        empty.setVisible(q == null);
        content.setVisible(q != null);
        if (q == null) {
            return;
        }
        if (!ctx.services().has(EmbeddingAnalysisService.class)) {
            status.setText("no embedding-analysis service in this build: use `rali analyze bases`");
            compute.setDisable(true);
            explain.setDisable(true);
            return;
        }
        ctx.tasks().execute("Load runs", c -> {
            List<DomainGapView.RunChoice> runs = new ArrayList<>();
            for (Runs.RunItem r : q.runs().list()) {
                Set<String> kinds = new TreeSet<>();
                for (Runs.Artifact a : q.runs().artifacts(r.id())) {
                    kinds.add(a.kind());
                }
                if (kinds.contains("head") && kinds.contains("encoder")) {
                    runs.add(new DomainGapView.RunChoice(r.id(), "run " + r.id() + " · " + r.stage() + " · "
                            + r.status()));
                }
            }
            int images = 0;
            for (var d : dev.rali.engine.dataset.Datasets.list(q.store())) {
                images += d.count();
            }
            return java.util.Map.entry(images, DomainGapView.preferNewestFullRun(runs, q));
        }, e -> {
            totalImages = e.getKey();
            DomainGapView.RunChoice keep = run.getValue();
            List<DomainGapView.RunChoice> choices = e.getValue().getKey();
            run.getItems().setAll(choices);
            if (keep != null && choices.contains(keep)) {
                run.setValue(keep);
            } else if (!choices.isEmpty()) {
                run.setValue(e.getValue().getValue() != null ? e.getValue().getValue() : choices.get(0));
            }
            boolean none = choices.isEmpty();
            compute.setDisable(none);
            explain.setDisable(none);
            if (none) {
                map.setPoints(new double[0][], "training images", "", "");
                map.setMessage("No run with a score head yet: run the pipeline (Pipeline view) first.");
                status.setText("no run with an encoder and a score head");
            }
            runsLoaded = true;
            maybeAutoCompute();
        });
    }

    @Override
    public void shown() {
        shownOnce = true;
        maybeAutoCompute();
    }

    private void maybeAutoCompute() {
        if (shownOnce && runsLoaded && !autoDone && report == null && job == null && run.getValue() != null
                && totalImages <= AUTO_IMAGES) {
            autoDone = true;
            compute();
        }
    }

    /** Loads the chosen run's bases in the background. */
    public void compute() {
        EmbeddingAnalysisService svc = ctx.services().get(EmbeddingAnalysisService.class);
        DomainGapView.RunChoice r = run.getValue();
        if (svc == null || r == null || ctx.project().store() == null || job != null) {
            return;
        }
        var store = ctx.project().store();
        BackgroundTask<BasisExplorer.Report> t = BackgroundTask.of("Bases of run " + r.id(),
                c -> svc.bases(store, r.id(), 6, 8, 2000, c));
        t.onSuccess(this::show)
                .onFailure(e -> {
                    status.setText("failed: " + Dialogs.message(e));
                    Dialogs.error(ctx.window(), "Bases failed", e);
                });
        start(t);
    }

    private void start(BackgroundTask<?> t) {
        job = t;
        t.onProgress(p -> {
            progress.setProgress(p.fraction());
            status.setText(p.phase() + " " + p.done() + "/" + p.total());
        }).onCancelled(() -> status.setText("cancelled")).onFinished(() -> {
            job = null;
            compute.setDisable(run.getValue() == null);
            explain.setDisable(run.getValue() == null);
            cancel.setDisable(true);
            progress.setProgress(0);
        });
        compute.setDisable(true);
        explain.setDisable(true);
        cancel.setDisable(false);
        ctx.tasks().execute(t);
    }

    public void show(BasisExplorer.Report r) {
        report = r;
        status.setText(String.format(Locale.ROOT, "run %d: %d bases over %d training images of %s/%s, τ %.3g",
                r.runId(), r.bases().size(), r.trainingImages(), r.dataset(), r.split(), r.tau()));
        table.getItems().setAll(r.bases());
        double[] f = new double[r.bases().size()];
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (BasisExplorer.Basis b : r.bases()) {
            f[b.index()] = b.f();
            lo = Math.min(lo, b.f());
            hi = Math.max(hi, b.f());
        }
        map.setPoints(r.mapCoordinates(), "training images, t-SNE, numbered at each basis's mean position",
                "t-SNE 1", "t-SNE 2");
        map.setMessage(r.mapCoordinates().length == 0 ? "too few training images for a map" : "");
        Color[] c = new Color[r.mapCoordinates().length];
        for (int i = 0; i < c.length; i++) {
            c[i] = MapCanvas.ramp(hi > lo ? (f[r.mapBasis()[i]] - lo) / (hi - lo) : 0.5);
        }
        map.setColours(c, MapCanvas.Legend.bar("f of nearest basis", lo, hi));
        List<MapCanvas.Annotation> labels = new ArrayList<>();
        for (BasisExplorer.Basis b : r.bases()) {
            labels.add(new MapCanvas.Annotation(b.mapX(), b.mapY(), Integer.toString(b.index())));
        }
        map.setAnnotations(labels);
        if (!r.bases().isEmpty()) {
            // open on the largest basis: the one most training images stand nearest to
            table.getSelectionModel().select(r.bases().stream()
                    .max(java.util.Comparator.comparingInt(BasisExplorer.Basis::size)).orElseThrow());
        }
    }

    private void basisSelected(BasisExplorer.Basis b) {
        if (b == null || report == null) {
            return;
        }
        detail.setText(String.format(Locale.ROOT, "Basis %d: f %.3f · %d training image(s) nearest · map position "
                        + "%s%nWords that set its traces apart: %s", b.index(), b.f(), b.size(),
                Double.isFinite(b.mapX()) ? String.format(Locale.ROOT, "(%.1f, %.1f)", b.mapX(), b.mapY()) : "none",
                b.words().isEmpty() ? "(none: no traces)" : String.join(", ", b.words())));
        members.getItems().setAll(b.nearest());
        Set<Integer> sel = new LinkedHashSet<>();
        for (int i = 0; i < report.mapBasis().length; i++) {
            if (report.mapBasis()[i] == b.index()) {
                sel.add(i);
            }
        }
        map.setSelected(sel);
    }

    private String words(int basis) {
        if (report == null || basis >= report.bases().size()) {
            return "";
        }
        List<String> w = report.bases().get(basis).words();
        return String.join(", ", w.subList(0, Math.min(4, w.size())));
    }

    private void chooseAndExplain() {
        FileChooser fc = new FileChooser();
        fc.setTitle("Explain an image's score");
        fc.getExtensionFilters().add(new FileChooser.ExtensionFilter("Images", "*.png", "*.jpg", "*.jpeg", "*.bmp",
                "*.tif", "*.tiff", "*.webp"));
        File f = fc.showOpenDialog(ctx.window());
        if (f != null) {
            explain(f.toPath());
        }
    }

    /** Scores one image with the chosen run and shows the bases that carried the score. */
    public void explain(Path image) {
        EmbeddingAnalysisService svc = ctx.services().get(EmbeddingAnalysisService.class);
        DomainGapView.RunChoice r = run.getValue();
        if (svc == null || r == null || ctx.project().store() == null || job != null) {
            return;
        }
        var store = ctx.project().store();
        BackgroundTask<Explainer.Explanation> t = BackgroundTask.of("Explain " + image.getFileName(),
                c -> svc.explain(store, r.id(), List.of(image), 5, c).get(0));
        t.onSuccess(this::showExplanation)
                .onFailure(e -> {
                    explanation.setText("Could not explain " + image.getFileName() + ": " + Dialogs.message(e));
                    Dialogs.error(ctx.window(), "Explain failed", e);
                });
        start(t);
    }

    void showExplanation(Explainer.Explanation e) {
        String name = Path.of(e.file()).getFileName().toString();
        if (e.error() != null) {
            explanation.setText(name + ": " + e.error());
            carriers.getItems().clear();
            return;
        }
        double carried = e.carriers().stream().mapToDouble(Explainer.Carrier::contribution).sum();
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "%s scored %.2f (ŝ = Σ w·f over all bases); the top %d carry %.2f of it.", name, e.score(),
                e.carriers().size(), carried));
        if (!e.carriers().isEmpty()) {
            Explainer.Carrier top = e.carriers().get(0);
            String w = words(top.basis());
            sb.append(String.format(Locale.ROOT, " It looks most like basis %d (w %.2f, f %.2f%s).", top.basis(),
                    top.weight(), top.f(), w.isEmpty() ? "" : ": " + w));
        }
        explanation.setText(sb.toString());
        carriers.getItems().setAll(e.carriers());
        if (!e.carriers().isEmpty()) {
            carriers.getSelectionModel().select(0);
        }
    }

    // for tests
    public TableView<BasisExplorer.Basis> table() {
        return table;
    }

    public ListView<BasisExplorer.Member> members() {
        return members;
    }

    public MapCanvas map() {
        return map;
    }

    public Label explanationLabel() {
        return explanation;
    }

    public TableView<Explainer.Carrier> carriers() {
        return carriers;
    }

    public Label detailLabel() {
        return detail;
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
