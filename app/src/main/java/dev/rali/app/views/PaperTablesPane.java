package dev.rali.app.views;

import dev.rali.app.AppContext;
import dev.rali.app.Dialogs;
import dev.rali.engine.eval.PaperTables;
import dev.rali.engine.eval.PaperTables.Cell;
import dev.rali.engine.eval.PaperTables.Figures;
import dev.rali.engine.eval.PaperTables.RunFigures;
import dev.rali.engine.eval.PaperTables.Table;
import dev.rali.engine.io.AtomicFiles;
import dev.rali.engine.io.OutputPaths;
import dev.rali.engine.project.ProjectQueries;
import dev.rali.engine.project.Runs.RunItem;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javafx.beans.property.SimpleObjectProperty;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.SplitPane;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.FileChooser;

/**
 * The project's evaluated runs as the paper lays out its results, built by the engine's {@link PaperTables} (the same
 * tables `rali` prints): Table 2 (runs × datasets, PLCC/SRCC; KRCC, RMSE and 95 % CIs on demand, the paper's RALI
 * rows for reference) beside Table 4 (one row per ablation variant, its latest evaluated run). Columns sort (numbers
 * as numbers); each table exports as CSV, Markdown or LaTeX.
 */
final class PaperTablesPane extends BorderPane {
    private final AppContext ctx;
    private final TableView<List<Cell>> table2 = new TableView<>();
    private final TableView<List<Cell>> table4 = new TableView<>();
    private final Label notes2 = Ui.hint("");
    private final Label notes4 = Ui.hint("");
    {
        notes2.setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE);
        notes4.setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE);
    }
    private final CheckBox krcc = new CheckBox("KRCC");
    private final CheckBox rmse = new CheckBox("RMSE");
    private final CheckBox ci = new CheckBox("95 % CIs");
    private final CheckBox paper = new CheckBox("paper's rows");
    private final ComboBox<String> table4On = new ComboBox<>();
    private Map<String, RunFigures> byRun = Map.of();
    /** Per Table 4 variant: its latest setting's runs, one per seed (averaged when shown). */
    private Map<String, List<RunFigures>> byVariant = Map.of();
    private Table shown2;
    private Table shown4;

    PaperTablesPane(AppContext ctx) {
        this.ctx = ctx;
        table2.setId("paperTable2");
        table4.setId("paperTable4");
        table2.setPlaceholder(new Label("No evaluated runs yet: run the pipeline's 'all' or 'evaluate' stage."));
        table4.setPlaceholder(new Label("No ablation runs yet: run the pipeline with run.ablation set (or rali demo)."));
        paper.setSelected(true);
        for (CheckBox c : List.of(krcc, rmse, ci, paper)) {
            c.setOnAction(e -> render());
        }
        krcc.setId("paperKrcc");
        ci.setId("paperCi");
        table4On.setId("paperTable4On");
        table4On.setOnAction(e -> render());
        Ui.tip(table4On, "Which figures Table 4 compares: one dataset, or the average over the datasets (AVG.)");
        Button export2 = new Button("Export Table 2…");
        export2.setOnAction(e -> export(ctx, shown2, "table2"));
        Button export4 = new Button("Export Table 4…");
        export4.setOnAction(e -> export(ctx, shown4, "table4"));
        HBox bar2 = Ui.noCollapse(new HBox(8, Ui.heading("Table 2"), krcc, rmse, ci, paper, export2));
        bar2.setAlignment(Pos.CENTER_LEFT);
        HBox bar4 = Ui.noCollapse(new HBox(8, Ui.heading("Table 4"), new Label("on"), table4On, export4));
        bar4.setAlignment(Pos.CENTER_LEFT);
        VBox left = new VBox(6, bar2, table2, notes2);
        VBox right = new VBox(6, bar4, table4, notes4);
        VBox.setVgrow(table2, Priority.ALWAYS);
        VBox.setVgrow(table4, Priority.ALWAYS);
        left.setPadding(new Insets(0, 6, 0, 0));
        right.setPadding(new Insets(0, 0, 0, 6));
        SplitPane split = new SplitPane(left, right);
        split.setDividerPositions(0.58);
        setCenter(split);
    }

    void reset() {
        byRun = Map.of();
        byVariant = Map.of();
        table4On.getItems().clear();
        render();
    }

    /** Reads every evaluated run's figures (its results.json) off the FX thread. */
    void reload(ProjectQueries q, List<RunItem> runs) {
        ctx.tasks().execute("Load paper tables", c -> {
            Map<String, RunFigures> r = new LinkedHashMap<>();
            Map<String, List<RunFigures>> v = new LinkedHashMap<>();
            Map<String, String> settingOf = new java.util.HashMap<>();
            // oldest first, so Table 4 keeps each variant's latest setting: the runs of that setting (its seeds, e.g.
            // a `--preset table4 --seeds 5` sweep) are averaged, mean ± std; a newer setting replaces older ones
            List<RunItem> ordered = new ArrayList<>(runs);
            ordered.sort(Comparator.comparingLong(RunItem::id));
            for (RunItem run : ordered) {
                RunFigures f;
                try {
                    f = PaperTables.fromRun(q.runs(), run.id());
                } catch (IllegalArgumentException | java.io.IOException noEvaluation) {
                    continue; // e.g. an evaluate stage that failed: nothing to tabulate
                }
                String variant = ResultsView.variant(run).replace(" · ", "");
                r.put("run " + run.id() + (variant.isEmpty() ? "" : " " + variant), f);
                String name = variant.isEmpty() ? "full" : variant;
                String setting = settingKey(run);
                if (!setting.equals(settingOf.get(name))) {
                    v.put(name, new ArrayList<>());
                    settingOf.put(name, setting);
                }
                v.get(name).add(f);
            }
            return Map.entry(r, v);
        }, result -> {
            if (q != ctx.project().queries()) {
                return;
            }
            byRun = result.getKey();
            byVariant = result.getValue();
            String keep = table4On.getValue();
            List<String> on = new ArrayList<>(List.of("AVG."));
            byVariant.values().forEach(fs -> fs.forEach(f -> f.datasets().keySet().stream()
                    .filter(d -> !on.contains(d)).forEach(on::add)));
            table4On.getItems().setAll(on);
            // the score dataset's held-out split is what the demo's Table 4 reports; else the average
            table4On.setValue(on.contains(keep) ? keep : on.size() == 2 ? on.get(1) : "AVG.");
            render();
        });
    }

    /** A run's setting: its parameters without the seed (runs that differ only in seed are one setting). */
    static String settingKey(RunItem run) {
        String json = run.paramsJson();
        if (json == null || json.isBlank()) {
            return "";
        }
        try {
            return dev.rali.engine.params.PipelineParams.fromJson(json)
                    .with(dev.rali.engine.params.ParamKeys.SEED, 0L).toJson();
        } catch (RuntimeException e) {
            return json; // unreadable parameters: a setting of their own
        }
    }

    private void render() {
        shown2 = byRun.isEmpty() ? null
                : PaperTables.table2(byRun, new PaperTables.Table2Options(krcc.isSelected(), rmse.isSelected(),
                        ci.isSelected(), paper.isSelected()));
        Map<String, Figures> variants = new LinkedHashMap<>();
        String on = table4On.getValue();
        byVariant.forEach((name, fs) -> {
            List<Figures> xs = new ArrayList<>();
            for (RunFigures f : fs) {
                Figures x = on == null || on.equals("AVG.") ? f.average() : f.datasets().get(on);
                if (x != null) {
                    xs.add(x);
                }
            }
            if (!xs.isEmpty()) {
                variants.put(name, Figures.mean(xs)); // one run as is; several seeds as mean ± std
            }
        });
        shown4 = variants.isEmpty() ? null : PaperTables.table4(variants,
                on == null || on.equals("AVG.") ? "average over the evaluated datasets" : "dataset '" + on + "'", true);
        show(table2, notes2, shown2);
        show(table4, notes4, shown4);
    }

    /** Shows {@code t} in {@code view} (columns rebuilt, numbers sort as numbers) and its notes; the Sweeps view too. */
    static void show(TableView<List<Cell>> view, Label notes, Table t) {
        view.getColumns().clear();
        view.getItems().clear();
        notes.setText(t == null ? "" : String.join("\n", t.notes()));
        if (t == null) {
            return;
        }
        for (int i = 0; i < t.header().size(); i++) {
            int col = i;
            TableColumn<List<Cell>, Cell> c = new TableColumn<>(t.header().get(i));
            c.setCellValueFactory(cd -> new SimpleObjectProperty<>(cd.getValue().get(col)));
            c.setCellFactory(x -> new TableCell<>() {
                @Override
                protected void updateItem(Cell cell, boolean empty) {
                    super.updateItem(cell, empty);
                    setText(empty || cell == null ? null : cell.text());
                    setStyle(cell == null ? "" : switch (cell.mark()) {
                        case BEST -> "-fx-font-weight: bold;";
                        case SECOND -> "-fx-underline: true;";
                        case NONE -> "";
                    });
                }
            });
            // numbers sort as numbers ("0.379 [0.277, 0.510]" by 0.379), "–" last
            c.setComparator(Comparator.comparing((Cell x) -> leading(x.text()), Comparator.nullsLast(Double::compare))
                    .thenComparing(Cell::text));
            c.setPrefWidth(i < 2 ? 110 : 96);
            view.getColumns().add(c);
        }
        view.getItems().setAll(t.rows());
    }

    static Double leading(String text) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^-?\\d+(\\.\\d+)?").matcher(text.strip());
        return m.find() ? Double.valueOf(m.group()) : null;
    }

    /** A save dialog in the project's folder, then {@link #exportTo}; the Sweeps view exports its table the same way. */
    static void export(AppContext ctx, Table t, String name) {
        if (t == null) {
            Dialogs.info(ctx.window(), "Nothing to export", "There are no evaluated runs in this project yet.");
            return;
        }
        FileChooser fc = new FileChooser();
        fc.setTitle("Export " + name);
        fc.getExtensionFilters().addAll(new FileChooser.ExtensionFilter("CSV", "*.csv"),
                new FileChooser.ExtensionFilter("Markdown", "*.md"), new FileChooser.ExtensionFilter("LaTeX", "*.tex"));
        fc.setInitialFileName(name + ".csv");
        fc.setInitialDirectory(Ui.exportFolder(ctx));
        File f = fc.showSaveDialog(ctx.window());
        if (f != null) {
            exportTo(ctx, t, f.toPath());
        }
    }

    void exportTo(Table t, Path file) {
        exportTo(ctx, t, file);
    }

    /** Writes {@code t} in the format the file name's extension says (.csv, .md, .tex). */
    static void exportTo(AppContext ctx, Table t, Path file) {
        String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
        String format = n.endsWith(".md") ? "md" : n.endsWith(".tex") ? "latex" : "csv";
        String text = t.render(format);
        var store = ctx.project().store();
        ctx.tasks().execute("Export table", c -> {
            var guard = OutputPaths.file(file, format.equals("latex") ? "tex" : format).force(true);
            if (store != null) {
                guard.protectProject(store.file());
            }
            guard.check();
            AtomicFiles.writeString(file, text);
            return file;
        }, p -> Dialogs.info(ctx.window(), "Table exported", "Written to " + p));
    }

    Table table2() {
        return shown2;
    }

    Table table4() {
        return shown4;
    }

    TableView<List<Cell>> table2View() {
        return table2;
    }
}
