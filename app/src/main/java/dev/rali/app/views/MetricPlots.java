package dev.rali.app.views;

import dev.rali.engine.pipeline.MetricGroups;
import dev.rali.engine.pipeline.MetricGroups.Group;
import dev.rali.engine.project.Runs.MetricPoint;
import dev.rali.engine.task.BackgroundTask;
import java.awt.BasicStroke;
import java.awt.Color;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.CheckBox;
import javafx.scene.control.CheckMenuItem;
import javafx.scene.control.Label;
import javafx.scene.control.MenuButton;
import javafx.scene.control.Slider;
import javafx.scene.layout.ColumnConstraints;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.RowConstraints;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.fx.ChartViewer;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Run metrics laid out the way TensorBoard does it: one panel per {@link MetricGroups} group, each with its own y axis
 * and its own step unit on x (alignment steps and score-definition epochs never share an axis), a smoothing slider
 * (TensorBoard's debiased exponential moving average; the raw curve stays faint behind the smoothed one), a log
 * scale, and a check box per metric. Final values (bases/count, the PCA variance ratio) are a table, not a curve.
 * Holds any number of runs: the Pipeline view's live plot is one run, the run comparison several. FX thread only.
 */
public final class MetricPlots {
    /** A curve: one metric of one run. */
    record Key(String run, String metric) { }

    private final Map<Key, TreeMap<Long, Double>> raw = new LinkedHashMap<>();
    private final Map<String, Panel> panels = new LinkedHashMap<>();
    private final Set<String> hidden = new HashSet<>();
    private final Map<String, CheckMenuItem> toggles = new LinkedHashMap<>();
    private final Slider smoothing = new Slider(0, 0.99, 0.6);
    private final CheckBox logScale = new CheckBox("Log y");
    private final MenuButton toggleBox = new MenuButton("Metrics");
    private final GridPane grid = new GridPane();
    private final GridPane finals = new GridPane();
    private final VBox empty;
    private final VBox root;

    /** One group's chart: smoothed curves (dataset 0, bold, in the legend) over the raw ones (dataset 1, faint). */
    private static final class Panel {
        final Group group;
        final XYSeriesCollection smoothed = new XYSeriesCollection();
        final XYSeriesCollection rawData = new XYSeriesCollection();
        final JFreeChart chart;
        final ChartViewer viewer;

        Panel(Group group) {
            this.group = group;
            chart = Charts.lines(group.title(), group.unit(), group.yLabel(), smoothed);
            XYPlot p = chart.getXYPlot();
            p.setDataset(1, rawData);
            XYLineAndShapeRenderer faint = new XYLineAndShapeRenderer(true, false);
            faint.setDefaultSeriesVisibleInLegend(false);
            p.setRenderer(1, faint);
            ((NumberAxis) p.getRangeAxis()).setAutoRangeIncludesZero(false);
            ((NumberAxis) p.getDomainAxis()).setStandardTickUnits(NumberAxis.createIntegerTickUnits());
            // small panels: compact fonts keep the axis labels and ticks readable at 1024×700
            chart.getTitle().setFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.BOLD, 12));
            java.awt.Font axis = new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN, 11);
            java.awt.Font ticks = new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN, 10);
            for (ValueAxis a : List.of(p.getDomainAxis(), p.getRangeAxis())) {
                a.setLabelFont(axis);
                a.setTickLabelFont(ticks);
            }
            if (chart.getLegend() != null) {
                chart.getLegend().setItemFont(ticks);
            }
            viewer = new ChartViewer(chart);
            viewer.setId("plot-" + group.id());
            viewer.setMinSize(160, 120);
            viewer.setPrefSize(360, 220);
        }
    }

    public MetricPlots(String emptyTitle, String emptyText) {
        smoothing.setId("plotSmoothing");
        smoothing.setPrefWidth(120);
        smoothing.setMinWidth(80);
        Label smoothValue = new Label();
        smoothValue.setMinWidth(32);
        smoothValue.textProperty().bind(smoothing.valueProperty().asString(Locale.ROOT, "%.2f"));
        Ui.tip(smoothing, "Exponential moving average weight, as in TensorBoard (0 = raw). The raw curve stays "
                + "faint behind the smoothed one.");
        smoothing.valueProperty().addListener((o, a, b) -> redrawAll());
        logScale.setId("plotLogScale");
        logScale.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
        Ui.tip(logScale, "Logarithmic y axis for panels whose values are all positive (losses); panels with zero "
                + "or negative values (correlations) stay linear.");
        logScale.selectedProperty().addListener((o, a, b) -> redrawAll());
        Label smoothLabel = new Label("Smoothing");
        smoothLabel.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
        toggleBox.setId("metricToggles");
        toggleBox.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
        Ui.tip(toggleBox, "Show or hide each metric (in every run)");
        HBox controls = new HBox(8, smoothLabel, smoothing, smoothValue, logScale, toggleBox);
        controls.setAlignment(Pos.CENTER_LEFT);
        grid.setId("plotGrid");
        grid.setHgap(6);
        grid.setVgap(6);
        finals.setId("finalValues");
        finals.setHgap(14);
        finals.setVgap(2);
        empty = Ui.emptyState(emptyTitle, emptyText);
        StackPane body = new StackPane(grid, empty);
        VBox.setVgrow(body, Priority.ALWAYS);
        root = new VBox(6, controls, body, finals);
        root.setPadding(new Insets(4));
        root.setMinSize(0, 0);
        layoutPanels();
    }

    public Node node() {
        return root;
    }

    /** Removes every run. */
    public void clear() {
        raw.clear();
        panels.clear();
        toggles.clear();
        toggleBox.getItems().clear();
        updateToggleTitle();
        layoutPanels();
    }

    /** Adds a batch of live points for {@code run}; redraws each touched panel once. */
    public void add(String run, List<BackgroundTask.Metric> batch) {
        Set<String> touched = new LinkedHashSet<>();
        for (BackgroundTask.Metric m : batch) {
            if (Double.isFinite(m.value())) {
                raw.computeIfAbsent(new Key(run, m.name()), k -> new TreeMap<>()).put(m.step(), m.value());
                touched.add(m.name());
            }
        }
        refresh(touched);
    }

    /** Replaces {@code run}'s points with these series (a run read back from the project). */
    public void setRun(String run, Map<String, List<MetricPoint>> metrics) {
        Set<String> touched = new LinkedHashSet<>();
        raw.keySet().removeIf(k -> {
            if (k.run().equals(run)) {
                touched.add(k.metric());
                return true;
            }
            return false;
        });
        metrics.forEach((name, pts) -> {
            TreeMap<Long, Double> s = raw.computeIfAbsent(new Key(run, name), k -> new TreeMap<>());
            pts.forEach(p -> s.put(p.step(), p.value()));
            touched.add(name);
        });
        refresh(touched);
    }

    /** The runs shown, in the order they were added. */
    public List<String> runs() {
        return raw.keySet().stream().map(Key::run).distinct().toList();
    }

    /** A curve's raw points (step → value), empty when absent. */
    public Map<Long, Double> points(String run, String metric) {
        TreeMap<Long, Double> s = raw.get(new Key(run, metric));
        return s == null ? Map.of() : java.util.Collections.unmodifiableMap(s);
    }

    /** Ids of the panels on screen, in display order (final values are not a panel). */
    public List<String> panelIds() {
        return panels.values().stream().filter(p -> p.viewer.isVisible()).map(p -> p.group)
                .sorted(MetricGroups.ORDER).map(Group::id).toList();
    }

    /** The chart of a panel (tests read its axes and smoothed dataset). */
    public JFreeChart chart(String groupId) {
        Panel p = panels.get(groupId);
        return p == null ? null : p.chart;
    }

    public Slider smoothing() {
        return smoothing;
    }

    public CheckBox logScale() {
        return logScale;
    }

    /** Shows or hides a metric in every run (the check boxes do this). */
    public void setVisible(String metric, boolean visible) {
        CheckMenuItem cb = toggles.get(metric);
        if (cb != null && cb.isSelected() != visible) {
            cb.setSelected(visible); // its listener redraws
        } else if (cb == null) {
            if (visible) {
                hidden.remove(metric);
            } else {
                hidden.add(metric);
            }
        }
    }

    /**
     * TensorBoard's smoothing: an exponential moving average debiased like Adam's moments, so the first points are
     * not pulled towards zero. weight 0 returns the values unchanged.
     */
    public static double[] ema(double[] ys, double weight) {
        double[] out = new double[ys.length];
        double last = 0;
        int n = 0;
        for (int i = 0; i < ys.length; i++) {
            if (!Double.isFinite(ys[i])) {
                out[i] = ys[i];
                continue;
            }
            n++;
            last = last * weight + (1 - weight) * ys[i];
            double debias = weight == 0 ? 1 : 1 - Math.pow(weight, n);
            out[i] = last / debias;
        }
        return out;
    }

    private void redrawAll() {
        refresh(raw.keySet().stream().map(Key::metric).toList());
    }

    private void refresh(Collection<String> metrics) {
        boolean relayout = false;
        Set<Group> groups = new LinkedHashSet<>();
        for (String m : new LinkedHashSet<>(metrics)) {
            Group g = MetricGroups.of(m);
            groups.add(g);
            if (!toggles.containsKey(m)) {
                addToggle(m);
            }
            if (g.curve() && !panels.containsKey(g.id())) {
                panels.put(g.id(), new Panel(g));
                relayout = true;
            }
        }
        for (Group g : groups) {
            if (g.curve()) {
                relayout |= redraw(panels.get(g.id()));
            }
        }
        if (groups.stream().anyMatch(g -> !g.curve())) {
            fillFinals();
        }
        if (relayout) {
            layoutPanels();
        }
    }

    private void addToggle(String metric) {
        CheckMenuItem cb = new CheckMenuItem(metric);
        cb.setMnemonicParsing(false); // metric names have underscores
        cb.setId("toggle-" + metric.replace('/', '-').replace('.', '-'));
        cb.setSelected(!hidden.contains(metric));
        cb.selectedProperty().addListener((o, a, on) -> {
            if (on) {
                hidden.remove(metric);
            } else {
                hidden.add(metric);
            }
            updateToggleTitle();
            refresh(List.of(metric));
        });
        toggles.put(metric, cb);
        List<String> names = new ArrayList<>(toggles.keySet());
        names.sort(java.util.Comparator.comparing(MetricGroups::of, MetricGroups.ORDER)
                .thenComparing(java.util.Comparator.naturalOrder()));
        toggleBox.getItems().setAll(names.stream().map(toggles::get).toList());
        updateToggleTitle();
    }

    private void updateToggleTitle() {
        long shown = toggles.keySet().stream().filter(m -> !hidden.contains(m)).count();
        toggleBox.setText(toggles.isEmpty() ? "Metrics" : "Metrics (" + shown + "/" + toggles.size() + ")");
    }

    /** Rebuilds a panel's series from the raw points; returns whether its visibility changed. */
    private boolean redraw(Panel p) {
        boolean severalRuns = runs().size() > 1;
        double w = smoothing.getValue();
        p.chart.setNotify(false);
        p.smoothed.removeAllSeries();
        p.rawData.removeAllSeries();
        boolean allPositive = true;
        int i = 0;
        XYLineAndShapeRenderer bold = (XYLineAndShapeRenderer) p.chart.getXYPlot().getRenderer(0);
        XYLineAndShapeRenderer faint = (XYLineAndShapeRenderer) p.chart.getXYPlot().getRenderer(1);
        for (Map.Entry<Key, TreeMap<Long, Double>> e : raw.entrySet()) {
            String metric = e.getKey().metric();
            if (hidden.contains(metric) || !MetricGroups.of(metric).id().equals(p.group.id())) {
                continue;
            }
            String name = severalRuns ? e.getKey().run() + " · " + MetricGroups.shortName(metric)
                    : MetricGroups.shortName(metric);
            double[] ys = e.getValue().values().stream().mapToDouble(Double::doubleValue).toArray();
            double[] sm = ema(ys, w);
            XYSeries s = new XYSeries(name, false, true);
            XYSeries r = new XYSeries(name + " (raw)", false, true);
            int j = 0;
            for (Long step : e.getValue().keySet()) {
                s.add(step.doubleValue(), sm[j], false);
                r.add(step.doubleValue(), ys[j], false);
                allPositive &= ys[j] > 0;
                j++;
            }
            p.smoothed.addSeries(s);
            if (w > 0) {
                p.rawData.addSeries(r);
            }
            Color c = Charts.PALETTE[i % Charts.PALETTE.length];
            bold.setSeriesPaint(i, c);
            bold.setSeriesStroke(i, new BasicStroke(1.8f));
            // a single point (a one-epoch run) would draw nothing as a line
            bold.setSeriesShapesVisible(i, ys.length == 1);
            faint.setSeriesPaint(i, new Color(c.getRed(), c.getGreen(), c.getBlue(), 60));
            faint.setSeriesStroke(i, new BasicStroke(1f));
            i++;
        }
        setRangeAxis(p, logScale.isSelected() && allPositive && i > 0);
        p.chart.setNotify(true);
        boolean visible = i > 0;
        boolean changed = p.viewer.isVisible() != visible;
        p.viewer.setVisible(visible);
        return changed;
    }

    private static void setRangeAxis(Panel p, boolean log) {
        XYPlot plot = p.chart.getXYPlot();
        ValueAxis now = plot.getRangeAxis();
        String label = p.group.yLabel() + (log ? " (log)" : "");
        if (log && !(now instanceof LogAxis)) {
            LogAxis a = new LogAxis(label);
            a.setSmallestValue(1e-12);
            a.setNumberFormatOverride(new java.text.DecimalFormat("0.###E0"));
            a.setLabelFont(now.getLabelFont());
            a.setTickLabelFont(now.getTickLabelFont());
            plot.setRangeAxis(a);
        } else if (!log && !(now instanceof NumberAxis)) {
            NumberAxis a = new NumberAxis(label);
            a.setAutoRangeIncludesZero(false);
            a.setLabelFont(now.getLabelFont());
            a.setTickLabelFont(now.getTickLabelFont());
            plot.setRangeAxis(a);
        }
    }

    /** The final-values table: one row per metric, one column per run. */
    private void fillFinals() {
        finals.getChildren().clear();
        List<String> runs = runs();
        List<String> metrics = raw.keySet().stream().map(Key::metric).filter(m -> !MetricGroups.of(m).curve())
                .filter(m -> !hidden.contains(m)).distinct().sorted().toList();
        if (metrics.isEmpty()) {
            return;
        }
        Label head = new Label(MetricGroups.FINAL.title());
        head.getStyleClass().add("hint");
        finals.add(head, 0, 0);
        for (int c = 0; c < runs.size() && runs.size() > 1; c++) {
            finals.add(new Label(runs.get(c)), c + 1, 0);
        }
        int row = 1;
        for (String m : metrics) {
            finals.add(new Label(m), 0, row);
            for (int c = 0; c < runs.size(); c++) {
                TreeMap<Long, Double> s = raw.get(new Key(runs.get(c), m));
                Label v = new Label(s == null || s.isEmpty() ? "–" : format(s.lastEntry().getValue()));
                v.setId("final-" + c + "-" + m.replace('/', '-').replace('.', '-'));
                finals.add(v, c + 1, row);
            }
            row++;
        }
    }

    static String format(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e9) {
            return Long.toString((long) v);
        }
        return String.format(Locale.ROOT, Math.abs(v) >= 0.001 ? "%.4f" : "%.3e", v);
    }

    /** Two panels a row (one when alone), rows sharing the height. */
    private void layoutPanels() {
        List<Panel> shown = panels.values().stream().filter(p -> p.viewer.isVisible())
                .sorted(java.util.Comparator.comparing(p -> p.group, MetricGroups.ORDER)).toList();
        grid.getChildren().clear();
        grid.getColumnConstraints().clear();
        grid.getRowConstraints().clear();
        int cols = shown.size() <= 1 ? 1 : 2;
        int rows = Math.max(1, (shown.size() + cols - 1) / cols);
        for (int c = 0; c < cols; c++) {
            ColumnConstraints cc = new ColumnConstraints();
            cc.setPercentWidth(100.0 / cols);
            cc.setHgrow(Priority.ALWAYS);
            grid.getColumnConstraints().add(cc);
        }
        for (int r = 0; r < rows; r++) {
            RowConstraints rc = new RowConstraints();
            rc.setPercentHeight(100.0 / rows);
            rc.setVgrow(Priority.ALWAYS);
            grid.getRowConstraints().add(rc);
        }
        for (int i = 0; i < shown.size(); i++) {
            grid.add(shown.get(i).viewer, i % cols, i / cols);
        }
        empty.setVisible(shown.isEmpty() && raw.isEmpty());
        grid.setVisible(!shown.isEmpty());
    }
}
