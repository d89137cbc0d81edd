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
import javafx.scene.layout.VBox;

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
        ProjectQueries.ImageItem i = d.image();
        view.setImage(new Image(i.path().toUri().toString(), imageSize, imageSize, true, true, true));
        facts.getChildren().clear();
        int r = 0;
        r = row(r, "Dataset", d.datasetName());
        r = row(r, "Image", i.name());
        r = row(r, "Split", i.split());
        r = row(r, "MOS [1,5]", Ui.num(i.mos(), 3));
        r = row(r, "MOS raw", Ui.num(i.mosRaw(), 3) + (i.mosStd() == null ? "" : " ± " + Ui.num(i.mosStd(), 3)));
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
        TextArea text = new TextArea(t.rawText());
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
        ProjectQueries q = ctx.project().queries();
        if (q == null) {
            return;
        }
        ctx.tasks().execute("Load image", c -> q.image(imageId), d -> d.ifPresent(detail -> {
            ImageDetailPane pane = new ImageDetailPane();
            pane.show(detail);
            // Exclude / include: the stages skip an excluded image (e.g. one that cannot be decoded) from the next
            // run on; `rali dataset remove-image` deletes it for good.
            Button exclude = new Button();
            exclude.setId("excludeImage");
            java.util.function.Consumer<ImageDetail> label = x -> exclude.setText(
                    x.excluded() == null ? "Exclude image" : "Include image");
            label.accept(detail);
            exclude.setOnAction(e -> {
                boolean wasExcluded = exclude.getText().startsWith("Include");
                exclude.setDisable(true);
                ctx.tasks().execute("Exclude image", c -> {
                    q.setExcluded(imageId, !wasExcluded);
                    return q.image(imageId);
                }, nd -> {
                    exclude.setDisable(false);
                    nd.ifPresent(x -> {
                        pane.show(x);
                        label.accept(x);
                    });
                    ctx.project().changed();
                });
            });
            pane.getChildren().add(1, exclude);
            Dialog<Void> dialog = new Dialog<>();
            dialog.setTitle(detail.image().name());
            dialog.getDialogPane().setContent(pane);
            dialog.getDialogPane().getButtonTypes().add(ButtonType.CLOSE);
            dialog.setResizable(true);
            if (ctx.window() != null) {
                dialog.initOwner(ctx.window());
            }
            dialog.show();
        }));
    }
}
