package dev.rali.app.views;

import dev.rali.app.AppContext;
import dev.rali.engine.project.ProjectQueries;
import dev.rali.engine.project.Runs.MetricPoint;
import dev.rali.engine.project.Runs.RunItem;
import java.util.List;
import java.util.Map;
import javafx.beans.property.SimpleStringProperty;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Dialog;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableRow;
import javafx.scene.control.TableView;
import javafx.scene.layout.HBox;
import org.jfree.chart.fx.ChartViewer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** Two runs side by side: their parameters (differences highlighted) and their metrics overlaid in one plot. */
final class RunCompareDialog {
    private RunCompareDialog() { }

    record Row(String key, String a, String b) {
        boolean differs() {
            return !java.util.Objects.equals(a, b);
        }
    }

    static List<Row> diff(RunItem a, RunItem b) {
        Map<String, String> pa = PipelineView.flatten(a.paramsJson());
        Map<String, String> pb = PipelineView.flatten(b.paramsJson());
        pa.put("(stage)", a.stage());
        pb.put("(stage)", b.stage());
        return PipelineView.keys(pa, pb).stream().map(k -> new Row(k, pa.get(k), pb.get(k))).toList();
    }

    static void open(AppContext ctx, RunItem a, RunItem b) {
        ProjectQueries q = ctx.project().queries();
        ctx.tasks().execute("Compare runs", c -> List.of(q.runs().metrics(a.id()), q.runs().metrics(b.id())), m -> {
            TableView<Row> table = new TableView<>();
            table.setId("paramDiff");
            table.getColumns().add(column("Parameter", Row::key, 200));
            table.getColumns().add(column("Run " + a.id(), Row::a, 160));
            table.getColumns().add(column("Run " + b.id(), Row::b, 160));
            table.setRowFactory(t -> new TableRow<>() {
                @Override
                protected void updateItem(Row r, boolean e) {
                    super.updateItem(r, e);
                    getStyleClass().remove("diff-row");
                    if (r != null && r.differs()) {
                        getStyleClass().add("diff-row");
                    }
                }
            });
            table.getItems().setAll(diff(a, b));
            XYSeriesCollection data = new XYSeriesCollection();
            add(data, a.id(), m.get(0));
            add(data, b.id(), m.get(1));
            ChartViewer chart = new ChartViewer(Charts.lines("Metrics", "step", "value", data));
            chart.setPrefSize(520, 380);
            Dialog<Void> d = new Dialog<>();
            d.setTitle("Run " + a.id() + " vs run " + b.id());
            d.getDialogPane().setContent(new HBox(10, table, chart));
            d.getDialogPane().getButtonTypes().add(ButtonType.CLOSE);
            d.setResizable(true);
            if (ctx.window() != null) {
                d.initOwner(ctx.window());
            }
            d.show();
        });
    }

    private static void add(XYSeriesCollection data, long run, Map<String, List<MetricPoint>> metrics) {
        metrics.forEach((name, pts) -> {
            XYSeries s = new XYSeries("run " + run + ": " + name, false, true);
            pts.forEach(p -> s.add(p.step(), p.value(), false));
            data.addSeries(s);
        });
    }

    private static TableColumn<Row, String> column(String title, java.util.function.Function<Row, String> f, double w) {
        TableColumn<Row, String> c = new TableColumn<>(title);
        c.setCellValueFactory(cd -> new SimpleStringProperty(f.apply(cd.getValue())));
        c.setPrefWidth(w);
        return c;
    }
}
