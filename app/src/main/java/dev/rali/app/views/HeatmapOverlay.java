package dev.rali.app.views;

import java.util.Locale;
import java.util.function.DoubleFunction;
import javafx.geometry.Pos;
import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.control.Label;
import javafx.scene.control.Slider;
import javafx.scene.control.Tooltip;
import javafx.scene.image.Image;
import javafx.scene.image.ImageView;
import javafx.scene.layout.HBox;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import javafx.scene.paint.Color;
import javafx.scene.paint.CycleMethod;
import javafx.scene.paint.LinearGradient;
import javafx.scene.paint.Stop;
import javafx.scene.shape.Rectangle;
import javafx.util.Duration;

/**
 * An image with a grid of values drawn over it as a heatmap: an opacity slider (0 = only the image, 1 = only the
 * map), a colour legend with the range in the values' unit, and the value of the cell under the mouse as a tooltip.
 * Sequential maps (attention, rollout) run dark purple → yellow from 0 to the largest value; diverging maps (score
 * attribution) run blue (negative) → white (0) → red (positive), symmetric around 0.
 */
public final class HeatmapOverlay extends VBox {
    enum Scale { SEQUENTIAL, DIVERGING }

    private static final Color[] SEQ = {Color.web("#000004"), Color.web("#51127c"), Color.web("#b73779"),
        Color.web("#fc8961"), Color.web("#fcfdbf")};

    private final double side;
    private final ImageView view = new ImageView();
    private final Canvas canvas = new Canvas();
    private final Slider opacity = new Slider(0, 1, 0.55);
    private final Rectangle legendBar = new Rectangle(90, 10);
    private final Label legendMin = new Label();
    private final Label legendMax = new Label();
    private final Label caption = new Label();
    private final Tooltip tip = new Tooltip();
    private double[][] values;
    private Scale scale = Scale.SEQUENTIAL;
    private DoubleFunction<String> format = v -> String.format(Locale.ROOT, "%.4f", v);

    HeatmapOverlay(double side, String idPrefix) {
        super(6);
        this.side = side;
        view.setPreserveRatio(true);
        view.setFitWidth(side);
        view.setFitHeight(side);
        StackPane stack = new StackPane(view, canvas);
        stack.setMinSize(side, side);
        stack.setPrefSize(side, side);
        stack.setMaxSize(side, side);
        stack.setStyle("-fx-background-color: #f2f2f2;");
        opacity.setId(idPrefix + "Opacity");
        opacity.setPrefWidth(90);
        opacity.valueProperty().addListener((o, a, b) -> draw());
        canvas.setId(idPrefix + "Heatmap");
        tip.setShowDelay(Duration.millis(80));
        Tooltip.install(canvas, tip);
        canvas.setOnMouseMoved(e -> tip.setText(cellText(e.getX(), e.getY())));
        legendMin.setMinWidth(Label.USE_PREF_SIZE);
        legendMax.setMinWidth(Label.USE_PREF_SIZE);
        Label op = new Label("Opacity");
        op.setMinWidth(Label.USE_PREF_SIZE);
        HBox legend = new HBox(6, op, opacity, legendMin, legendBar, legendMax);
        legend.setAlignment(Pos.CENTER_LEFT);
        caption.setWrapText(true);
        caption.setMaxWidth(side + 60);
        caption.getStyleClass().add("hint");
        caption.setId(idPrefix + "Caption");
        getChildren().addAll(stack, legend, caption);
        setMaxWidth(Double.MAX_VALUE);
    }

    /**
     * Shows {@code image} (null: a grey square, the map alone) with {@code values} [rows][cols] over all of it
     * (null: no map). {@code format} writes a value in its unit for the legend and the tooltip.
     */
    void show(Image image, double[][] values, Scale scale, DoubleFunction<String> format, String captionText) {
        this.values = values;
        this.scale = scale;
        this.format = format;
        view.setImage(image);
        caption.setText(captionText == null ? "" : captionText);
        double w = side;
        double h = side;
        if (image != null && image.getWidth() > 0 && image.getHeight() > 0) {
            double r = Math.min(side / image.getWidth(), side / image.getHeight());
            w = image.getWidth() * r;
            h = image.getHeight() * r;
        }
        canvas.setWidth(w);
        canvas.setHeight(h);
        double max = max();
        if (values == null) {
            legendMin.setText("");
            legendMax.setText("");
            legendBar.setFill(Color.TRANSPARENT);
        } else if (scale == Scale.DIVERGING) {
            legendMin.setText(format.apply(-max));
            legendMax.setText(format.apply(max));
            legendBar.setFill(gradient(new Color[] {Color.web("#2166ac"), Color.WHITE, Color.web("#b2182b")}));
        } else {
            legendMin.setText(format.apply(0));
            legendMax.setText(format.apply(max));
            legendBar.setFill(gradient(SEQ));
        }
        draw();
    }

    void clear(String captionText) {
        show(null, null, Scale.SEQUENTIAL, format, captionText);
    }

    public double[][] values() {
        return values;
    }

    public Slider opacity() {
        return opacity;
    }

    public String caption() {
        return caption.getText();
    }

    private static LinearGradient gradient(Color[] colours) {
        Stop[] stops = new Stop[colours.length];
        for (int i = 0; i < colours.length; i++) {
            stops[i] = new Stop(i / (double) (colours.length - 1), colours[i]);
        }
        return new LinearGradient(0, 0, 1, 0, true, CycleMethod.NO_CYCLE, stops);
    }

    private double max() {
        double m = 0;
        if (values != null) {
            for (double[] r : values) {
                for (double v : r) {
                    if (!Double.isNaN(v)) {
                        m = Math.max(m, Math.abs(v));
                    }
                }
            }
        }
        return m;
    }

    private void draw() {
        GraphicsContext g = canvas.getGraphicsContext2D();
        g.clearRect(0, 0, canvas.getWidth(), canvas.getHeight());
        if (values == null || values.length == 0 || values[0].length == 0) {
            return;
        }
        int rows = values.length;
        int cols = values[0].length;
        double cw = canvas.getWidth() / cols;
        double ch = canvas.getHeight() / rows;
        double max = max();
        double a = opacity.getValue();
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                double v = values[r][c];
                if (Double.isNaN(v)) {
                    continue;
                }
                Color col = scale == Scale.DIVERGING ? diverging(max > 0 ? v / max : 0) : sequential(max > 0 ? v / max : 0);
                g.setFill(Color.color(col.getRed(), col.getGreen(), col.getBlue(), a));
                // snap to whole pixels so neighbouring cells leave no hairline gaps
                double x0 = Math.floor(c * cw);
                double y0 = Math.floor(r * ch);
                g.fillRect(x0, y0, Math.floor((c + 1) * cw) - x0, Math.floor((r + 1) * ch) - y0);
            }
        }
    }

    static Color sequential(double t) {
        t = Math.max(0, Math.min(1, t)) * (SEQ.length - 1);
        int i = Math.min(SEQ.length - 2, (int) Math.floor(t));
        return SEQ[i].interpolate(SEQ[i + 1], t - i);
    }

    static Color diverging(double t) {
        t = Math.max(-1, Math.min(1, t));
        return t >= 0 ? Color.WHITE.interpolate(Color.web("#b2182b"), t) : Color.WHITE.interpolate(Color.web("#2166ac"), -t);
    }

    private String cellText(double x, double y) {
        if (values == null || values.length == 0) {
            return "";
        }
        int rows = values.length;
        int cols = values[0].length;
        int c = (int) Math.min(cols - 1, Math.max(0, x / canvas.getWidth() * cols));
        int r = (int) Math.min(rows - 1, Math.max(0, y / canvas.getHeight() * rows));
        return "row " + r + ", column " + c + ": " + format.apply(values[r][c]);
    }
}
