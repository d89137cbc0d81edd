package dev.rali.app.views;

import dev.rali.app.AppContext;
import dev.rali.app.ViewFeature;
import dev.rali.app.SaliencyFactory;
import dev.rali.engine.analysis.attention.AttentionAnalysis;
import dev.rali.engine.analysis.attention.AttentionDump;
import dev.rali.engine.analysis.attention.AttentionReport;
import dev.rali.engine.analysis.attention.AttentionService;
import dev.rali.engine.analysis.attention.AttentionService.ImportedDump;
import dev.rali.engine.analysis.attention.Role;
import dev.rali.engine.analysis.saliency.Explainer;
import dev.rali.engine.analysis.saliency.TextSaliency;
import dev.rali.engine.project.ProjectQueries;
import dev.rali.engine.task.BackgroundTask;
import java.awt.BasicStroke;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.RadioButton;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.SplitPane;
import javafx.scene.control.ToggleGroup;
import javafx.scene.control.Tooltip;
import javafx.scene.image.Image;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import javafx.scene.paint.Color;
import javafx.util.Duration;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.fx.ChartViewer;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.DefaultCategoryDataset;

/**
 * Attention: where a reasoning model's score token looks (the paper's Fig. 3 on the project's own dumps,
 * docs/ATTENTION_FORMAT.md). For one imported dump: the reasoning text as a token strip coloured by the attention
 * each token receives (hover for the value), the image with the image tokens' attention as a heatmap (opacity
 * slider), layer and head selectors (each also "mean"), and the role shares as bars in the paper's convention and
 * raw; for all dumps, the distribution of the reasoning share. The same strip can show RALI's side: which words the
 * aligned text embedding relies on (text-tower saliency with a model bundle). Numbers come from the engine's
 * {@link AttentionService}, the code behind {@code rali analyze attention}. Opened from the Trace audit for a trace
 * with a dump.
 */
public final class AttentionView implements AppView {
    public static final String TITLE = "Attention";
    /** Layer/head selector value meaning "mean over all of them". */
    public static final int MEAN = -1;
    /** The role-share series: the paper's Fig. 3 convention and the plain shares over all five roles. */
    public static final String PAPER_SERIES = "paper convention (without system, prompt)";
    public static final String RAW_SERIES = "raw (all roles)";

    /** Registers this view in the navigation (META-INF/services/dev.rali.app.AppFeature). */
    public static final class Feature extends ViewFeature {
        public Feature() {
            // reads and analyses the dumps; text saliency opens a model bundle.
            super("attention", TITLE, 35, AttentionView::new, AttentionService.class, SaliencyFactory.class);
        }
    }

    /** One dump loaded for display: the tensor, its image (null when the file is missing) and the view's text. */
    private record Loaded(ImportedDump row, AttentionDump dump, Image image) { }

    private final AppContext ctx;
    private final StackPane root = new StackPane();
    private final BorderPane content = new BorderPane();
    private final VBox noProject = Ui.emptyState("No project open",
            "Open a project with imported attention dumps to see where a reasoning model's score token looks.");
    private final VBox noDumps = Ui.emptyState("No attention dumps in this project",
            "Export dumps from a vision-language model with tools/export_attention.py (docs/ATTENTION_FORMAT.md), "
                    + "then import them: rali attention import --project P.rali DUMPS. The sample project "
                    + "(rali demo) ships a few synthetic ones.");
    private final ComboBox<ImportedDump> dumpBox = new ComboBox<>();
    private final ComboBox<Integer> layerBox = new ComboBox<>();
    private final ComboBox<Integer> headBox = new ComboBox<>();
    private final Label banner = new Label();
    private final Label meta = new Label();
    private final HeatmapOverlay image = new HeatmapOverlay(280, "attnImage");
    private final FlowPane strip = new FlowPane();
    private final Label stripLegend = new Label();
    private final RadioButton byAttention = new RadioButton("Score token's attention (reasoning model)");
    private final RadioButton bySaliency = new RadioButton("Text-tower saliency (RALI)");
    private final ModelBundleField textModel;
    private final Button textButton = new Button("Text saliency");
    private final DefaultCategoryDataset shares = new DefaultCategoryDataset();
    private final ChartViewer sharesChart;
    private final ChartViewer distChart;
    private final Label distSummary = new Label();
    private final List<Label> tokenLabels = new ArrayList<>();
    private List<ImportedDump> dumps = List.of();
    private Loaded current;
    private AttentionReport report;
    private TextSaliency textSaliency;
    private AttentionAnalysis.Result all;
    private Long wantedTrace;
    private boolean filling;

    public AttentionView(AppContext ctx) {
        this.ctx = ctx;
        dumpBox.setId("attnDump");
        dumpBox.setCellFactory(l -> new DumpCell());
        dumpBox.setButtonCell(new DumpCell());
        dumpBox.setPrefWidth(340);
        dumpBox.valueProperty().addListener((o, a, b) -> {
            if (!filling) {
                load(b);
            }
        });
        layerBox.setId("attnLayer");
        headBox.setId("attnHead");
        layerBox.setCellFactory(l -> new SelectorCell("mean over layers", "layer "));
        layerBox.setButtonCell(new SelectorCell("mean over layers", "layer "));
        headBox.setCellFactory(l -> new SelectorCell("mean over heads", "head "));
        headBox.setButtonCell(new SelectorCell("mean over heads", "head "));
        layerBox.valueProperty().addListener((o, a, b) -> {
            if (!filling) {
                analyse();
            }
        });
        headBox.valueProperty().addListener((o, a, b) -> {
            if (!filling) {
                analyse();
            }
        });
        HBox bar = new HBox(8, label("Dump"), dumpBox, label("Layer"), layerBox, label("Head"), headBox);
        bar.setAlignment(Pos.CENTER_LEFT);
        banner.setId("attnBanner");
        banner.setWrapText(true);
        banner.setStyle("-fx-background-color: #fff4d6; -fx-border-color: #e0b84c; -fx-padding: 4 8;");
        banner.setMaxWidth(Double.MAX_VALUE);
        meta.setId("attnMeta");
        meta.getStyleClass().add("hint");
        meta.setWrapText(true);
        VBox top = new VBox(6, bar, banner, meta);

        sharesChart = new ChartViewer(Charts.bars("Role shares", "role of the key tokens",
                "share of attention (%)", shares));
        sharesChart.setId("attnShares");
        sharesChart.setPrefSize(330, 260);
        sharesChart.setMinHeight(240);
        Label sharesHint = Ui.hint("Paper convention (Fig. 3): system and prompt tokens left out, image + reasoning "
                + "+ answer renormalised to 100 %. Raw: the shares of all five roles.");
        VBox left = new VBox(8, image, sharesChart, sharesHint);
        VBox.setVgrow(sharesChart, Priority.ALWAYS);
        left.setPadding(new Insets(0, 8, 0, 0));
        ScrollPane leftScroll = new ScrollPane(left);
        leftScroll.setFitToWidth(true);
        leftScroll.setMinWidth(330);

        strip.setId("attnStrip");
        strip.setHgap(0);
        strip.setVgap(4);
        strip.setPadding(new Insets(6));
        strip.setStyle("-fx-background-color: white;");
        ScrollPane stripScroll = new ScrollPane(strip);
        stripScroll.setFitToWidth(true);
        stripScroll.setPrefViewportHeight(220);
        stripScroll.setMinHeight(120);
        ToggleGroup colourBy = new ToggleGroup();
        byAttention.setToggleGroup(colourBy);
        bySaliency.setToggleGroup(colourBy);
        byAttention.setId("attnByAttention");
        bySaliency.setId("attnBySaliency");
        byAttention.setSelected(true);
        bySaliency.setDisable(true);
        colourBy.selectedToggleProperty().addListener((o, a, b) -> renderStrip());
        textModel = new ModelBundleField(ctx, "attnTextModel");
        textButton.setId("attnTextSaliency");
        textButton.setMinWidth(Button.USE_PREF_SIZE);
        textButton.setOnAction(e -> textSaliency());
        Ui.tip(textButton, "Which words the aligned text embedding relies on: each word left out in turn and the "
                + "reasoning re-embedded with the model's frozen text tower (rali analyze saliency --text)");
        HBox colour = new HBox(12, label("Colour tokens by"), byAttention, bySaliency);
        colour.setAlignment(Pos.CENTER_LEFT);
        HBox textBar = new HBox(8, textModel, textButton);
        textBar.setAlignment(Pos.CENTER_LEFT);
        HBox.setHgrow(textModel, Priority.ALWAYS);
        stripLegend.setId("attnStripLegend");
        stripLegend.getStyleClass().add("hint");
        stripLegend.setWrapText(true);

        distChart = new ChartViewer(Charts.histogram("Reasoning share per dump (the paper's Fig. 3 on this project)",
                "reasoning share of the score token's attention, paper convention (%)", "dumps", new double[0],
                20, 0, 100));
        distChart.setId("attnDistribution");
        distChart.setPrefHeight(230);
        distChart.setMinHeight(180);
        distSummary.setId("attnDistSummary");
        distSummary.setWrapText(true);
        VBox right = new VBox(6, Ui.heading("Reasoning and answer tokens"), colour, textBar, stripLegend, stripScroll,
                distChart, distSummary);
        VBox.setVgrow(stripScroll, Priority.ALWAYS);
        right.setPadding(new Insets(0, 0, 0, 8));

        SplitPane split = new SplitPane(leftScroll, right);
        split.setDividerPositions(0.35);
        Ui.withBar(content, top).setCenter(split);
        root.getChildren().addAll(content, noProject, noDumps);
        ctx.project().revisionProperty().addListener((o, a, b) -> reload());
        reload();
    }

    private static Label label(String s) {
        Label l = new Label(s);
        l.setMinWidth(Label.USE_PREF_SIZE);
        return l;
    }

    private static final class DumpCell extends ListCell<ImportedDump> {
        @Override
        protected void updateItem(ImportedDump d, boolean empty) {
            super.updateItem(d, empty);
            setText(empty || d == null ? null : (d.imageName() != null ? d.imageName() : d.name())
                    + (d.synthetic() ? "  (synthetic)" : ""));
        }
    }

    private static final class SelectorCell extends ListCell<Integer> {
        private final String mean;
        private final String prefix;

        SelectorCell(String mean, String prefix) {
            this.mean = mean;
            this.prefix = prefix;
        }

        @Override
        protected void updateItem(Integer v, boolean empty) {
            super.updateItem(v, empty);
            setText(empty || v == null ? null : v == MEAN ? mean : prefix + v);
        }
    }

    /** Asks the view to show the dump of this trace when it is next shown (the Trace audit's "Attention…"). */
    public void showTrace(long traceId) {
        wantedTrace = traceId;
        for (ImportedDump d : dumps) {
            if (d.traceId() != null && d.traceId() == traceId) {
                dumpBox.setValue(d);
                wantedTrace = null;
                return;
            }
        }
    }

    @Override
    public void shown() {
        Object focus = ctx.takeFocus(TITLE);
        if (focus instanceof Long trace) {
            showTrace(trace);
        }
    }

    private void reload() {
        ProjectQueries q = ctx.project().queries();
        AttentionService service = ctx.services().get(AttentionService.class);
        noProject.setVisible(q == null);
        if (q == null) {
            content.setVisible(false);
            noDumps.setVisible(false);
            dumps = List.of();
            return;
        }
        if (service == null) {
            content.setVisible(false);
            noDumps.setVisible(true);
            return;
        }
        var store = ctx.project().store();
        ctx.tasks().execute("Load attention dumps", c -> service.dumps(store), list -> {
            dumps = list;
            noDumps.setVisible(list.isEmpty());
            content.setVisible(!list.isEmpty());
            ImportedDump keep = dumpBox.getValue();
            filling = true;
            dumpBox.getItems().setAll(list);
            filling = false;
            ImportedDump sel = list.isEmpty() ? null : list.get(0);
            for (ImportedDump d : list) {
                if ((wantedTrace != null && wantedTrace.equals(d.traceId())) || (wantedTrace == null && keep != null
                        && keep.id() == d.id())) {
                    sel = d;
                }
            }
            wantedTrace = null;
            dumpBox.setValue(null);
            dumpBox.setValue(sel);
            if (!list.isEmpty()) {
                analyseAll(list);
            }
        });
    }

    private void load(ImportedDump row) {
        if (row == null) {
            return;
        }
        AttentionService service = ctx.services().get(AttentionService.class);
        ProjectQueries q = ctx.project().queries();
        ctx.tasks().execute(BackgroundTask.<Loaded>of("Read attention dump " + row.name(), c -> {
            AttentionDump d = service.read(row.folder());
            // meta.json's image, else the project image the import linked the dump to (a relative name outside
            // the dump folder is not copied with it)
            java.util.Optional<Path> file = d.imageFile();
            if (file.isEmpty() && row.imageId() != null && q != null) {
                file = q.image(row.imageId()).map(x -> x.image().path());
            }
            Image img = file.map(p -> new Image(p.toUri().toString(), 600, 600, true, true, false))
                    .filter(i -> !i.isError()).orElse(null);
            return new Loaded(row, d, img);
        }).onSuccess(l -> {
            if (dumpBox.getValue() != row) {
                return;
            }
            current = l;
            textSaliency = null;
            bySaliency.setDisable(true);
            byAttention.setSelected(true);
            filling = true;
            Integer layer = layerBox.getValue();
            Integer head = headBox.getValue();
            layerBox.getItems().setAll(MEAN);
            for (int x : l.dump().layers()) {
                layerBox.getItems().add(x);
            }
            headBox.getItems().setAll(MEAN);
            for (int h = 0; h < l.dump().heads(); h++) {
                headBox.getItems().add(h);
            }
            layerBox.setValue(layer != null && layerBox.getItems().contains(layer) ? layer : MEAN);
            headBox.setValue(head != null && headBox.getItems().contains(head) ? head : MEAN);
            filling = false;
            describe(l);
            analyse();
        }).onFailure(e -> {
            banner.setText("Cannot read this dump: " + e.getMessage());
            banner.setVisible(true);
            banner.setManaged(true);
        }));
    }

    private void describe(Loaded l) {
        AttentionDump d = l.dump();
        String model = d.model() == null ? "model not named in meta.json" : d.model();
        boolean synthetic = l.row().synthetic();
        banner.setText(synthetic ? "Synthetic dump: made by a documented rule for the sample project (" + model
                + "), not by a reasoning model. Import dumps of your model to see real attention." : "");
        banner.setVisible(synthetic);
        banner.setManaged(synthetic);
        meta.setText((synthetic ? "" : "Model: " + model + " · ") + d.numTokens() + " tokens, " + d.numLayers()
                + " layers × " + d.heads() + " heads recorded, " + d.numQueries() + " score token(s) · image "
                + (d.imageRows() == 0 ? "tokens: none" : "grid " + d.imageRows() + " × " + d.imageCols())
                + " · trace " + (l.row().traceId() == null ? "not linked" : "#" + l.row().traceId())
                + " · " + l.row().folder());
    }

    private Integer selected(ComboBox<Integer> box) {
        Integer v = box.getValue();
        return v == null || v == MEAN ? null : v;
    }

    private String selectionName() {
        Integer l = selected(layerBox);
        Integer h = selected(headBox);
        return (l == null ? "mean over layers" : "layer " + l) + ", " + (h == null ? "mean over heads" : "head " + h);
    }

    /** Recomputes the shares, token weights and image map for the selected layer and head. */
    private void analyse() {
        Loaded l = current;
        if (l == null) {
            return;
        }
        Integer layer = selected(layerBox);
        Integer head = selected(headBox);
        AttentionService service = ctx.services().get(AttentionService.class);
        ctx.tasks().execute("Analyse attention", c -> service.report(l.dump(), layer, head), r -> {
            // a quicker later selection may have answered first: show only the report of what is selected now
            if (current != l || !java.util.Objects.equals(layer, selected(layerBox))
                    || !java.util.Objects.equals(head, selected(headBox))) {
                return;
            }
            report = r;
            renderShares();
            renderImage();
            renderStrip();
            markCurrent();
        });
    }

    private void renderShares() {
        shares.clear();
        String paper = PAPER_SERIES;
        String raw = RAW_SERIES;
        for (Role role : List.of(Role.IMAGE, Role.REASONING, Role.ANSWER, Role.SYSTEM, Role.PROMPT)) {
            Double p = report.paper().averaged().get(role);
            Double a = report.allRoles().averaged().get(role);
            if (p != null && !p.isNaN()) {
                shares.addValue(100 * p, paper, role.key());
            }
            if (a != null && !a.isNaN()) {
                shares.addValue(100 * a, raw, role.key());
            }
        }
        JFreeChart c = sharesChart.getChart();
        Integer l = selected(layerBox);
        Integer h = selected(headBox);
        c.setTitle("Role shares (" + (l == null ? "all layers" : "layer " + l) + ", "
                + (h == null ? "all heads" : "head " + h) + ")");
    }

    private void renderImage() {
        AttentionReport.ImageMap m = report.imageMap();
        Image img = current.image();
        Double imageShare = report.allRoles().averaged().get(Role.IMAGE);
        String where = current.dump().image() == null ? "meta.json names no image"
                : img == null ? "image file " + current.dump().image() + " not found: the map alone" : null;
        if (m == null) {
            image.show(img, null, HeatmapOverlay.Scale.SEQUENTIAL, v -> "", "This dump has no image tokens."
                    + (where == null ? "" : " (" + where + ")"));
            return;
        }
        image.show(img, m.values(), HeatmapOverlay.Scale.SEQUENTIAL, v -> String.format(Locale.ROOT, "%.3f %%", 100 * v),
                String.format(Locale.ROOT, "Image tokens (%d × %d) receive %.1f %% of the score token's attention "
                        + "(%s); each cell is one image token's share.", m.rows(), m.cols(),
                        100 * (imageShare == null ? Double.NaN : imageShare), selectionName())
                        + (where == null ? "" : " " + where + "."));
    }

    /** The reasoning and answer tokens as a strip, coloured by the chosen measure; hover shows the value. */
    private void renderStrip() {
        strip.getChildren().clear();
        tokenLabels.clear();
        if (current == null || report == null) {
            return;
        }
        AttentionDump d = current.dump();
        boolean saliency = bySaliency.isSelected() && textSaliency != null;
        Map<Integer, Double> attention = new HashMap<>();
        for (AttentionReport.TokenWeight t : report.topReasoning()) {
            attention.put(t.position(), t.attention());
        }
        double[] tokenSaliency = saliency ? tokenSaliency(d, textSaliency) : null;
        double max = 0;
        for (int k = 0; k < d.numTokens(); k++) {
            double v = saliency ? tokenSaliency[k] : attention.getOrDefault(k, 0.0);
            max = Math.max(max, Double.isNaN(v) ? 0 : v);
        }
        for (int k = 0; k < d.numTokens(); k++) {
            Role role = d.roles().get(k);
            if (role != Role.REASONING && role != Role.ANSWER) {
                continue;
            }
            String tok = d.tokens().get(k);
            Label l = new Label(display(tok));
            l.setMinWidth(Label.USE_PREF_SIZE);
            l.setPadding(new Insets(1, 0, 1, 0));
            boolean marker = isMarker(tok);
            String tip;
            if (role == Role.ANSWER || marker) {
                l.setTextFill(Color.web("#777777"));
                tip = "position " + k + " · " + role.key() + (marker ? " tag" : " token")
                        + (role == Role.ANSWER && !marker ? " (the strip colours reasoning tokens)" : "")
                        + (contains(d.queryPositions(), k) ? " · a score token (its attention rows are recorded)" : "");
                if (!saliency && !marker && attention.containsKey(k)) {
                    tip += String.format(Locale.ROOT, " · %.3f %%", 100 * attention.get(k));
                }
            } else if (saliency) {
                double v = tokenSaliency[k];
                if (Double.isNaN(v)) {
                    l.setStyle("-fx-background-color: repeating-linear-gradient(to right, #eeeeee, #dddddd 4px);");
                    l.setTextFill(Color.web("#888888"));
                    tip = "position " + k + " · after the text tower's context cut: never seen by the embedding";
                } else {
                    l.setStyle(background(max > 0 ? v / max : 0));
                    tip = String.format(Locale.ROOT, "position %d · text saliency %.5f (1 − cos of the embedding "
                            + "without this word)", k, v);
                }
            } else {
                double v = attention.getOrDefault(k, 0.0);
                l.setStyle(background(max > 0 ? v / max : 0));
                tip = String.format(Locale.ROOT, "position %d · %.3f %% of the score token's attention (%s)", k,
                        100 * v, selectionName());
            }
            Tooltip t = new Tooltip("‘" + tok.strip() + "’ · " + tip);
            t.setShowDelay(Duration.millis(80));
            l.setTooltip(t);
            l.setUserData(k);
            tokenLabels.add(l);
            strip.getChildren().add(l);
        }
        if (saliency) {
            long cut = textSaliency.words().stream().filter(w -> !w.inContext()).count();
            stripLegend.setText(String.format(Locale.ROOT, "Colour: how far the reasoning's text embedding moves "
                    + "when the word is left out (white 0 → orange %.5f, the largest). %s", max, cut == 0
                    ? "All words are within the text tower's " + textSaliency.context() + "-token context."
                    : cut + " words lie after the text tower's " + textSaliency.context() + "-token context "
                    + "(grey): the embedding never sees them."));
        } else {
            stripLegend.setText(String.format(Locale.ROOT, "Colour: share of the score token's attention each "
                    + "reasoning token receives, %s (white 0 → orange %.3f %%, the largest). Grey: tags and the "
                    + "answer. Hover a token for its value.", selectionName(), 100 * max));
        }
    }

    private static boolean contains(int[] a, int x) {
        for (int v : a) {
            if (v == x) {
                return true;
            }
        }
        return false;
    }

    private static boolean isMarker(String tok) {
        String s = tok.strip();
        return s.equals("<think>") || s.equals("</think>") || s.equals("<answer>") || s.equals("</answer>");
    }

    /** A token as text: whitespace kept (it separates words), line breaks shown as ⏎. */
    static String display(String tok) {
        return tok.replace("\r", "").replace("\n", "⏎ ").replace("\t", " ");
    }

    /** White → orange, readable with black text throughout. */
    static String background(double t) {
        Color c = Color.WHITE.interpolate(Color.web("#f28e2b"), Math.max(0, Math.min(1, t)));
        return String.format(Locale.ROOT, "-fx-background-color: rgb(%d,%d,%d);", Math.round(c.getRed() * 255),
                Math.round(c.getGreen() * 255), Math.round(c.getBlue() * 255));
    }

    /** The reasoning text the text tower sees: the reasoning tokens joined, think tags left out. */
    static String reasoningText(AttentionDump d, int[][] spans) {
        StringBuilder b = new StringBuilder();
        for (int k = 0; k < d.numTokens(); k++) {
            String tok = d.tokens().get(k);
            if (d.roles().get(k) != Role.REASONING || isMarker(tok)) {
                continue;
            }
            int start = b.length();
            b.append(tok);
            if (spans != null) {
                spans[k] = new int[] {start, b.length()};
            }
        }
        return b.toString();
    }

    /** Each reasoning token's saliency: the largest of the words it overlaps; NaN after the context cut. */
    static double[] tokenSaliency(AttentionDump d, TextSaliency s) {
        int[][] spans = new int[d.numTokens()][];
        reasoningText(d, spans);
        double[] out = new double[d.numTokens()];
        for (int k = 0; k < out.length; k++) {
            int[] sp = spans[k];
            if (sp == null) {
                continue;
            }
            double v = 0;
            boolean seen = false;
            boolean cut = false;
            for (TextSaliency.Word w : s.words()) {
                if (w.start() < sp[1] && w.end() > sp[0]) {
                    seen = true;
                    if (w.inContext()) {
                        v = Math.max(v, w.saliency());
                    } else {
                        cut = true;
                    }
                }
            }
            out[k] = seen && cut && v == 0 ? Double.NaN : v;
        }
        return out;
    }

    private void textSaliency() {
        Loaded l = current;
        SaliencyFactory factory = ctx.services().get(SaliencyFactory.class);
        if (l == null) {
            return;
        }
        if (factory == null) {
            stripLegend.setText("Text saliency is not available in this build; use rali analyze saliency --text.");
            return;
        }
        String problem = textModel.problem();
        if (problem != null) {
            stripLegend.setText(problem);
            return;
        }
        Path bundle = textModel.bundle();
        String text = reasoningText(l.dump(), null);
        textButton.setDisable(true);
        stripLegend.setText("Computing text saliency with " + bundle.getFileName() + "…");
        ctx.tasks().execute(BackgroundTask.<TextSaliency>of("Text saliency", c -> {
            try (Explainer x = factory.open(bundle)) {
                return x.explainText(text, c);
            }
        }).onSuccess(s -> {
            if (current == l) {
                textSaliency = s;
                bySaliency.setDisable(false);
                bySaliency.setSelected(true);
                renderStrip();
            }
        }).onFailure(e -> stripLegend.setText("Text saliency failed: " + e.getMessage()))
                .onFinished(() -> textButton.setDisable(false)));
    }

    /** The distribution of the per-dump reasoning share over every dump (paper convention, all layers and heads). */
    private void analyseAll(List<ImportedDump> list) {
        AttentionService service = ctx.services().get(AttentionService.class);
        List<Path> folders = list.stream().map(ImportedDump::folder).toList();
        ctx.tasks().execute(BackgroundTask.<AttentionAnalysis.Result>of("Analyse " + folders.size()
                + " attention dumps", c -> service.analyze(folders, 0, c)).onSuccess(r -> {
                    all = r;
                    double[] v = r.perDump().stream().mapToDouble(x -> 100 * x.paper().averaged().get(Role.REASONING))
                            .filter(x -> !Double.isNaN(x)).toArray();
                    distChart.setChart(Charts.histogram(
                            "Reasoning share per dump (the paper's Fig. 3 on this project)",
                            "reasoning share of the score token's attention, paper convention (%)", "dumps", v, 20, 0,
                            100));
                    AttentionReport g = r.aggregate();
                    distSummary.setText(String.format(Locale.ROOT, "%d dumps (all layers and heads): mean reasoning "
                            + "share %.1f %%, image %.1f %%, answer %.1f %% in the paper's convention. The paper "
                            + "reports about 95 %% reasoning and 5 %% image for Q-Insight.%s", r.perDump().size(),
                            100 * g.paper().averaged().get(Role.REASONING), 100 * g.paper().averaged().get(Role.IMAGE),
                            100 * g.paper().averaged().get(Role.ANSWER),
                            list.stream().allMatch(ImportedDump::synthetic) ? " These dumps are synthetic." : ""));
                    markCurrent();
                }).onFailure(e -> distSummary.setText("Cannot analyse the dumps: " + e.getMessage())));
    }

    /** Marks the shown dump's reasoning share on the distribution. */
    private void markCurrent() {
        if (all == null || current == null) {
            return;
        }
        var plot = distChart.getChart().getXYPlot();
        plot.clearDomainMarkers();
        for (int i = 0; i < dumps.size() && i < all.perDump().size(); i++) {
            if (dumps.get(i).id() == current.row().id()) {
                double v = 100 * all.perDump().get(i).paper().averaged().get(Role.REASONING);
                ValueMarker m = new ValueMarker(v, Charts.PALETTE[1], new BasicStroke(2f));
                m.setLabel("this dump " + String.format(Locale.ROOT, "%.1f %%", v));
                m.setLabelAnchor(RectangleAnchor.TOP_LEFT);
                m.setLabelTextAnchor(TextAnchor.TOP_RIGHT);
                plot.addDomainMarker(m);
            }
        }
    }

    // ---------------------------------------------------------------- for tests

    public ComboBox<ImportedDump> dumpBox() {
        return dumpBox;
    }

    public ComboBox<Integer> layerBox() {
        return layerBox;
    }

    public ComboBox<Integer> headBox() {
        return headBox;
    }

    public List<Label> tokenLabels() {
        return tokenLabels;
    }

    public AttentionReport report() {
        return report;
    }

    public HeatmapOverlay imageOverlay() {
        return image;
    }

    public DefaultCategoryDataset shares() {
        return shares;
    }

    public AttentionAnalysis.Result all() {
        return all;
    }

    public TextSaliency textSaliencyResult() {
        return textSaliency;
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
