package dev.rali.app.views;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYBarRenderer;
import org.jfree.chart.renderer.xy.StandardXYBarPainter;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.statistics.HistogramDataset;
import org.jfree.data.xy.XYSeriesCollection;

/** JFreeChart charts styled alike (white background, light grid, the app's accent colours). */
public final class Charts {
    public static final Color[] PALETTE = {new Color(0x2F6FDE), new Color(0xE0712C), new Color(0x2E9E5B),
        new Color(0xB23A8E), new Color(0x7A6A2E), new Color(0x1B9AAA)};

    private Charts() { }

    public static JFreeChart histogram(String title, String xLabel, double[] values, int bins, double min, double max) {
        return histogram(title, xLabel, "images", values, bins, min, max);
    }

    /** A histogram whose y axis counts {@code yLabel} (e.g. "dumps"). */
    public static JFreeChart histogram(String title, String xLabel, String yLabel, double[] values, int bins,
                                       double min, double max) {
        HistogramDataset ds = new HistogramDataset();
        if (values.length > 0) {
            ds.addSeries("values", values, bins, min, max);
        }
        JFreeChart c = ChartFactory.createHistogram(title, xLabel, yLabel, ds, PlotOrientation.VERTICAL,
                false, true, false);
        c.getXYPlot().getDomainAxis().setRange(min, max);
        c.getXYPlot().getRangeAxis().setStandardTickUnits(org.jfree.chart.axis.NumberAxis.createIntegerTickUnits());
        XYPlot p = c.getXYPlot();
        XYBarRenderer r = (XYBarRenderer) p.getRenderer();
        r.setBarPainter(new StandardXYBarPainter());
        r.setShadowVisible(false);
        r.setSeriesPaint(0, PALETTE[0]);
        r.setMargin(0.05);
        style(c);
        return c;
    }

    public static JFreeChart lines(String title, String x, String y, XYSeriesCollection data) {
        JFreeChart c = ChartFactory.createXYLineChart(title, x, y, data, PlotOrientation.VERTICAL, true, true, false);
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, false);
        for (int i = 0; i < PALETTE.length; i++) {
            r.setSeriesPaint(i, PALETTE[i]);
            r.setSeriesStroke(i, new BasicStroke(1.6f));
        }
        c.getXYPlot().setRenderer(r);
        style(c);
        return c;
    }

    public static JFreeChart scatter(String title, String x, String y, XYSeriesCollection data) {
        JFreeChart c = ChartFactory.createScatterPlot(title, x, y, data, PlotOrientation.VERTICAL, true, true, false);
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(false, true);
        for (int i = 0; i < PALETTE.length; i++) {
            r.setSeriesPaint(i, new Color(PALETTE[i].getRed(), PALETTE[i].getGreen(), PALETTE[i].getBlue(), 170));
            r.setSeriesShape(i, new java.awt.geom.Ellipse2D.Double(-3, -3, 6, 6));
        }
        c.getXYPlot().setRenderer(r);
        style(c);
        return c;
    }

    /** Grouped vertical bars: one group per column key, one bar per series, legend below. */
    public static JFreeChart bars(String title, String categoryLabel, String valueLabel,
                                  org.jfree.data.category.DefaultCategoryDataset data) {
        JFreeChart c = ChartFactory.createBarChart(title, categoryLabel, valueLabel, data, PlotOrientation.VERTICAL,
                true, true, false);
        c.setBackgroundPaint(Color.WHITE);
        c.getTitle().setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
        org.jfree.chart.plot.CategoryPlot p = c.getCategoryPlot();
        p.setBackgroundPaint(Color.WHITE);
        p.setRangeGridlinePaint(new Color(0xDDDDDD));
        p.setOutlineVisible(false);
        org.jfree.chart.renderer.category.BarRenderer r = (org.jfree.chart.renderer.category.BarRenderer) p.getRenderer();
        r.setBarPainter(new org.jfree.chart.renderer.category.StandardBarPainter());
        r.setShadowVisible(false);
        r.setItemMargin(0.05);
        for (int i = 0; i < PALETTE.length; i++) {
            r.setSeriesPaint(i, PALETTE[i]);
        }
        r.setDefaultItemLabelGenerator(new org.jfree.chart.labels.StandardCategoryItemLabelGenerator("{2}",
                new java.text.DecimalFormat("0.0")));
        r.setDefaultItemLabelsVisible(true);
        r.setDefaultItemLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
        ((org.jfree.chart.axis.NumberAxis) p.getRangeAxis()).setUpperMargin(0.15);
        p.getDomainAxis().setMaximumCategoryLabelWidthRatio(1.5f); // "reasoning" in full, not "reas..."
        p.getDomainAxis().setCategoryMargin(0.15);
        return c;
    }

    static void style(JFreeChart c) {
        c.setBackgroundPaint(Color.WHITE);
        if (c.getTitle() != null) {
            c.getTitle().setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
        }
        XYPlot p = c.getXYPlot();
        p.setBackgroundPaint(Color.WHITE);
        p.setDomainGridlinePaint(new Color(0xDDDDDD));
        p.setRangeGridlinePaint(new Color(0xDDDDDD));
        p.setOutlineVisible(false);
    }
}
