package dev.rali.app.views;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;
import javafx.geometry.Point2D;
import javafx.geometry.VPos;
import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.input.MouseEvent;
import javafx.scene.layout.Region;
import javafx.scene.paint.Color;
import javafx.scene.text.Font;
import javafx.scene.text.FontWeight;
import javafx.scene.text.TextAlignment;

/**
 * A 2-D scatter of map coordinates (t-SNE/UMAP) drawn on a canvas: axes with ticks, a legend (categories or a colour
 * bar), hover (nearest point within a few pixels), box or lasso selection by dragging, a click selects one point
 * (a click on empty space clears). The same drawing is written as SVG ({@link #toSvg}), so the export shows what the
 * view shows. JFreeChart is not used here: its scatter has no lasso and redraws slowly with thousands of points.
 */
public final class MapCanvas extends Region {

    /** How a drag selects. */
    public enum Mode { BOX, LASSO }

    /** Legend: category names with their colours, or a continuous colour bar from min to max. */
    public record Legend(String title, List<String> names, List<Color> colours, double min, double max) {
        public static Legend categories(String title, List<String> names, List<Color> colours) {
            return new Legend(title, names, colours, Double.NaN, Double.NaN);
        }

        public static Legend bar(String title, double min, double max) {
            return new Legend(title, null, null, min, max);
        }

        public boolean continuous() {
            return names == null;
        }
    }

    /** A text label at a data position (e.g. a basis's index at its mean map position). */
    public record Annotation(double x, double y, String text) { }

    /** The primitives both the canvas and the SVG writer draw with. */
    interface Painter {
        void rect(double x, double y, double w, double h, Color fill, Color stroke);

        void circle(double cx, double cy, double r, Color fill, Color stroke, double strokeWidth);

        void line(double x1, double y1, double x2, double y2, Color c, double width);

        void text(double x, double y, String s, double size, boolean bold, Color c, TextAlignment align,
                  boolean vertical);

        void polygon(List<Point2D> points, Color stroke);
    }

    static final Color[] CATEGORY = {Color.web("#2F6FDE"), Color.web("#E0712C"), Color.web("#2E9E5B"),
        Color.web("#B23A8E"), Color.web("#7A6A2E"), Color.web("#1B9AAA"), Color.web("#D62728"), Color.web("#8C564B"),
        Color.web("#7F7F7F"), Color.web("#BCBD22")};
    private static final Color[] VIRIDIS = {Color.web("#440154"), Color.web("#3B528B"), Color.web("#21918C"),
        Color.web("#5EC962"), Color.web("#FDE725")};
    private static final double LEFT = 50;
    private static final double TOP = 24;
    private static final double BOTTOM = 38;
    private static final double LEGEND = 128;

    private final Canvas canvas = new Canvas();
    private String title = "";
    private String xLabel = "";
    private String yLabel = "";
    private String message = "";
    private double[][] coords = new double[0][];
    private Color[] colours = new Color[0];
    private Legend legend;
    private List<Annotation> annotations = List.of();
    private Set<Integer> selected = Set.of();
    private int hovered = -1;
    private Mode mode = Mode.BOX;
    private final List<Point2D> drag = new ArrayList<>();
    private Consumer<Integer> onHover = i -> { };
    private Consumer<Set<Integer>> onSelect = s -> { };
    private double minX;
    private double maxX;
    private double minY;
    private double maxY;

    public MapCanvas() {
        getChildren().add(canvas);
        setMinSize(200, 160);
        setPrefSize(460, 360);
        canvas.addEventHandler(MouseEvent.MOUSE_MOVED, e -> hover(nearest(e.getX(), e.getY(), 8)));
        canvas.addEventHandler(MouseEvent.MOUSE_EXITED, e -> hover(-1));
        canvas.addEventHandler(MouseEvent.MOUSE_PRESSED, e -> {
            drag.clear();
            drag.add(new Point2D(e.getX(), e.getY()));
        });
        canvas.addEventHandler(MouseEvent.MOUSE_DRAGGED, e -> {
            drag.add(new Point2D(e.getX(), e.getY()));
            redraw();
        });
        canvas.addEventHandler(MouseEvent.MOUSE_RELEASED, e -> {
            drag.add(new Point2D(e.getX(), e.getY()));
            Point2D a = drag.get(0);
            if (a.distance(e.getX(), e.getY()) < 4 && drag.size() < 4) {
                int i = nearest(e.getX(), e.getY(), 8);
                onSelect.accept(i < 0 ? Set.of() : Set.of(i));
            } else {
                onSelect.accept(inside(mode == Mode.BOX ? box(a, new Point2D(e.getX(), e.getY())) : List.copyOf(drag)));
            }
            drag.clear();
            redraw();
        });
    }

    @Override
    protected void layoutChildren() {
        double w = getWidth();
        double h = getHeight();
        if (canvas.getWidth() != w || canvas.getHeight() != h) {
            canvas.setWidth(w);
            canvas.setHeight(h);
            redraw();
        }
    }

    /** New points; colours and legend come with {@link #setColours}. */
    public void setPoints(double[][] coordinates, String title, String xLabel, String yLabel) {
        this.coords = coordinates == null ? new double[0][] : coordinates;
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
        this.colours = new Color[coords.length];
        java.util.Arrays.fill(colours, CATEGORY[0]);
        this.selected = Set.of();
        this.hovered = -1;
        bounds();
        redraw();
    }

    public void setColours(Color[] perPoint, Legend legend) {
        this.colours = perPoint;
        this.legend = legend;
        redraw();
    }

    public void setAnnotations(List<Annotation> a) {
        this.annotations = List.copyOf(a);
        redraw();
    }

    /** A message drawn over the plot (e.g. why there is no map). */
    public void setMessage(String m) {
        this.message = m == null ? "" : m;
        redraw();
    }

    public void setSelected(Set<Integer> indices) {
        this.selected = Set.copyOf(indices);
        redraw();
    }

    public void setHovered(int i) {
        if (i != hovered) {
            hovered = i;
            redraw();
        }
    }

    public void setMode(Mode m) {
        this.mode = m;
    }

    public void setOnHover(Consumer<Integer> c) {
        this.onHover = c;
    }

    public void setOnSelect(Consumer<Set<Integer>> c) {
        this.onSelect = c;
    }

    public int size() {
        return coords.length;
    }

    public Set<Integer> selected() {
        return selected;
    }

    public String title() {
        return title;
    }

    public Legend legend() {
        return legend;
    }

    public Color colour(int i) {
        return colours[i];
    }

    /** Where point i is drawn, in this node's coordinates (tests drag and hover with it). */
    public Point2D screenPoint(int i) {
        return new Point2D(sx(coords[i][0], canvas.getWidth()), sy(coords[i][1], canvas.getHeight()));
    }

    /** The continuous colour map (viridis, 5 stops) at t in [0, 1]. */
    public static Color ramp(double t) {
        if (!Double.isFinite(t)) {
            return Color.gray(0.75);
        }
        double u = Math.max(0, Math.min(1, t)) * (VIRIDIS.length - 1);
        int k = Math.min(VIRIDIS.length - 2, (int) Math.floor(u));
        return VIRIDIS[k].interpolate(VIRIDIS[k + 1], u - k);
    }

    /** The k-th category colour (cycling after ten). */
    public static Color category(int k) {
        return CATEGORY[Math.floorMod(k, CATEGORY.length)];
    }

    private void hover(int i) {
        if (i != hovered) {
            hovered = i;
            redraw();
            onHover.accept(i);
        }
    }

    private void bounds() {
        minX = minY = Double.POSITIVE_INFINITY;
        maxX = maxY = Double.NEGATIVE_INFINITY;
        for (double[] p : coords) {
            minX = Math.min(minX, p[0]);
            maxX = Math.max(maxX, p[0]);
            minY = Math.min(minY, p[1]);
            maxY = Math.max(maxY, p[1]);
        }
        if (coords.length == 0) {
            minX = minY = 0;
            maxX = maxY = 1;
        }
        double px = Math.max(1e-9, maxX - minX) * 0.05;
        double py = Math.max(1e-9, maxY - minY) * 0.05;
        minX -= px;
        maxX += px;
        minY -= py;
        maxY += py;
    }

    private double right(double w) {
        return w - LEGEND - 8;
    }

    private double sx(double x, double w) {
        return LEFT + (x - minX) / (maxX - minX) * (right(w) - LEFT);
    }

    private double sy(double y, double h) {
        return h - BOTTOM - (y - minY) / (maxY - minY) * (h - BOTTOM - TOP);
    }

    private int nearest(double x, double y, double radius) {
        int best = -1;
        double bd = radius * radius;
        double w = canvas.getWidth();
        double h = canvas.getHeight();
        for (int i = 0; i < coords.length; i++) {
            double dx = sx(coords[i][0], w) - x;
            double dy = sy(coords[i][1], h) - y;
            double d = dx * dx + dy * dy;
            if (d <= bd) {
                bd = d;
                best = i;
            }
        }
        return best;
    }

    private static List<Point2D> box(Point2D a, Point2D b) {
        return List.of(a, new Point2D(b.getX(), a.getY()), b, new Point2D(a.getX(), b.getY()));
    }

    /** The points drawn inside a polygon (even-odd rule). */
    Set<Integer> inside(List<Point2D> poly) {
        Set<Integer> out = new LinkedHashSet<>();
        double w = canvas.getWidth();
        double h = canvas.getHeight();
        for (int i = 0; i < coords.length; i++) {
            if (contains(poly, sx(coords[i][0], w), sy(coords[i][1], h))) {
                out.add(i);
            }
        }
        return out;
    }

    static boolean contains(List<Point2D> poly, double x, double y) {
        boolean in = false;
        for (int i = 0, j = poly.size() - 1; i < poly.size(); j = i++) {
            Point2D a = poly.get(i);
            Point2D b = poly.get(j);
            if ((a.getY() > y) != (b.getY() > y)
                    && x < (b.getX() - a.getX()) * (y - a.getY()) / (b.getY() - a.getY()) + a.getX()) {
                in = !in;
            }
        }
        return in;
    }

    private void redraw() {
        double w = canvas.getWidth();
        double h = canvas.getHeight();
        if (w <= 0 || h <= 0) {
            return;
        }
        GraphicsContext g = canvas.getGraphicsContext2D();
        g.clearRect(0, 0, w, h);
        paint(new CanvasPainter(g), w, h, true);
    }

    /** Draws everything with {@code p} on a w × h surface; {@code live} adds the hover ring and the drag outline. */
    void paint(Painter p, double w, double h, boolean live) {
        p.rect(0, 0, w, h, Color.WHITE, null);
        double r = right(w);
        double b = h - BOTTOM;
        p.text(LEFT, 15, title, 12.5, true, Color.gray(0.15), TextAlignment.LEFT, false);
        p.rect(LEFT, TOP, r - LEFT, b - TOP, null, Color.gray(0.75));
        if (coords.length > 0) {
            for (double t : ticks(minX, maxX)) {
                double x = sx(t, w);
                p.line(x, b, x, b + 4, Color.gray(0.4), 1);
                p.line(x, TOP, x, b, Color.gray(0.93), 1);
                p.text(x, b + 15, fmt(t), 10, false, Color.gray(0.3), TextAlignment.CENTER, false);
            }
            for (double t : ticks(minY, maxY)) {
                double y = sy(t, h);
                p.line(LEFT - 4, y, LEFT, y, Color.gray(0.4), 1);
                p.line(LEFT, y, r, y, Color.gray(0.93), 1);
                p.text(LEFT - 6, y + 3.5, fmt(t), 10, false, Color.gray(0.3), TextAlignment.RIGHT, false);
            }
        }
        p.text((LEFT + r) / 2, h - 6, xLabel, 11, false, Color.gray(0.2), TextAlignment.CENTER, false);
        p.text(13, (TOP + b) / 2, yLabel, 11, false, Color.gray(0.2), TextAlignment.CENTER, true);
        double rad = coords.length > 1500 ? 2.2 : coords.length > 400 ? 3 : 4;
        boolean anySelected = !selected.isEmpty();
        for (int pass = 0; pass < 2; pass++) {
            for (int i = 0; i < coords.length; i++) {
                boolean sel = selected.contains(i);
                if ((pass == 1) != sel) {
                    continue; // selected points on top
                }
                Color c = colours[i] == null ? Color.gray(0.6) : colours[i];
                Color fill = anySelected && !sel ? c.deriveColor(0, 0.4, 1.1, 0.25) : c.deriveColor(0, 1, 1, 0.8);
                p.circle(sx(coords[i][0], w), sy(coords[i][1], h), sel ? rad + 0.8 : rad, fill,
                        sel ? Color.gray(0.1) : null, 0.8);
            }
        }
        for (Annotation a : annotations) {
            if (Double.isFinite(a.x()) && Double.isFinite(a.y())) {
                double x = sx(a.x(), w);
                double y = sy(a.y(), h);
                p.circle(x, y, 8, Color.rgb(255, 255, 255, 0.85), Color.gray(0.2), 1);
                p.text(x, y + 3.5, a.text(), 9.5, true, Color.gray(0.1), TextAlignment.CENTER, false);
            }
        }
        if (live && hovered >= 0 && hovered < coords.length) {
            p.circle(sx(coords[hovered][0], w), sy(coords[hovered][1], h), rad + 4, null, Color.BLACK, 1.5);
        }
        if (live && drag.size() > 1) {
            p.polygon(mode == Mode.BOX ? box(drag.get(0), drag.get(drag.size() - 1)) : drag, Color.gray(0.2));
        }
        paintLegend(p, r + 12, TOP);
        if (!message.isEmpty()) {
            p.text((LEFT + r) / 2, (TOP + b) / 2, message, 11.5, false, Color.gray(0.35), TextAlignment.CENTER, false);
        }
    }

    private void paintLegend(Painter p, double x, double y) {
        if (legend == null) {
            return;
        }
        // a long title ("predicted score (run 12)") goes on two lines, so it stays inside the legend column
        String[] lines = legend.title().split(" (?=\\()", 2);
        for (int k = 0; k < lines.length; k++) {
            p.text(x, y + 10 + 14 * k, lines[k], 11, true, Color.gray(0.2), TextAlignment.LEFT, false);
        }
        y += 14 * (lines.length - 1);
        if (legend.continuous()) {
            double top = y + 20;
            double height = 120;
            int steps = 24;
            for (int k = 0; k < steps; k++) {
                p.rect(x, top + k * height / steps, 14, height / steps + 0.5, ramp(1 - (double) k / (steps - 1)), null);
            }
            p.rect(x, top, 14, height, null, Color.gray(0.6));
            p.text(x + 20, top + 9, fmt(legend.max()), 10, false, Color.gray(0.3), TextAlignment.LEFT, false);
            p.text(x + 20, top + height, fmt(legend.min()), 10, false, Color.gray(0.3), TextAlignment.LEFT, false);
            return;
        }
        int shown = Math.min(legend.names().size(), 14);
        for (int k = 0; k < shown; k++) {
            double yy = y + 24 + k * 17;
            p.circle(x + 6, yy - 4, 5, legend.colours().get(k), null, 0);
            String name = legend.names().get(k);
            p.text(x + 16, yy, name.length() > 16 ? name.substring(0, 15) + "…" : name, 10.5, false,
                    Color.gray(0.2), TextAlignment.LEFT, false);
        }
        if (legend.names().size() > shown) {
            p.text(x, y + 24 + shown * 17, "+" + (legend.names().size() - shown) + " more", 10, false,
                    Color.gray(0.4), TextAlignment.LEFT, false);
        }
    }

    /** Round tick positions (steps of 1, 2 or 5 × 10^k), about five over the range. */
    static List<Double> ticks(double lo, double hi) {
        List<Double> out = new ArrayList<>();
        double range = hi - lo;
        if (!(range > 0) || !Double.isFinite(range)) {
            return out;
        }
        double raw = range / 5;
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double step = raw / mag < 1.5 ? mag : raw / mag < 3.5 ? 2 * mag : raw / mag < 7.5 ? 5 * mag : 10 * mag;
        for (double t = Math.ceil(lo / step) * step; t <= hi + 1e-12; t += step) {
            out.add(Math.abs(t) < step * 1e-9 ? 0 : t);
        }
        return out;
    }

    static String fmt(double v) {
        if (!Double.isFinite(v)) {
            return "–";
        }
        double a = Math.abs(v);
        return a >= 100 || v == Math.rint(v) ? String.format(Locale.ROOT, "%.0f", v)
                : a >= 1 ? String.format(Locale.ROOT, "%.1f", v) : String.format(Locale.ROOT, "%.2f", v);
    }

    /** The map as a standalone SVG document of the given size (what the canvas shows, without hover). */
    public String toSvg(double w, double h) {
        SvgPainter s = new SvgPainter();
        paint(s, w, h, false);
        return s.document(w, h);
    }

    /** The SVG elements of the map at w × h, to place inside a larger document. */
    public String svgElements(double w, double h) {
        SvgPainter s = new SvgPainter();
        paint(s, w, h, false);
        return s.sb.toString();
    }

    private static final class CanvasPainter implements Painter {
        private final GraphicsContext g;

        CanvasPainter(GraphicsContext g) {
            this.g = g;
        }

        @Override
        public void rect(double x, double y, double w, double h, Color fill, Color stroke) {
            if (fill != null) {
                g.setFill(fill);
                g.fillRect(x, y, w, h);
            }
            if (stroke != null) {
                g.setStroke(stroke);
                g.setLineWidth(1);
                g.strokeRect(x + 0.5, y + 0.5, w, h);
            }
        }

        @Override
        public void circle(double cx, double cy, double r, Color fill, Color stroke, double sw) {
            if (fill != null) {
                g.setFill(fill);
                g.fillOval(cx - r, cy - r, 2 * r, 2 * r);
            }
            if (stroke != null) {
                g.setStroke(stroke);
                g.setLineWidth(sw);
                g.strokeOval(cx - r, cy - r, 2 * r, 2 * r);
            }
        }

        @Override
        public void line(double x1, double y1, double x2, double y2, Color c, double width) {
            g.setStroke(c);
            g.setLineWidth(width);
            g.strokeLine(x1, y1, x2, y2);
        }

        @Override
        public void text(double x, double y, String s, double size, boolean bold, Color c, TextAlignment align,
                         boolean vertical) {
            g.setFont(Font.font("System", bold ? FontWeight.BOLD : FontWeight.NORMAL, size));
            g.setFill(c);
            g.setTextAlign(align);
            g.setTextBaseline(VPos.BASELINE);
            if (vertical) {
                g.save();
                g.translate(x, y);
                g.rotate(-90);
                g.fillText(s, 0, 0);
                g.restore();
            } else {
                g.fillText(s, x, y);
            }
        }

        @Override
        public void polygon(List<Point2D> pts, Color stroke) {
            g.setStroke(stroke);
            g.setLineWidth(1);
            g.setLineDashes(4, 3);
            g.beginPath();
            g.moveTo(pts.get(0).getX(), pts.get(0).getY());
            for (Point2D q : pts) {
                g.lineTo(q.getX(), q.getY());
            }
            g.closePath();
            g.stroke();
            g.setLineDashes((double[]) null);
        }
    }

    /** Writes the primitives as SVG elements. */
    static final class SvgPainter implements Painter {
        private final StringBuilder sb = new StringBuilder();

        String document(double w, double h) {
            return String.format(Locale.ROOT, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>%n<svg xmlns=\"http://www.w3"
                    + ".org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" font-family=\"sans-serif"
                    + "\">%n", w, h, w, h) + sb + "</svg>\n";
        }

        @Override
        public void rect(double x, double y, double w, double h, Color fill, Color stroke) {
            sb.append(String.format(Locale.ROOT, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\"%s%s/>%n",
                    x, y, w, h, paint("fill", fill), stroke == null ? "" : paint("stroke", stroke)));
        }

        @Override
        public void circle(double cx, double cy, double r, Color fill, Color stroke, double sw) {
            sb.append(String.format(Locale.ROOT, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"%.2f\"%s%s/>%n", cx, cy, r,
                    paint("fill", fill), stroke == null ? ""
                            : paint("stroke", stroke) + String.format(Locale.ROOT, " stroke-width=\"%.2f\"", sw)));
        }

        @Override
        public void line(double x1, double y1, double x2, double y2, Color c, double width) {
            sb.append(String.format(Locale.ROOT,
                    "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\"%s stroke-width=\"%.2f\"/>%n",
                    x1, y1, x2, y2, paint("stroke", c), width));
        }

        @Override
        public void text(double x, double y, String s, double size, boolean bold, Color c, TextAlignment align,
                         boolean vertical) {
            String anchor = align == TextAlignment.CENTER ? "middle" : align == TextAlignment.RIGHT ? "end" : "start";
            sb.append(String.format(Locale.ROOT, "<text x=\"%.2f\" y=\"%.2f\" font-size=\"%.1f\"%s text-anchor=\"%s\""
                            + "%s%s>%s</text>%n", x, y, size, bold ? " font-weight=\"bold\"" : "", anchor,
                    paint("fill", c), vertical ? String.format(Locale.ROOT, " transform=\"rotate(-90 %.2f %.2f)\"",
                            x, y) : "", escape(s)));
        }

        @Override
        public void polygon(List<Point2D> pts, Color stroke) {
            StringBuilder d = new StringBuilder();
            for (Point2D q : pts) {
                d.append(String.format(Locale.ROOT, "%.1f,%.1f ", q.getX(), q.getY()));
            }
            sb.append("<polygon points=\"").append(d.toString().strip()).append("\" fill=\"none\"")
                    .append(paint("stroke", stroke)).append("/>\n");
        }

        private static String paint(String attr, Color c) {
            if (c == null) {
                return " " + attr + "=\"none\"";
            }
            String rgb = String.format(Locale.ROOT, "#%02x%02x%02x", (int) Math.round(c.getRed() * 255),
                    (int) Math.round(c.getGreen() * 255), (int) Math.round(c.getBlue() * 255));
            return " " + attr + "=\"" + rgb + "\"" + (c.getOpacity() < 1
                    ? String.format(Locale.ROOT, " %s-opacity=\"%.3f\"", attr, c.getOpacity()) : "");
        }

        static String escape(String s) {
            return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
        }
    }
}
