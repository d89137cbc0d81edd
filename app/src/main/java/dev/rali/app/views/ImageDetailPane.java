package dev.rali.app.views;

import dev.rali.app.AppContext;
import dev.rali.engine.project.ProjectQueries;
import dev.rali.engine.project.ProjectQueries.ImageDetail;
import dev.rali.engine.project.ProjectQueries.TraceItem;
import javafx.geometry.Insets;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.TextArea;
import javafx.scene.control.TitledPane;
import javafx.scene.control.Dialog;
import javafx.scene.control.ButtonType;
import javafx.scene.image.Image;
import javafx.scene.image.ImageView;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyEvent;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongFunction;

/** One image: the picture, its MOS (normalised and raw) and every reasoning trace with its parsed score. */
public final class ImageDetailPane extends VBox {
    private final ImageView view = new ImageView();
    private final GridPane facts = new GridPane();
    private final VBox traces = new VBox(6);
    private final int imageSize;

    public ImageDetailPane() {
        this(420);
    }

    /** {@code imageSize}: the longest side of the picture on screen. */
    public ImageDetailPane(int imageSize) {
        super(10);
        this.imageSize = imageSize;
        setPadding(new Insets(10));
        setId("imageDetail");
        view.setPreserveRatio(true);
        view.setFitWidth(imageSize);
        view.setFitHeight(imageSize);
        facts.setHgap(10);
        facts.setVgap(4);
        ScrollPane sp = new ScrollPane(traces);
        sp.setFitToWidth(true);
        sp.setPrefWidth(460);
        sp.setMinHeight(120);
        VBox.setVgrow(sp, javafx.scene.layout.Priority.ALWAYS);
        HBox top = new HBox(14, view, facts);
        getChildren().addAll(top, new Label("Reasoning traces"), sp);
    }

    /** Shows nothing (no image selected, or the project changed). */
    public void clear() {
        view.setImage(null);
        facts.getChildren().clear();
        traces.getChildren().clear();
    }

    public void show(ImageDetail d) {
        show(d, -1);
    }

    /** Shows the image; the trace with id {@code currentTrace} is highlighted (the one being audited). */
    public void show(ImageDetail d, long currentTrace) {
        show(d, currentTrace, List.of());
    }

    /** As {@link #show(ImageDetail, long)}, with the caller's facts (key, value) under the MOS. */
    public void show(ImageDetail d, long currentTrace, List<Map.Entry<String, String>> extra) {
        ProjectQueries.ImageItem i = d.image();
        view.setImage(new Image(i.path().toUri().toString(), imageSize, imageSize, true, true, true));
        facts.getChildren().clear();
        int r = 0;
        r = row(r, "Dataset", d.datasetName());
        r = row(r, "Image", i.name());
        r = row(r, "Split", i.split());
        r = row(r, "MOS [1,5]", Ui.num(i.mos(), 3));
        r = row(r, "MOS raw", Ui.num(i.mosRaw(), 3) + (i.mosStd() == null ? "" : " ± " + Ui.num(i.mosStd(), 3)));
        for (Map.Entry<String, String> e : extra) {
            r = row(r, e.getKey(), e.getValue());
        }
        if (i.reference() != null) {
            r = row(r, "Reference", i.reference());
        }
        if (i.distortion() != null) {
            r = row(r, "Distortion", i.distortion());
        }
        r = row(r, "File", i.path().toString());
        row(r, "Stages", d.excluded() == null ? "used" : "left out — " + d.excluded());
        traces.getChildren().clear();
        if (d.traces().isEmpty()) {
            traces.getChildren().add(Ui.hint("No traces for this image. Import or generate traces first."));
        }
        for (TraceItem t : d.traces()) {
            TitledPane box = traceBox(t, i.mos());
            if (t.id() == currentTrace) {
                box.getStyleClass().add("trace-current");
            }
            traces.getChildren().add(box);
        }
    }

    static TitledPane traceBox(TraceItem t, Double mos) {
        TextArea text = new TextArea(readable(t));
        text.setEditable(false);
        text.setWrapText(true);
        text.setPrefRowCount(4);
        text.setPrefColumnCount(20);
        String title = "seed " + t.seed() + " · " + t.source() + " · score " + Ui.num(t.score(), 2)
                + (mos != null && t.score() != null ? " (Δ " + Ui.num(t.score() - mos, 2) + ")" : "")
                + " · " + t.parseStatus() + (t.verdict() == null ? "" : " · verdict " + t.verdict());
        TitledPane p = new TitledPane(title, text);
        p.setExpanded(true);
        if (!t.parsed()) {
            p.getStyleClass().add("trace-bad");
        }
        return p;
    }

    /**
     * The trace as a reader wants it: the reasoning, then the answer, without the model's {@code <think>}/{@code
     * <answer>} tags; a trace that did not parse is shown raw, since its tags are what went wrong.
     */
    static String readable(TraceItem t) {
        if (!t.parsed() || t.think() == null || t.think().isBlank()) {
            return t.rawText();
        }
        return t.think().strip() + "\n\nAnswer: " + (t.answer() == null ? "–" : t.answer().strip());
    }

    private int row(int r, String k, String v) {
        Label key = new Label(k);
        key.getStyleClass().add("fact-key");
        key.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
        Label val = new Label(v);
        val.setWrapText(true);
        facts.addRow(r, key, val);
        return r + 1;
    }

    /** Opens a window with one image's detail, loading it off the FX thread. */
    public static void open(AppContext ctx, long imageId) {
        open(ctx, new Browse(List.of(imageId), null, id -> List.of()), 0);
    }

    /**
     * A sequence of images the detail window steps through with Previous/Next (← →, Page Up/Down): the image ids,
     * what orders them (shown beside the position, null for none) and facts the caller adds per image (the run's
     * prediction and error, say), shown under the MOS.
     */
    public record Browse(List<Long> ids, String order, LongFunction<List<Map.Entry<String, String>>> extra) { }

    /** The facts shown for the image with this key ("Prediction (run 3)" etc.); null when absent. */
    public String fact(String key) {
        for (int i = 0; i + 1 < facts.getChildren().size(); i += 2) {
            if (facts.getChildren().get(i) instanceof Label k && key.equals(k.getText())) {
                return ((Label) facts.getChildren().get(i + 1)).getText();
            }
        }
        return null;
    }

    /** Opens a window on image {@code index} of {@code browse}, loading each image off the FX thread. */
    public static void open(AppContext ctx, Browse browse, int index) {
        ProjectQueries q = ctx.project().queries();
        if (q == null || browse.ids().isEmpty()) {
            return;
        }
        ImageDetailPane pane = new ImageDetailPane();
        Dialog<Void> dialog = new Dialog<>();
        int[] at = {Math.max(0, Math.min(index, browse.ids().size() - 1))};
        ImageDetail[] shown = new ImageDetail[1];
        // Exclude / include: the stages skip an excluded image (e.g. one that cannot be decoded) from the next
        // run on; `rali dataset remove-image` deletes it for good.
        Button exclude = new Button("Exclude image");
        exclude.setId("excludeImage");
        exclude.setMinWidth(Region.USE_PREF_SIZE);
        Button previous = new Button("◀ Previous");
        previous.setId("detailPrevious");
        Button next = new Button("Next ▶");
        next.setId("detailNext");
        previous.setMinWidth(Region.USE_PREF_SIZE);
        next.setMinWidth(Region.USE_PREF_SIZE);
        Label position = new Label();
        position.setId("detailPosition");
        HBox nav = new HBox(8, previous, next, position, exclude);
        nav.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
        boolean browsing = browse.ids().size() > 1;
        previous.setVisible(browsing);
        next.setVisible(browsing);
        previous.setManaged(browsing);
        next.setManaged(browsing);
        Consumer<ImageDetail> display = d -> {
            shown[0] = d;
            pane.show(d, -1, browse.extra().apply(d.image().id()));
            exclude.setText(d.excluded() == null ? "Exclude image" : "Include image");
            dialog.setTitle(d.image().name());
            int n = browse.ids().size();
            position.setText(n > 1 ? (at[0] + 1) + " / " + n + (browse.order() == null ? "" : " · " + browse.order())
                    : "");
            previous.setDisable(at[0] == 0);
            next.setDisable(at[0] >= n - 1);
        };
        Runnable[] load = new Runnable[1];
        load[0] = () -> {
            long id = browse.ids().get(at[0]);
            int wanted = at[0];
            ctx.tasks().execute("Load image", c -> q.image(id), d -> {
                if (wanted != at[0]) {
                    return; // the user stepped on meanwhile
                }
                d.ifPresent(display);
                if (!dialog.isShowing() && shown[0] != null) {
                    dialog.show();
                }
            });
        };
        java.util.function.IntConsumer step = dir -> {
            int to = at[0] + dir;
            if (to >= 0 && to < browse.ids().size()) {
                at[0] = to;
                load[0].run();
            }
        };
        previous.setOnAction(e -> step.accept(-1));
        next.setOnAction(e -> step.accept(+1));
        exclude.setOnAction(e -> {
            ImageDetail d = shown[0];
            if (d == null) {
                return;
            }
            boolean wasExcluded = d.excluded() != null;
            long id = d.image().id();
            exclude.setDisable(true);
            ctx.tasks().execute("Exclude image", c -> {
                q.setExcluded(id, !wasExcluded);
                return q.image(id);
            }, nd -> {
                exclude.setDisable(false);
                nd.ifPresent(display);
                ctx.project().changed();
            });
        });
        pane.getChildren().add(1, nav);
        dialog.getDialogPane().setContent(pane);
        dialog.getDialogPane().getButtonTypes().add(ButtonType.CLOSE);
        dialog.setResizable(true);
        // ← → and Page Up/Down step through the sequence unless the user is in a text (the traces are selectable)
        dialog.getDialogPane().addEventFilter(KeyEvent.KEY_PRESSED, e -> {
            if (e.getTarget() instanceof javafx.scene.control.TextInputControl) {
                return;
            }
            if (e.getCode() == KeyCode.RIGHT || e.getCode() == KeyCode.PAGE_DOWN) {
                step.accept(+1);
                e.consume();
            } else if (e.getCode() == KeyCode.LEFT || e.getCode() == KeyCode.PAGE_UP) {
                step.accept(-1);
                e.consume();
            }
        });
        if (ctx.window() != null) {
            dialog.initOwner(ctx.window());
        }
        load[0].run();
    }
}
