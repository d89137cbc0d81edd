package dev.rali.app.views;

import dev.rali.app.AppContext;
import dev.rali.engine.project.ProjectQueries;
import dev.rali.engine.project.Runs.MetricPoint;
import dev.rali.engine.project.Runs.RunItem;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javafx.beans.property.SimpleStringProperty;
import javafx.scene.control.ButtonType;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Dialog;
import javafx.scene.control.SplitPane;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableRow;
import javafx.scene.control.TableView;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;

/**
 * Any number of runs side by side: their parameters (one column per run; rows where they differ highlighted, and
 * optionally only those) and their metrics in {@link MetricPlots} panels, grouped exactly as the live plots are.
 */
public final class RunCompareDialog {
    private RunCompareDialog() { }

    /** One parameter across the compared runs (null where a run does not have it). */
    record Row(String key, List<String> values) {
        boolean differs() {
            return values.stream().distinct().count() > 1;
        }

        String value(int run) {
            return values.get(run);
        }
    }

    static List<Row> diff(List<RunItem> runs) {
        List<Map<String, String>> params = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        for (RunItem r : runs) {
            Map<String, String> p = PipelineView.flatten(r.paramsJson());
            p.put("(stage)", r.stage());
            p.put("(parent)", r.parentRun() == null ? "" : "run " + r.parentRun());
            p.put("(status)", r.status());
            p.keySet().stream().filter(k -> !keys.contains(k)).forEach(keys::add);
            params.add(p);
        }
        return keys.stream().map(k -> new Row(k, params.stream().map(p -> p.get(k)).toList())).toList();
    }

    /** The table and plots of the comparison, built from the runs and their metrics; the plots are its user data. */
    public static SplitPane content(List<RunItem> runs, List<Map<String, List<MetricPoint>>> metrics) {
        TableView<Row> table = new TableView<>();
        table.setId("paramDiff");
        table.getColumns().add(column("Parameter", Row::key, 190));
        for (int i = 0; i < runs.size(); i++) {
            int run = i;
            table.getColumns().add(column(runs.get(i).label(), r -> Objects.toString(r.value(run), ""), 120));
        }
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
        List<Row> all = diff(runs);
        table.getItems().setAll(all);
        CheckBox onlyDiffs = new CheckBox("Only parameters that differ");
        onlyDiffs.setId("onlyDiffs");
        onlyDiffs.selectedProperty().addListener((o, a, on) -> table.getItems().setAll(
                on ? all.stream().filter(Row::differs).toList() : all));
        VBox left = new VBox(6, onlyDiffs, table);
        VBox.setVgrow(table, Priority.ALWAYS);
        MetricPlots plots = new MetricPlots("No metrics", "None of these runs recorded metrics.");
        for (int i = 0; i < runs.size(); i++) {
            plots.setRun(runs.get(i).label(), metrics.get(i));
        }
        SplitPane split = new SplitPane(left, plots.node());
        split.setDividerPositions(0.36);
        split.setPrefSize(1100, 640);
        split.setUserData(plots);
        return split;
    }

    static void open(AppContext ctx, List<RunItem> runs) {
        ProjectQueries q = ctx.project().queries();
        if (q == null || runs.size() < 2) {
            return;
        }
        ctx.tasks().execute("Compare runs", c -> {
            List<Map<String, List<MetricPoint>>> m = new ArrayList<>();
            for (RunItem r : runs) {
                m.add(new LinkedHashMap<>(q.runs().metrics(r.id())));
            }
            return m;
        }, m -> {
            Dialog<Void> d = new Dialog<>();
            d.setTitle("Compare " + String.join(", ", runs.stream().map(RunItem::label).toList()));
            d.getDialogPane().setContent(content(runs, m));
            d.getDialogPane().getButtonTypes().add(ButtonType.CLOSE);
            d.setResizable(true);
            if (ctx.window() != null) {
                d.initOwner(ctx.window());
            }
            d.show();
        });
    }

    private static TableColumn<Row, String> column(String title, java.util.function.Function<Row, String> f, double w) {
        TableColumn<Row, String> c = new TableColumn<>(title);
        c.setCellValueFactory(cd -> new SimpleStringProperty(f.apply(cd.getValue())));
        c.setPrefWidth(w);
        return c;
    }
}
