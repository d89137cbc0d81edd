package dev.rali.app.views;

import dev.rali.app.AppContext;
import dev.rali.app.SaliencyFactory;
import dev.rali.engine.analysis.saliency.Explainer;
import dev.rali.engine.analysis.saliency.ImageSaliency;
import dev.rali.engine.task.BackgroundTask;
import java.nio.file.Path;
import java.util.Locale;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.RadioButton;
import javafx.scene.control.ToggleGroup;
import javafx.scene.image.PixelFormat;
import javafx.scene.image.WritableImage;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;

/**
 * Which pixels drive one image's RALI score, with the chosen model bundle ({@link Explainer#explain}): the model
 * input (resized and centre-cropped, so the map lines up with what the encoder saw) under the CLIP vision tower's
 * attention rollout or the occlusion attribution of the score (red raises it, blue lowers it), with an opacity
 * slider. Used by the Score view (selected scored image) and the Trace audit (image side). The work runs as a
 * background task; choosing another image cancels it.
 */
public final class SaliencyPane extends VBox {
    private final AppContext ctx;
    private final String id;
    private final ModelBundleField model;
    private final Button explain = new Button("Explain");
    private final RadioButton rollout = new RadioButton("Attention rollout (vision tower)");
    private final RadioButton occlusion = new RadioButton("Score attribution (occlusion)");
    private final Label status = new Label();
    private final HeatmapOverlay overlay;
    private Path image;
    private ImageSaliency result;
    private BackgroundTask<ImageSaliency> job;

    SaliencyPane(AppContext ctx, String idPrefix, double side) {
        super(8);
        this.ctx = ctx;
        this.id = idPrefix;
        setId(idPrefix + "Pane");
        model = new ModelBundleField(ctx, idPrefix + "Model");
        overlay = new HeatmapOverlay(side, idPrefix);
        explain.setId(idPrefix + "Explain");
        explain.setMinWidth(Button.USE_PREF_SIZE);
        explain.setOnAction(e -> explain());
        Ui.tip(explain, "Compute the rollout and the occlusion attribution of the selected image's score with this "
                + "model (same as rali analyze saliency)");
        ToggleGroup g = new ToggleGroup();
        rollout.setToggleGroup(g);
        occlusion.setToggleGroup(g);
        rollout.setId(idPrefix + "Rollout");
        occlusion.setId(idPrefix + "Occlusion");
        occlusion.setSelected(true);
        rollout.setWrapText(true);
        occlusion.setWrapText(true);
        g.selectedToggleProperty().addListener((o, a, b) -> redraw());
        status.setId(idPrefix + "Status");
        status.setWrapText(true);
        HBox top = new HBox(8, model, explain);
        top.setAlignment(Pos.CENTER_LEFT);
        HBox.setHgrow(model, javafx.scene.layout.Priority.ALWAYS);
        VBox methods = new VBox(4, occlusion, rollout);
        getChildren().addAll(Ui.heading("Which regions drive the score"), top, methods, status, overlay);
        setImage(null);
    }

    /**
     * Hides the pane's own model field, for a view that has one already (the Score view): the pane then explains
     * with the bundle chosen there ({@link AppContext#modelBundleProperty()}).
     */
    public void useViewsModelField() {
        model.setVisible(false);
        model.setManaged(false);
    }

    /** The image to explain next (null: none selected); drops the previous result. */
    public void setImage(Path image) {
        if (job != null) {
            job.cancel();
            job = null;
        }
        this.image = image;
        this.result = null;
        explain.setDisable(image == null);
        status.setText(image == null ? "Select a scored image to see which regions drive its score."
                : image.getFileName() + ": press Explain to compute its saliency with the model above.");
        overlay.clear("");
    }

    /** Computes the saliency of the current image with the chosen bundle, off the FX thread. */
    public void explain() {
        if (image == null || job != null) {
            return;
        }
        SaliencyFactory factory = ctx.services().get(SaliencyFactory.class);
        if (factory == null) {
            status.setText("Saliency is not available in this build; use rali analyze saliency.");
            return;
        }
        String problem = model.problem();
        if (problem != null) {
            status.setText(problem);
            return;
        }
        Path bundle = model.bundle();
        Path img = image;
        status.setText("Explaining " + img.getFileName() + "…");
        explain.setDisable(true);
        long t0 = System.nanoTime();
        BackgroundTask<ImageSaliency> task = BackgroundTask.of("Saliency of " + img.getFileName(), c -> {
            try (Explainer x = factory.open(bundle)) {
                c.checkCancelled();
                return x.explain(img, 1, c);
            }
        });
        job = task;
        task.onSuccess(r -> {
            if (img.equals(image)) {
                result = r;
                status.setText(String.format(Locale.ROOT, "%s: score %.3f · %d×%d patches of %d px · %.1f s",
                        img.getFileName(), r.score(), r.grid(), r.grid(), r.patch(), (System.nanoTime() - t0) / 1e9));
                redraw();
            }
        }).onFailure(e -> status.setText("Saliency failed: " + e.getMessage()))
                .onFinished(() -> {
                    if (job == task) {
                        job = null;
                    }
                    explain.setDisable(image == null);
                });
        ctx.tasks().execute(task);
    }

    private void redraw() {
        ImageSaliency r = result;
        if (r == null) {
            return;
        }
        WritableImage input = new WritableImage(r.size(), r.size());
        input.getPixelWriter().setPixels(0, 0, r.size(), r.size(), PixelFormat.getIntArgbInstance(), r.inputRgb(), 0,
                r.size());
        if (rollout.isSelected()) {
            overlay.show(input, r.rollout(), HeatmapOverlay.Scale.SEQUENTIAL,
                    v -> String.format(Locale.ROOT, "%.2f %%", 100 * v),
                    "Attention rollout (Abnar & Zuidema 2020): how much of the class token, which becomes the "
                            + "embedding, flows from each patch through all layers (% per patch).");
        } else {
            overlay.show(input, r.occlusion(), HeatmapOverlay.Scale.DIVERGING,
                    v -> String.format(Locale.ROOT, "%+.4f", v),
                    "Occlusion attribution: score minus the score with this " + r.window() + "×" + r.window()
                            + " patch window set to the mean colour. Red regions raise this image's score, blue "
                            + "ones lower it.");
        }
    }

    public ImageSaliency result() {
        return result;
    }

    public HeatmapOverlay overlay() {
        return overlay;
    }

    public Label status() {
        return status;
    }
}
