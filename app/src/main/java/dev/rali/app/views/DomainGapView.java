package dev.rali.app.views;

import dev.rali.app.AppContext;
import dev.rali.app.ViewFeature;
import dev.rali.app.Dialogs;
import dev.rali.engine.analysis.DomainGapParams;
import dev.rali.engine.analysis.DomainGapResult;
import dev.rali.engine.analysis.EmbeddingAnalysisService;
import dev.rali.engine.analysis.EmbeddingSpace;
import dev.rali.engine.analysis.MapProjection;
import dev.rali.engine.analysis.ProjectSpaces;
import dev.rali.engine.dataset.DatasetSummary;
import dev.rali.engine.dataset.Datasets;
import dev.rali.engine.io.AtomicFiles;
import dev.rali.engine.io.OutputPaths;
import dev.rali.engine.project.ProjectQueries;
import dev.rali.engine.project.Runs;
import dev.rali.engine.task.BackgroundTask;
import dev.rali.engine.task.CancelledException;
import dev.rali.engine.task.TaskContext;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import javafx.embed.swing.SwingFXUtils;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.CheckMenuItem;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.MenuButton;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Spinner;
import javafx.scene.control.SplitPane;
import javafx.scene.control.TextField;
import javafx.scene.control.ToggleButton;
import javafx.scene.control.ToggleGroup;
import javafx.scene.image.ImageView;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import javafx.scene.paint.Color;
import javafx.stage.FileChooser;
import javax.imageio.ImageIO;

/**
 * Domain gap (paper Fig. 4, with numbers): the same images in several embedding spaces (base CLIP, the run's aligned
 * encoder, after its PCA, the reasoning-text embeddings) mapped to 2-D side by side, each with the numbers no figure
 * gives under it (domain-classifier accuracy with chance, MMD² with permutation p, kNN score SRCC within/across
 * datasets, the map's trustworthiness). Points are coloured by dataset, MOS, predicted score, split or trace source;
 * hovering shows the image and its reasoning; a box or lasso selection is linked across the maps and opens in the
 * Datasets grid. Computed in the background ({@link EmbeddingAnalysisService}, the CLI's code); exports PNG, SVG, CSV.
 */
public final class DomainGapView implements AppView {
    public static final String TITLE = "Domain gap";
    static final String ORIGIN = "the domain-gap map";
    /** Projects up to this size are analysed (base space) as soon as the view is first shown. */
    static final int AUTO_IMAGES = 2000;

    public static final class Feature extends ViewFeature {
        public Feature() {
            super("domain-gap", TITLE, 70, DomainGapView::new, EmbeddingAnalysisService.class);
        }
    }

    /** What the view knows about one image, for colours, hover and the selection list. */
    public record PointInfo(long imageId, String dataset, String name, Path path, String split, Double mos,
                            Double predicted, String source, String reasoning) { }

    /** One space's outcome: its rows and result, or why it could not be computed. */
    public record Outcome(ProjectSpaces.Space space, EmbeddingSpace rows, DomainGapResult result, String error) { }

    public record Computed(List<Outcome> outcomes, Map<String, PointInfo> info, Long runId) { }

    /** A run that has an encoder and a head (needed by the aligned and pca spaces). */
    public record RunChoice(Long id, String label) {
        @Override
        public String toString() {
            return label;
        }
    }

    static final List<String> COLOUR_BY = List.of("dataset", "MOS", "predicted score", "split", "trace source");

    private final AppContext ctx;
    private final StackPane root = new StackPane();
    private final BorderPane content = new BorderPane();
    private final MenuButton datasets = new MenuButton("Datasets: all");
    private final ComboBox<RunChoice> run = new ComboBox<>();
    private final Map<ProjectSpaces.Space, CheckBox> spaceBoxes = new LinkedHashMap<>();
    private final ComboBox<String> method = new ComboBox<>();
    private final Spinner<Double> perplexity = new Spinner<>(2.0, 100.0, 30.0, 5.0);
    private final Spinner<Integer> neighbours = new Spinner<>(2, 200, 15, 1);
    private final Spinner<Integer> cap = new Spinner<>(50, 20000, 2000, 250);
    private final TextField seed = new TextField("42");
    private final Button compute = new Button("Compute");
    private final Button cancel = new Button("Cancel");
    private final ProgressBar progress = new ProgressBar(0);
    private final Label status = new Label();
    private final ComboBox<String> colourBy = new ComboBox<>();
    private final ToggleButton boxMode = new ToggleButton("Box");
    private final ToggleButton lassoMode = new ToggleButton("Lasso");
    private final GridPane maps = new GridPane();
    private final VBox mapsBox = new VBox(6);
    private final Label placeholder = Ui.hint("");
    private final ImageView thumb = new ImageView();
    private final Label pointInfo = new Label("Hover a point to see its image and reasoning.");
    private final Label reasoning = new Label();
    private final Label selectionCount = new Label("No points selected: drag a box or lasso on a map.");
    private final ListView<PointInfo> selectionList = new ListView<>();
    private final Button openInDatasets = new Button("Open in Datasets");
    private final List<Panel> panels = new ArrayList<>();
    private final VBox empty;
    private Map<String, PointInfo> info = Map.of();
    private Long computedRun;
    private Set<String> selectedIds = Set.of();
    private BackgroundTask<Computed> job;
    private boolean autoDone;
    private boolean shownOnce;
    private boolean runsLoaded;
    private int totalImages;

    /** One space on screen: its map and the numbers under it. */
    public final class Panel {
        public final Outcome outcome;
        public final MapCanvas map = new MapCanvas();
        public final Label numbers = new Label();
        final VBox box;

        Panel(Outcome o) {
            this.outcome = o;
            map.setId("map-" + o.space().label());
            numbers.setId("numbers-" + o.space().label());
            numbers.getStyleClass().add("gap-numbers");
            numbers.setWrapText(true);
            numbers.setStyle("-fx-font-size: 11.5px;");
            numbers.setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE);
            box = new VBox(4, map, numbers);
            VBox.setVgrow(map, Priority.ALWAYS);
            if (o.result() == null) {
                map.setPoints(new double[0][], spaceTitle(o), "", "");
                map.setMessage("not computed");
                numbers.setText(o.error());
                return;
            }
            DomainGapResult r = o.result();
            String m = r.map().method().label();
            map.setPoints(r.map().coordinates(), spaceTitle(o), m + " 1", m + " 2");
            numbers.setText(numbersText(r));
            map.setOnHover(i -> hovered(i < 0 ? null : id(i)));
            map.setOnSelect(sel -> {
                Set<String> ids = new LinkedHashSet<>();
                for (int i : sel) {
                    ids.add(id(i));
                }
                select(ids);
            });
        }

        public String id(int mapIndex) {
            return outcome.rows().ids()[outcome.result().map().rows()[mapIndex]];
        }

        String group(int mapIndex) {
            return outcome.rows().groups()[outcome.result().map().rows()[mapIndex]];
        }
    }

    public DomainGapView(AppContext ctx) {
        this.ctx = ctx;
        for (ProjectSpaces.Space s : ProjectSpaces.Space.values()) {
            CheckBox b = new CheckBox(s.label());
            b.setId("space-" + s.label());
            b.setSelected(s == ProjectSpaces.Space.BASE || s == ProjectSpaces.Space.TEXT);
            Ui.tip(b, switch (s) {
                case BASE -> "base CLIP image embeddings";
                case ALIGNED -> "the run's aligned image encoder (Stage B)";
                case PCA -> "the aligned embeddings after the run's PCA";
                case TEXT -> "reasoning-text embeddings of the images' traces (frozen text tower)";
            });
            spaceBoxes.put(s, b);
        }
        datasets.setId("gapDatasets");
        run.setId("gapRun");
        run.setPromptText("no run");
        run.valueProperty().addListener((o, a, b) -> {
            boolean has = b != null && b.id() != null;
            spaceBoxes.get(ProjectSpaces.Space.ALIGNED).setDisable(!has);
            spaceBoxes.get(ProjectSpaces.Space.PCA).setDisable(!has);
            recolour();
        });
        method.setId("gapMethod");
        Ui.tip(method, "t-SNE: Barnes-Hut, the same map for the same seed. t-SNE (exact, Smile): Smile's O(n²) "
                + "t-SNE, up to 5,000 points. UMAP: Smile's; its spectral start (ARPACK) is not seeded, so a second "
                + "UMAP of the same data in this session can differ slightly (a fresh start repeats the first).");
        for (MapProjection.Method m : MapProjection.Method.values()) {
            method.getItems().add(m.label());
        }
        method.setValue(MapProjection.Method.TSNE.label());
        perplexity.setId("gapPerplexity");
        perplexity.setEditable(true);
        perplexity.setPrefWidth(80);
        neighbours.setId("gapNeighbours");
        neighbours.setEditable(true);
        neighbours.setPrefWidth(72);
        cap.setId("gapCap");
        cap.setEditable(true);
        cap.setPrefWidth(90);
        seed.setId("gapSeed");
        seed.setPrefColumnCount(4);
        perplexity.disableProperty().bind(method.valueProperty().isEqualTo(MapProjection.Method.UMAP.label()));
        neighbours.disableProperty().bind(method.valueProperty().isNotEqualTo(MapProjection.Method.UMAP.label()));
        compute.setId("gapCompute");
        compute.setDefaultButton(true);
        compute.setOnAction(e -> compute());
        Ui.cancelButton(cancel, "gapCancel", () -> job);
        progress.setPrefWidth(140);
        status.setId("gapStatus");
        HBox spaces = new HBox(6);
        spaces.getChildren().add(new Label("Spaces"));
        spaces.getChildren().addAll(spaceBoxes.values());
        HBox bar1 = new HBox(8, datasets, new Label("Run"), run, spaces);
        bar1.setAlignment(Pos.CENTER_LEFT);
        HBox bar2 = new HBox(8, new Label("Map"), method, Ui.tip(new Label("perplexity"),
                "t-SNE perplexity: needs more than 3 × perplexity points"), perplexity,
                Ui.tip(new Label("neighbours"), "UMAP neighbours (k of the k-NN graph)"), neighbours,
                Ui.tip(new Label("cap"), "at most this many points per map (stratified by dataset); the numbers use "
                        + "up to 10,000"), cap, new Label("seed"), seed, compute, cancel);
        bar2.setAlignment(Pos.CENTER_LEFT);

        colourBy.setId("gapColourBy");
        colourBy.getItems().setAll(COLOUR_BY);
        colourBy.setValue("dataset");
        colourBy.setOnAction(e -> recolour());
        ToggleGroup g = new ToggleGroup();
        boxMode.setToggleGroup(g);
        lassoMode.setToggleGroup(g);
        boxMode.setId("gapBox");
        lassoMode.setId("gapLasso");
        boxMode.setSelected(true);
        g.selectedToggleProperty().addListener((o, a, b) -> {
            if (b == null) {
                a.setSelected(true);
                return;
            }
            panels.forEach(p -> p.map.setMode(b == lassoMode ? MapCanvas.Mode.LASSO : MapCanvas.Mode.BOX));
        });
        Button png = new Button("Export PNG…");
        png.setOnAction(e -> chooseAndExport("png"));
        Button svg = new Button("Export SVG…");
        svg.setOnAction(e -> chooseAndExport("svg"));
        Button csv = new Button("Export CSV…");
        csv.setOnAction(e -> chooseAndExport("csv"));
        HBox bar3 = new HBox(8, new Label("Colour by"), colourBy, new Label("Select"), boxMode, lassoMode,
                new Label("·"), png, svg, csv);
        bar3.setAlignment(Pos.CENTER_LEFT);
        HBox bar4 = new HBox(8, progress, status);
        bar4.setAlignment(Pos.CENTER_LEFT);
        for (HBox b : List.of(bar1, bar2, bar3, spaces)) {
            Ui.noCollapse(b);
        }
        VBox bars = new VBox(6, bar1, bar2, bar3, bar4);

        maps.setHgap(10);
        maps.setVgap(10);
        placeholder.setId("gapPlaceholder");
        placeholder.setMaxWidth(620);
        mapsBox.getChildren().setAll(placeholder);
        mapsBox.setPadding(new Insets(4));
        VBox.setVgrow(maps, Priority.ALWAYS);

        thumb.setFitWidth(200);
        thumb.setFitHeight(160);
        thumb.setPreserveRatio(true);
        pointInfo.setId("gapPointInfo");
        pointInfo.setWrapText(true);
        pointInfo.setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE);
        reasoning.setId("gapReasoning");
        reasoning.setWrapText(true);
        reasoning.getStyleClass().add("hint");
        ScrollPane reasoningScroll = new ScrollPane(reasoning);
        reasoningScroll.setFitToWidth(true);
        reasoningScroll.setPrefHeight(150);
        selectionCount.setId("gapSelectionCount");
        selectionCount.setWrapText(true);
        selectionCount.setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE);
        selectionList.setId("gapSelection");
        selectionList.setCellFactory(l -> new javafx.scene.control.ListCell<>() {
            @Override
            protected void updateItem(PointInfo p, boolean emptyCell) {
                super.updateItem(p, emptyCell);
                setText(emptyCell || p == null ? null : p.dataset() + " · " + p.name() + " · MOS " + Ui.num(p.mos(), 2)
                        + (p.predicted() == null ? "" : " · pred " + Ui.num(p.predicted(), 2)));
            }
        });
        selectionList.getSelectionModel().selectedItemProperty().addListener((o, a, p) -> {
            if (p != null) {
                showPoint(p);
            }
        });
        openInDatasets.setId("gapOpenInDatasets");
        openInDatasets.setDisable(true);
        openInDatasets.setOnAction(e -> openSelection());
        VBox side = new VBox(8, Ui.heading("Point"), thumb, pointInfo, reasoningScroll, Ui.heading("Selection"),
                selectionCount, selectionList, openInDatasets);
        VBox.setVgrow(selectionList, Priority.ALWAYS);
        side.setPadding(new Insets(4, 4, 4, 10));
        side.setMinWidth(240);
        ScrollPane mapsScroll = new ScrollPane(mapsBox);
        mapsScroll.setFitToWidth(true);
        mapsScroll.setFitToHeight(true);
        SplitPane split = new SplitPane(mapsScroll, side);
        split.setDividerPositions(0.76);
        content.setCenter(split);
        Ui.withBar(content, bars);
        empty = Ui.emptyState("No project open", "Open a project on the Start page: the domain-gap maps compare its "
                + "datasets in the base, aligned, PCA and reasoning-text spaces.");
        root.getChildren().addAll(content, empty);
        ctx.project().queriesProperty().addListener((o, a, q) -> {
            autoDone = false;
            runsLoaded = false;
            clearResults();
            reload();
        });
        reload();
    }

    private void reload() {
        ProjectQueries q = ctx.project().queries();
        empty.setVisible(q == null);
        content.setVisible(q != null);
        if (q == null) {
            return;
        }
        if (!ctx.services().has(EmbeddingAnalysisService.class)) {
            placeholder.setText("This build has no embedding-analysis service wired in; use `rali analyze domain-gap`"
                    + " on the command line.");
            compute.setDisable(true);
            return;
        }
        placeholder.setText("Choose the spaces and press Compute. Each space is embedded (from the cache where the "
                + "pipeline already did it), mapped to 2-D and measured: domain-classifier accuracy, MMD² between "
                + "datasets, kNN score SRCC and the map's trustworthiness.");
        ctx.tasks().execute("Load runs", c -> {
            List<DatasetSummary> ds = Datasets.list(q.store());
            List<RunChoice> runs = new ArrayList<>();
            for (Runs.RunItem r : q.runs().list()) {
                Set<String> kinds = new TreeSet<>();
                for (Runs.Artifact a : q.runs().artifacts(r.id())) {
                    kinds.add(a.kind());
                }
                if (kinds.contains("head") && kinds.contains("encoder")) {
                    runs.add(new RunChoice(r.id(), "run " + r.id() + " · " + r.stage() + " · " + r.status()));
                }
            }
            return Map.entry(ds, preferNewestFullRun(runs, q));
        }, e -> {
            datasets.getItems().clear();
            totalImages = 0;
            for (DatasetSummary d : e.getKey()) {
                CheckMenuItem item = new CheckMenuItem(d.name() + " (" + d.count() + ")");
                item.setUserData(d.name());
                item.setSelected(true);
                item.setOnAction(x -> datasetsLabel());
                datasets.getItems().add(item);
                totalImages += d.count();
            }
            datasetsLabel();
            List<RunChoice> runs = new ArrayList<>();
            runs.add(new RunChoice(null, "no run"));
            runs.addAll(e.getValue().getKey());
            run.getItems().setAll(runs);
            RunChoice preferred = e.getValue().getValue();
            run.setValue(preferred != null ? preferred : runs.size() > 1 ? runs.get(1) : runs.get(0));
            if (e.getKey().isEmpty()) {
                placeholder.setText("The project has no datasets yet: import one in the Datasets view.");
                compute.setDisable(true);
            } else {
                compute.setDisable(false);
            }
            runsLoaded = true;
            maybeAutoCompute();
        });
    }

    /**
     * The runs offered, with the one to start on (null: the list's first): the newest of the researcher's own full
     * runs, as the Pipeline form starts from, when it has a head and an encoder; the demo's newest runs are its
     * ablations and sweep points. Runs on a background thread.
     */
    static Map.Entry<List<RunChoice>, RunChoice> preferNewestFullRun(List<RunChoice> runs, ProjectQueries q)
            throws Exception {
        PipelineView.Seed seed = PipelineView.seedCandidate(q.runs().list(), q.runs().sweepRunIds());
        RunChoice preferred = seed == null ? null : runs.stream()
                .filter(r -> r.id() != null && r.id() == seed.run().id()).findFirst().orElse(null);
        return new java.util.AbstractMap.SimpleImmutableEntry<>(runs, preferred);
    }

    private void datasetsLabel() {
        List<String> chosen = chosenDatasets();
        datasets.setText(chosen.size() == datasets.getItems().size() ? "Datasets: all (" + chosen.size() + ")"
                : "Datasets: " + String.join(", ", chosen));
    }

    private List<String> chosenDatasets() {
        List<String> out = new ArrayList<>();
        for (var item : datasets.getItems()) {
            if (((CheckMenuItem) item).isSelected()) {
                out.add((String) item.getUserData());
            }
        }
        return out;
    }

    @Override
    public void shown() {
        shownOnce = true;
        maybeAutoCompute();
    }

    /** A small project is analysed at once when the view is first shown, so it opens on maps rather than a form. */
    private void maybeAutoCompute() {
        if (shownOnce && runsLoaded && !autoDone && job == null && panels.isEmpty() && totalImages > 0
                && totalImages <= AUTO_IMAGES && ctx.services().has(EmbeddingAnalysisService.class)) {
            autoDone = true;
            // only the base space: its embeddings are the pipeline's cached ones; the text space may first have
            // to embed thousands of traces, which the user starts with Compute
            compute(List.of(ProjectSpaces.Space.BASE));
        }
    }

    /** The parameters as set in the form; a bad value is named in a dialog and null is returned. */
    DomainGapParams params() {
        long s;
        try {
            s = Long.parseLong(seed.getText().strip());
        } catch (NumberFormatException e) {
            Dialogs.info(ctx.window(), "Seed", "The seed must be a whole number, got '" + seed.getText() + "'.");
            return null;
        }
        MapProjection.Method m = MapProjection.Method.ofLabel(method.getValue());
        return DomainGapParams.defaults().withMethod(m).withMap(perplexity.getValue(), neighbours.getValue(), 0, s,
                cap.getValue());
    }

    /** Computes the chosen spaces in the background (progress in the bar, Cancel stops at the next safe point). */
    public void compute() {
        List<ProjectSpaces.Space> chosen = new ArrayList<>();
        spaceBoxes.forEach((s, b) -> {
            if (b.isSelected() && !b.isDisabled()) {
                chosen.add(s);
            }
        });
        compute(chosen);
    }

    private void compute(List<ProjectSpaces.Space> chosen) {
        ProjectQueries q = ctx.project().queries();
        EmbeddingAnalysisService svc = ctx.services().get(EmbeddingAnalysisService.class);
        if (q == null || svc == null || job != null) {
            return;
        }
        DomainGapParams p = params();
        if (p == null) {
            return;
        }
        if (chosen.isEmpty()) {
            Dialogs.info(ctx.window(), "No space chosen", "Tick at least one space (base, aligned, pca or text).");
            return;
        }
        List<String> ds = chosenDatasets();
        if (ds.isEmpty()) {
            Dialogs.info(ctx.window(), "No dataset chosen", "Tick at least one dataset in the Datasets menu.");
            return;
        }
        Long runId = run.getValue() == null ? null : run.getValue().id();
        var store = ctx.project().store();
        job = BackgroundTask.of("Domain gap", c -> {
            List<Outcome> out = new ArrayList<>();
            for (int k = 0; k < chosen.size(); k++) {
                ProjectSpaces.Space s = chosen.get(k);
                TaskContext sub = prefixed(c, s.label() + " (" + (k + 1) + "/" + chosen.size() + ")");
                try {
                    EmbeddingSpace rows = svc.space(store, s, ds, s == ProjectSpaces.Space.BASE ? null : runId,
                            p.numbersCap(), p.seed(), sub);
                    out.add(new Outcome(s, rows, svc.domainGap(rows, p, sub), null));
                } catch (CancelledException e) {
                    throw e;
                } catch (IllegalArgumentException | IOException e) {
                    out.add(new Outcome(s, null, null, s.label() + ": " + e.getMessage()));
                }
            }
            c.progress("image details", 0, 1, "");
            return new Computed(out, pointInfo(q, out, runId), runId);
        });
        job.onProgress(pr -> {
            progress.setProgress(pr.fraction());
            status.setText(pr.phase() + " " + pr.done() + "/" + pr.total());
        }).onSuccess(this::show)
                .onFailure(e -> {
                    status.setText("failed: " + Dialogs.message(e));
                    Dialogs.error(ctx.window(), "Domain gap failed", e);
                })
                .onCancelled(() -> status.setText("cancelled"))
                .onFinished(() -> {
                    job = null;
                    compute.setDisable(false);
                    cancel.setDisable(true);
                    progress.setProgress(0);
                });
        compute.setDisable(true);
        cancel.setDisable(false);
        status.setText("starting…");
        ctx.tasks().execute(job);
    }

    private static TaskContext prefixed(TaskContext c, String prefix) {
        return new TaskContext() {
            @Override
            public void progress(String phase, long done, long total, String message) {
                c.progress(prefix + " · " + phase, done, total, message);
            }

            @Override
            public void log(String line) {
                c.log(line);
            }

            @Override
            public boolean isCancelled() {
                return c.isCancelled();
            }
        };
    }

    /** The images behind the maps' ids (paths): dataset, split, MOS, the run's prediction, trace source, reasoning. */
    static Map<String, PointInfo> pointInfo(ProjectQueries q, List<Outcome> outcomes, Long runId) throws Exception {
        Set<String> wanted = new LinkedHashSet<>();
        for (Outcome o : outcomes) {
            if (o.result() != null) {
                for (int r : o.result().map().rows()) {
                    wanted.add(o.rows().ids()[r]);
                }
            }
        }
        Map<Long, Double> predicted = new HashMap<>();
        if (runId != null) {
            for (List<Runs.Prediction> ps : q.runs().predictions(runId).values()) {
                for (Runs.Prediction pr : ps) {
                    predicted.put(pr.imageId(), pr.predicted());
                }
            }
        }
        Map<String, PointInfo> out = new HashMap<>();
        for (DatasetSummary d : Datasets.list(q.store())) {
            for (ProjectQueries.ImageItem it : q.images(d.id(), ProjectQueries.ImageFilter.ALL, Integer.MAX_VALUE, 0)) {
                String id = it.path().toString();
                if (!wanted.contains(id)) {
                    continue;
                }
                Set<String> sources = new TreeSet<>();
                String text = "";
                for (ProjectQueries.TraceItem t : q.traces(it.id())) {
                    sources.add(t.source());
                    if (text.isEmpty()) {
                        text = t.think() != null && !t.think().isBlank() ? t.think() : t.rawText();
                    }
                }
                out.put(id, new PointInfo(it.id(), d.name(), it.name(), it.path(), it.split(), it.mos(),
                        predicted.get(it.id()), sources.isEmpty() ? "no traces" : String.join(" + ", sources),
                        text == null ? "" : text.strip()));
            }
        }
        return out;
    }

    private void clearResults() {
        panels.clear();
        maps.getChildren().clear();
        mapsBox.getChildren().setAll(placeholder);
        info = Map.of();
        selectedIds = Set.of();
        selectionList.getItems().clear();
        selectionCount.setText("No points selected: drag a box or lasso on a map.");
        openInDatasets.setDisable(true);
    }

    private void show(Computed c) {
        clearResults();
        info = c.info();
        computedRun = c.runId();
        for (Outcome o : c.outcomes()) {
            panels.add(new Panel(o));
        }
        int cols = panels.size() <= 2 ? panels.size() : 2;
        for (int i = 0; i < panels.size(); i++) {
            Panel p = panels.get(i);
            p.map.setMode(lassoMode.isSelected() ? MapCanvas.Mode.LASSO : MapCanvas.Mode.BOX);
            p.map.setPrefHeight(panels.size() > 2 ? 300 : 480);
            GridPane.setHgrow(p.box, Priority.ALWAYS);
            GridPane.setVgrow(p.box, Priority.ALWAYS);
            maps.add(p.box, i % cols, i / cols);
        }
        maps.getColumnConstraints().clear();
        for (int k = 0; k < cols; k++) {
            javafx.scene.layout.ColumnConstraints cc = new javafx.scene.layout.ColumnConstraints();
            cc.setPercentWidth(100.0 / cols);
            maps.getColumnConstraints().add(cc);
        }
        mapsBox.getChildren().setAll(maps);
        long failed = c.outcomes().stream().filter(o -> o.result() == null).count();
        status.setText(c.outcomes().size() - failed + " space(s) mapped" + (failed > 0 ? ", " + failed
                + " could not be computed (see under its map)" : "") + (c.outcomes().size() == 1
                ? " · tick more spaces (text: the reasoning traces) and press Compute to compare them side by side"
                : ""));
        recolour();
    }

    /** Colours every map by the chosen field, with the legend to match. */
    void recolour() {
        String by = colourBy.getValue();
        for (Panel p : panels) {
            if (p.outcome.result() == null) {
                continue;
            }
            int n = p.map.size();
            Color[] c = new Color[n];
            if (by.equals("MOS") || by.equals("predicted score")) {
                double[] v = new double[n];
                double lo = Double.POSITIVE_INFINITY;
                double hi = Double.NEGATIVE_INFINITY;
                for (int i = 0; i < n; i++) {
                    PointInfo pi = info.get(p.id(i));
                    Double x = pi == null ? null : by.equals("MOS") ? pi.mos() : pi.predicted();
                    v[i] = x == null ? Double.NaN : x;
                    if (x != null) {
                        lo = Math.min(lo, x);
                        hi = Math.max(hi, x);
                    }
                }
                for (int i = 0; i < n; i++) {
                    c[i] = MapCanvas.ramp(hi > lo ? (v[i] - lo) / (hi - lo) : 0.5);
                }
                boolean none = lo > hi;
                p.map.setColours(c, none ? MapCanvas.Legend.categories(by, List.of(by.equals("MOS") ? "no MOS"
                        : "no predictions (choose a run)"), List.of(MapCanvas.ramp(Double.NaN)))
                        : MapCanvas.Legend.bar(by.equals("MOS") ? by : by + " (run " + computedRun + ")", lo, hi));
            } else {
                List<String> names = new ArrayList<>();
                String[] label = new String[n];
                for (int i = 0; i < n; i++) {
                    PointInfo pi = info.get(p.id(i));
                    label[i] = switch (by) {
                        case "split" -> pi == null || pi.split() == null ? "no split" : pi.split();
                        case "trace source" -> pi == null ? "no traces" : pi.source();
                        default -> p.group(i);
                    };
                    if (!names.contains(label[i])) {
                        names.add(label[i]);
                    }
                }
                if (by.equals("dataset")) {
                    names = new ArrayList<>(p.outcome.rows().groupNames()); // the engine's order, as in its numbers
                }
                List<Color> colours = new ArrayList<>();
                for (int k = 0; k < names.size(); k++) {
                    colours.add(MapCanvas.category(k));
                }
                for (int i = 0; i < n; i++) {
                    c[i] = MapCanvas.category(names.indexOf(label[i]));
                }
                p.map.setColours(c, MapCanvas.Legend.categories(by, names, colours));
            }
        }
    }

    private void hovered(String id) {
        for (Panel p : panels) {
            if (p.outcome.result() == null) {
                continue;
            }
            int at = -1;
            if (id != null) {
                for (int i = 0; i < p.map.size(); i++) {
                    if (p.id(i).equals(id)) {
                        at = i;
                        break;
                    }
                }
            }
            p.map.setHovered(at); // the same image ringed in every space
        }
        PointInfo pi = id == null ? null : info.get(id);
        if (pi != null) {
            showPoint(pi);
        }
    }

    private void showPoint(PointInfo pi) {
        pointInfo.setText(pi.name() + "\n" + pi.dataset() + " · split " + (pi.split() == null ? "–" : pi.split())
                + "\nMOS " + Ui.num(pi.mos(), 2) + (pi.predicted() == null ? "" : " · predicted " + Ui.num(pi.predicted(), 2))
                + "\ntraces: " + pi.source());
        reasoning.setText(pi.reasoning().isEmpty() ? "(no reasoning trace)" : pi.reasoning());
        thumb.setImage(ctx.thumbnails().cached(pi.path()));
        if (thumb.getImage() == null) {
            ctx.thumbnails().load(pi.path(), img -> {
                if (pointInfo.getText().startsWith(pi.name() + "\n")) {
                    thumb.setImage(img);
                }
            });
        }
    }

    /** Selects these image ids in every map (linked selection) and lists them. */
    public void select(Set<String> ids) {
        selectedIds = Set.copyOf(ids);
        for (Panel p : panels) {
            if (p.outcome.result() == null) {
                continue;
            }
            Set<Integer> sel = new LinkedHashSet<>();
            for (int i = 0; i < p.map.size(); i++) {
                if (selectedIds.contains(p.id(i))) {
                    sel.add(i);
                }
            }
            p.map.setSelected(sel);
        }
        List<PointInfo> list = new ArrayList<>();
        for (String id : ids) {
            PointInfo pi = info.get(id);
            if (pi != null) {
                list.add(pi);
            }
        }
        selectionList.getItems().setAll(list);
        selectionCount.setText(ids.isEmpty() ? "No points selected: drag a box or lasso on a map."
                : ids.size() + " point(s) selected" + summary(list));
        openInDatasets.setDisable(list.isEmpty());
        openInDatasets.setText(list.isEmpty() ? "Open in Datasets" : "Open " + list.size() + " in Datasets");
    }

    private static String summary(List<PointInfo> list) {
        Map<String, Integer> per = new LinkedHashMap<>();
        double sum = 0;
        int n = 0;
        for (PointInfo p : list) {
            per.merge(p.dataset(), 1, Integer::sum);
            if (p.mos() != null) {
                sum += p.mos();
                n++;
            }
        }
        StringBuilder sb = new StringBuilder(": ");
        per.forEach((d, k) -> sb.append(d).append(' ').append(k).append(", "));
        sb.setLength(sb.length() - 2);
        if (n > 0) {
            sb.append(String.format(Locale.ROOT, "; mean MOS %.2f", sum / n));
        }
        return sb.toString();
    }

    private void openSelection() {
        List<Long> ids = selectionList.getItems().stream().map(PointInfo::imageId).toList();
        if (ids.isEmpty()) {
            return;
        }
        ctx.imageSelection().set(new AppContext.ImageSelection(ORIGIN, ids));
        ctx.navigate(DatasetsView.TITLE);
    }

    /** The numbers under a map, as a researcher reads them. */
    static String numbersText(DomainGapResult r) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%d images · %d-d · %d dataset(s)", r.n(), r.dim(), r.groupSizes().size()));
        if (r.classifier() != null) {
            sb.append(String.format(Locale.ROOT, "%ndomain classifier accuracy %.3f (chance %.3f, %d-fold logistic)",
                    r.classifier().accuracy(), r.classifier().chance(), r.classifier().folds()));
        }
        if (!r.mmd().isEmpty()) {
            sb.append("\nMMD² ");
            List<String> parts = new ArrayList<>();
            for (DomainGapResult.PairMmd m : r.mmd().subList(0, Math.min(3, r.mmd().size()))) {
                parts.add(String.format(Locale.ROOT, "%s–%s %.4f (p %s)", m.a(), m.b(), m.mmd2(), p(m.pValue(),
                        m.permutations())));
            }
            sb.append(String.join(" · ", parts));
            if (r.mmd().size() > 3) {
                sb.append(" · +").append(r.mmd().size() - 3).append(" pairs (CSV/CLI)");
            }
        }
        if (r.knn() != null) {
            List<String> within = new ArrayList<>();
            r.knn().within().forEach((g, v) -> within.add(g + " " + Ui.num(v, 3)));
            sb.append(String.format(Locale.ROOT, "%nkNN score SRCC (k=%d) within: %s", r.knn().k(),
                    String.join(", ", within)));
            if (!r.knn().across().isEmpty()) {
                List<String> across = new ArrayList<>();
                for (DomainGapResult.Cross x : r.knn().across().subList(0, Math.min(4, r.knn().across().size()))) {
                    across.add(x.from() + "→" + x.to() + " " + Ui.num(x.srcc(), 3));
                }
                sb.append("; across: ").append(String.join(", ", across));
            }
        }
        sb.append(String.format(Locale.ROOT, "%nmap: %s of %d points, trustworthiness@%d %s · %.1f s map, %.1f s numbers",
                r.map().method().isTsne() ? String.format(Locale.ROOT, r.map().method().label() + " (perplexity %.0f)",
                        r.map().perplexity()) : "UMAP (" + r.map().neighbours() + " neighbours)",
                r.map().rows().length, r.map().trustK(), Ui.num(r.map().trustworthiness(), 3), r.mapSeconds(),
                r.numbersSeconds()));
        for (String note : r.notes()) {
            sb.append("\n").append(note);
        }
        return sb.toString();
    }

    private static String p(double pValue, int permutations) {
        // with B permutations the smallest p is 1/(B+1): say "<" there rather than print a false precision
        return pValue <= 1.0 / (permutations + 1) + 1e-12 ? String.format(Locale.ROOT, "≤ %.3f", pValue)
                : String.format(Locale.ROOT, "%.3f", pValue);
    }

    static String spaceTitle(Outcome o) {
        String what = switch (o.space()) {
            case BASE -> "base CLIP image embeddings";
            case ALIGNED -> "aligned encoder";
            case PCA -> "after the run's PCA";
            case TEXT -> "reasoning-text embeddings";
        };
        return o.rows() == null ? o.space().label() + " — " + what : o.rows().name() + " — " + what;
    }

    private void chooseAndExport(String ext) {
        if (panels.isEmpty()) {
            Dialogs.info(ctx.window(), "Nothing to export", "Compute the maps first.");
            return;
        }
        FileChooser fc = new FileChooser();
        fc.setTitle("Export domain gap");
        fc.setInitialFileName("domain-gap." + ext);
        fc.setInitialDirectory(Ui.exportFolder(ctx));
        fc.getExtensionFilters().add(new FileChooser.ExtensionFilter(ext.toUpperCase(Locale.ROOT), "*." + ext));
        File f = fc.showSaveDialog(ctx.window());
        if (f != null) {
            export(f.toPath(), ext);
        }
    }

    /** Writes the maps as PNG (as shown, numbers included), SVG (vector, the same drawing) or CSV (every point). */
    public void export(Path file, String ext) {
        try {
            switch (ext) {
                case "png" -> {
                    var image = SwingFXUtils.fromFXImage(maps.snapshot(null, null), null);
                    write(file, ext, out -> {
                        if (!ImageIO.write(image, "png", out)) {
                            throw new IOException(file + ": no PNG writer");
                        }
                    });
                }
                case "svg" -> {
                    String svg = svg();
                    write(file, ext, out -> out.write(svg.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
                }
                default -> {
                    String csv = csv();
                    write(file, ext, out -> out.write(csv.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
                }
            }
            status.setText("wrote " + file);
        } catch (IOException | RuntimeException e) {
            Dialogs.error(ctx.window(), "Export failed", e);
        }
    }

    private static void write(Path file, String ext, AtomicFiles.Content content) throws IOException {
        OutputPaths.file(file, ext).force(true).check(); // the save dialog asked about replacing
        AtomicFiles.write(file, content);
    }

    /** One row per point per space: where it lies on that space's map and what is known about the image. */
    public String csv() {
        StringBuilder sb = new StringBuilder("space,id,dataset,name,split,x,y,mos,predicted,trace_source,selected\n");
        for (Panel p : panels) {
            if (p.outcome.result() == null) {
                continue;
            }
            double[][] xy = p.outcome.result().map().coordinates();
            for (int i = 0; i < xy.length; i++) {
                String id = p.id(i);
                PointInfo pi = info.get(id);
                sb.append(ScoreView.csv(p.outcome.rows().name())).append(',').append(ScoreView.csv(id)).append(',')
                        .append(ScoreView.csv(p.group(i))).append(',')
                        .append(pi == null ? "" : ScoreView.csv(pi.name())).append(',')
                        .append(pi == null || pi.split() == null ? "" : ScoreView.csv(pi.split())).append(',')
                        .append(String.format(Locale.ROOT, "%.6f,%.6f,", xy[i][0], xy[i][1]))
                        .append(pi == null || pi.mos() == null ? "" : String.format(Locale.ROOT, "%.6f", pi.mos()))
                        .append(',')
                        .append(pi == null || pi.predicted() == null ? ""
                                : String.format(Locale.ROOT, "%.6f", pi.predicted())).append(',')
                        .append(pi == null ? "" : ScoreView.csv(pi.source())).append(',')
                        .append(selectedIds.contains(id) ? 1 : 0).append('\n');
            }
        }
        return sb.toString();
    }

    /** The maps side by side as one SVG, each with its numbers as text lines under it. */
    public String svg() {
        int cols = panels.size() <= 2 ? panels.size() : 2;
        double w = 560;
        double h = 430;
        double textH = 118;
        int rows = (panels.size() + cols - 1) / cols;
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < panels.size(); i++) {
            Panel p = panels.get(i);
            double x = (i % cols) * (w + 12);
            double y = (i / cols) * (h + textH + 12);
            body.append(String.format(Locale.ROOT, "<g transform=\"translate(%.0f %.0f)\">%n", x, y));
            body.append(p.map.svgElements(w, h));
            String[] lines = p.numbers.getText().split("\n");
            for (int k = 0; k < Math.min(lines.length, 8); k++) {
                body.append(String.format(Locale.ROOT, "<text x=\"4\" y=\"%.0f\" font-size=\"11\" fill=\"#333333\">"
                        + "%s</text>%n", h + 14 + 14 * k, MapCanvas.SvgPainter.escape(lines[k])));
            }
            body.append("</g>\n");
        }
        double tw = cols * (w + 12);
        double th = rows * (h + textH + 12);
        return String.format(Locale.ROOT, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>%n<svg xmlns=\"http://www.w3"
                + ".org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" font-family=\"sans-serif\">"
                + "%n<rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>%n", tw, th, tw, th) + body + "</svg>\n";
    }

    // for tests
    public List<Panel> panels() {
        return panels;
    }

    public ComboBox<String> colourBy() {
        return colourBy;
    }

    public ComboBox<RunChoice> runChoice() {
        return run;
    }

    public Map<ProjectSpaces.Space, CheckBox> spaceBoxes() {
        return spaceBoxes;
    }

    public ListView<PointInfo> selectionList() {
        return selectionList;
    }

    public Label pointInfoLabel() {
        return pointInfo;
    }

    public Label reasoningLabel() {
        return reasoning;
    }

    public Label statusLabel() {
        return status;
    }

    public ComboBox<String> method() {
        return method;
    }

    public Spinner<Double> perplexity() {
        return perplexity;
    }

    public BackgroundTask<Computed> job() {
        return job;
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
