package dev.rali.app.views;

import dev.rali.app.AppContext;
import dev.rali.app.ViewFeature;
import dev.rali.app.DatasetImportAction;
import dev.rali.app.Dialogs;
import dev.rali.app.FxTaskExecutor;
import dev.rali.engine.dataset.DatasetSummary;
import dev.rali.engine.dataset.Datasets;
import dev.rali.engine.project.ProjectQueries;
import dev.rali.engine.project.ProjectQueries.ImageFilter;
import dev.rali.engine.project.ProjectQueries.ImageItem;
import dev.rali.engine.task.BackgroundTask;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javafx.collections.FXCollections;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.SplitPane;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.control.TitledPane;
import javafx.scene.image.ImageView;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import org.controlsfx.control.GridCell;
import org.controlsfx.control.GridView;
import org.jfree.chart.fx.ChartViewer;

/**
 * Datasets: the list with counts and MOS ranges, a virtualised thumbnail grid (GridView only creates cells for
 * visible rows, thumbnails decode in the background) filtered by split and MOS range, the MOS histogram, and the
 * Import wizard with its validation report.
 */
public final class DatasetsView implements AppView {
    public static final String TITLE = "Datasets";

    /** Registers this view in the navigation (META-INF/services/dev.rali.app.AppFeature). */
    public static final class Feature extends ViewFeature {
        public Feature() {
            // the importer behind the Import wizard.
            super("datasets", TITLE, 20, DatasetsView::new, DatasetImportAction.class);
        }
    }

    /** Rows fetched per query while filling the grid; the grid shows the first pages while later ones load. */
    static final int PAGE = 2000;

    private final AppContext ctx;
    private final StackPane root = new StackPane();
    private final TableView<DatasetSummary> table = new TableView<>();
    private final GridView<ImageItem> grid = new GridView<>();
    private final ComboBox<String> split = new ComboBox<>();
    private final TextField minMos = new TextField();
    private final TextField maxMos = new TextField();
    private final Label count = new Label();
    private final ChartViewer histogram = new ChartViewer(Charts.histogram("MOS distribution", "MOS [1,5]",
            new double[0], 20, 1, 5));
    private final ComboBox<String> sort = new ComboBox<>();
    /** The field sidebar: one section per field of the dataset, a check box per value with its count. */
    private final VBox fieldsBox = new VBox(6);
    /** The selected dataset's layout, labels, MOS range and splits (the table has room for three columns). */
    private final Label datasetDetails = new Label();
    /** Chosen values per field (none chosen: the field does not filter). */
    private final java.util.Map<String, java.util.Set<String>> chosen = new java.util.LinkedHashMap<>();
    /** The check box of each (field, value), to set them from code and tests. */
    private final java.util.Map<String, java.util.Map<String, javafx.scene.control.CheckBox>> fieldBoxes =
            new java.util.LinkedHashMap<>();
    private final TextArea report = new TextArea();
    private final TitledPane reportPane = new TitledPane("Import report", report);
    private final VBox empty;
    private final SplitPane content;
    private volatile long loadGeneration;
    /** The keyboard cursor in the grid (index into its items; −1: none yet). */
    private final javafx.beans.property.IntegerProperty cursor = new javafx.beans.property.SimpleIntegerProperty(-1);
    private static final javafx.css.PseudoClass CURRENT = javafx.css.PseudoClass.getPseudoClass("current");

    public DatasetsView(AppContext ctx) {
        this.ctx = ctx;
        table.setId("datasetTable");
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY);
        table.setPlaceholder(new Label("No datasets yet — use Import… to add one."));
        // three columns fit the left pane at 1024 wide (seven were cut to "Lab…" and pushed Splits off-screen); the
        // rest of the selected dataset is the line under the table, and each row's tooltip
        table.getColumns().add(col("Dataset", d -> d.name(), 110));
        table.getColumns().add(numCol("Images", d -> d.count()));
        table.getColumns().add(numCol("Traces", d -> d.traces()));
        table.setRowFactory(t -> new javafx.scene.control.TableRow<>() {
            @Override
            protected void updateItem(DatasetSummary d, boolean empty) {
                super.updateItem(d, empty);
                setTooltip(empty || d == null ? null : new javafx.scene.control.Tooltip(details(d)));
            }
        });
        datasetDetails.setId("datasetDetails");
        datasetDetails.setWrapText(true);
        datasetDetails.setStyle("-fx-text-fill: #555555;");
        table.getSelectionModel().selectedItemProperty().addListener((o, a, d) -> {
            datasetDetails.setText(d == null ? "" : details(d));
            datasetSelected(d);
        });

        Button importButton = new Button("Import…");
        importButton.setId("importButton");
        importButton.setOnAction(e -> importDataset());
        split.setId("splitFilter");
        split.setOnAction(e -> reloadImages());
        minMos.setId("minMos");
        minMos.setPromptText("min MOS");
        minMos.setPrefColumnCount(5);
        maxMos.setId("maxMos");
        maxMos.setPromptText("max MOS");
        maxMos.setPrefColumnCount(5);
        minMos.setOnAction(e -> reloadImages());
        maxMos.setOnAction(e -> reloadImages());
        Button apply = new Button("Filter");
        apply.setOnAction(e -> reloadImages());
        count.setId("imageCount");
        sort.setId("imageSort");
        sort.getItems().setAll(SORTS);
        sort.setValue(SORTS.get(0));
        sort.setOnAction(e -> FXCollections.sort(grid.getItems(), order()));
        // groups that wrap onto a second line beside the sidebar instead of being cut at 1024 px
        HBox splitGroup = Ui.noCollapse(new HBox(8, new Label("Split"), split));
        HBox mosGroup = Ui.noCollapse(new HBox(8, new Label("MOS"), minMos, new Label("to"), maxMos, apply));
        HBox sortGroup = Ui.noCollapse(new HBox(8, new Label("Sort"), sort, count));
        for (HBox g : List.of(splitGroup, mosGroup, sortGroup)) {
            g.setAlignment(Pos.CENTER_LEFT);
        }
        javafx.scene.layout.FlowPane filters = new javafx.scene.layout.FlowPane(12, 6, splitGroup, mosGroup, sortGroup);
        filters.setAlignment(Pos.CENTER_LEFT);
        count.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);

        grid.setId("imageGrid");
        int s = ctx.thumbnails().size();
        grid.setCellWidth(s + 8);
        grid.setCellHeight(s + 26);
        grid.setHorizontalCellSpacing(6);
        grid.setVerticalCellSpacing(6);
        grid.setCellFactory(g -> new ThumbCell());
        // Keyboard: arrows move the cursor (↑↓ by a row), Home/End, Enter or Space opens the detail, where ← →
        // step on through the same images.
        grid.setFocusTraversable(true);
        grid.addEventHandler(javafx.scene.input.KeyEvent.KEY_PRESSED, this::gridKey);
        Ui.tip(grid, "Arrow keys move, Enter opens the image (← → in the detail step through the grid)");
        VBox.setVgrow(grid, Priority.ALWAYS);

        report.setId("importReport");
        report.setEditable(false);
        report.setPrefRowCount(8);
        reportPane.setExpanded(true);
        reportPane.setVisible(false);
        importAgain.setId("importAgainOutside");
        importAgain.setVisible(false);
        importAgain.managedProperty().bind(importAgain.visibleProperty());
        importAgain.setOnAction(e -> reimportWizard().showAndWait().ifPresent(this::runImport));
        reportPane.setContent(new VBox(6, report, importAgain));
        reportPane.managedProperty().bind(reportPane.visibleProperty());

        // brushing: a click on a bar filters the grid to that MOS bin (the histogram keeps showing every bin)
        histogram.setId("mosHistogram");
        histogram.addChartMouseListener(new org.jfree.chart.fx.interaction.ChartMouseListenerFX() {
            @Override
            public void chartMouseClicked(org.jfree.chart.fx.interaction.ChartMouseEventFX e) {
                if (e.getEntity() instanceof org.jfree.chart.entity.XYItemEntity item
                        && item.getDataset() instanceof org.jfree.data.xy.IntervalXYDataset ds) {
                    brush(ds.getStartXValue(item.getSeriesIndex(), item.getItem()),
                            ds.getEndXValue(item.getSeriesIndex(), item.getItem()));
                }
            }

            @Override
            public void chartMouseMoved(org.jfree.chart.fx.interaction.ChartMouseEventFX e) { }
        });
        javafx.scene.control.Tooltip.install(histogram,
                new javafx.scene.control.Tooltip("Click a bar to show only the images in that MOS range"));
        histogram.setPrefHeight(320);
        histogram.setMinHeight(160);
        VBox left = new VBox(8, Ui.noCollapse(new HBox(8, Ui.heading("Datasets"), importButton)), table,
                datasetDetails, histogram, reportPane);
        table.setPrefHeight(200);
        VBox.setVgrow(histogram, Priority.ALWAYS);
        left.setPadding(new javafx.geometry.Insets(10));
        VBox gridBox = new VBox(8, filters, grid);
        gridBox.setPadding(new javafx.geometry.Insets(10));
        fieldsBox.setId("fieldSidebar");
        fieldsBox.setPadding(new javafx.geometry.Insets(10, 8, 10, 10));
        javafx.scene.control.ScrollPane fieldsPane = new javafx.scene.control.ScrollPane(fieldsBox);
        fieldsPane.setFitToWidth(true);
        fieldsPane.setHbarPolicy(javafx.scene.control.ScrollPane.ScrollBarPolicy.NEVER);
        // a fixed-width column beside the grid (FiftyOne's sidebar): wide enough for "saturation_decrease  140"
        fieldsPane.setPrefWidth(SIDEBAR_WIDTH);
        fieldsPane.setMinWidth(SIDEBAR_WIDTH);
        fieldsPane.setMaxWidth(SIDEBAR_WIDTH);
        HBox right = new HBox(fieldsPane, gridBox);
        HBox.setHgrow(gridBox, Priority.ALWAYS);
        content = new SplitPane(left, right);
        content.setDividerPositions(0.25);
        empty = Ui.emptyState("No project open", "Open or create a project on the Start page, then import a "
                + "dataset here.");
        root.getChildren().addAll(content, empty);
        ctx.project().revisionProperty().addListener((o, a, b) -> reload());
        ctx.imageSelection().addListener((o, a, sel) -> showSelection(sel));
        reload();
    }

    /** Shows just the images another view selected (by id, any dataset); Filter or a dataset click clears it. */
    void showSelection(AppContext.ImageSelection sel) {
        ProjectQueries q = ctx.project().queries();
        if (q == null || sel == null) {
            return;
        }
        long generation = ++loadGeneration;
        grid.getItems().clear();
        count.setText("loading…");
        ctx.tasks().execute("Load selection", c -> {
            List<ImageItem> items = new ArrayList<>();
            for (long id : sel.imageIds()) {
                q.image(id).ifPresent(d -> items.add(d.image()));
            }
            return items;
        }, items -> {
            if (generation == loadGeneration) {
                grid.getItems().setAll(items);
                count.setText(items.size() + " selected in " + sel.origin() + " (Filter shows the dataset again)");
            }
        });
    }

    private final class ThumbCell extends GridCell<ImageItem> {
        private final ImageView view = new ImageView();
        private final Label caption = new Label();
        /** MOS as a badge on the picture, so the caption's whole width goes to the name. */
        private final Label mos = new Label();

        ThumbCell() {
            view.setPreserveRatio(true);
            view.setFitWidth(ctx.thumbnails().size());
            view.setFitHeight(ctx.thumbnails().size());
            caption.getStyleClass().add("thumb-caption");
            caption.setFont(CAPTION_FONT);
            mos.getStyleClass().add("thumb-mos");
            StackPane.setAlignment(mos, Pos.TOP_LEFT);
            StackPane pic = new StackPane(view, mos);
            pic.setPrefSize(ctx.thumbnails().size(), ctx.thumbnails().size());
            VBox box = new VBox(2, pic, caption);
            box.setAlignment(Pos.CENTER);
            setGraphic(box);
            getStyleClass().add("thumb-cell");
            caption.setTextOverrun(javafx.scene.control.OverrunStyle.CENTER_ELLIPSIS); // caption() already fits it
            caption.setMaxWidth(ctx.thumbnails().size() + 4);
            setOnMouseClicked(e -> {
                if (getItem() != null) {
                    cursor.set(getIndex());
                    grid.requestFocus();
                    openDetail(getIndex());
                }
            });
            cursor.addListener((o, a, b) -> pseudoClassStateChanged(CURRENT, getItem() != null && getIndex() == b.intValue()));
        }

        @Override
        protected void updateItem(ImageItem item, boolean emptyCell) {
            super.updateItem(item, emptyCell);
            if (emptyCell || item == null) {
                view.setImage(null);
                caption.setText(null);
                getGraphic().setVisible(false);
                return;
            }
            getGraphic().setVisible(true);
            pseudoClassStateChanged(CURRENT, getIndex() == cursor.get());
            caption.setText(caption(item, CAPTION_FONT, caption.getMaxWidth() - 4));
            mos.setText(item.mos() == null ? "no MOS" : "MOS " + Ui.num(item.mos(), 2));
            setTooltip(new javafx.scene.control.Tooltip(tooltip(item)));
            view.setImage(ctx.thumbnails().cached(item.path()));
            if (view.getImage() == null) {
                ctx.thumbnails().load(item.path(), img -> {
                    if (getItem() == item) {
                        view.setImage(img);
                    }
                });
            }
        }
    }

    @Override
    public void reset() {
        loadGeneration++; // pages of the previous project still loading are dropped
        cursor.set(-1);
        table.getItems().clear();
        grid.getItems().clear();
        split.getItems().clear();
        minMos.clear();
        maxMos.clear();
        count.setText("");
        histogram.setChart(Charts.histogram("MOS distribution", "MOS [1,5]", new double[0], 20, 1, 5));
        report.clear();
        reportPane.setVisible(false);
        chosen.clear();
        fieldBoxes.clear();
        fieldsBox.getChildren().clear();
        importAgain.setVisible(false);
        refusedSpec = null;
    }

    static final List<String> SORTS = List.of("name", "MOS ↑", "MOS ↓", "split", "distortion",
            ProjectQueries.FIELD_TYPE, ProjectQueries.FIELD_LEVEL, ProjectQueries.FIELD_REFERENCE);

    /** The grid's order for the chosen sort; images without MOS sort last, ties by name. */
    java.util.Comparator<ImageItem> order() {
        java.util.Comparator<ImageItem> byName = java.util.Comparator.comparing(ImageItem::name);
        String key = sort.getValue() == null ? "name" : sort.getValue();
        java.util.Comparator<ImageItem> c = switch (key) {
            case "MOS ↑" -> java.util.Comparator.comparing(ImageItem::mos,
                    java.util.Comparator.nullsLast(java.util.Comparator.<Double>naturalOrder()));
            case "MOS ↓" -> java.util.Comparator.comparing(ImageItem::mos,
                    java.util.Comparator.nullsLast(java.util.Comparator.<Double>reverseOrder()));
            case "split" -> java.util.Comparator.comparing(ImageItem::split,
                    java.util.Comparator.nullsLast(java.util.Comparator.<String>naturalOrder()));
            case "distortion" -> java.util.Comparator.comparing(ImageItem::distortion,
                    java.util.Comparator.nullsLast(java.util.Comparator.<String>naturalOrder()));
            // the sidebar's fields (type, level, reference, imported columns "column: NAME"), values in the
            // sidebar's order (levels numerically: 2 before 10)
            default -> ProjectQueries.FIELDS.contains(key) || key.startsWith(ProjectQueries.COLUMN_PREFIX)
                    ? java.util.Comparator.comparing((ImageItem i) -> ProjectQueries.fieldValue(i, key),
                            ProjectQueries.VALUE_ORDER)
                    : byName;
        };
        return c.thenComparing(byName);
    }

    /** Filters the grid to MOS in [lo, hi] (a histogram bar), keeping the split. */
    public void brush(double lo, double hi) {
        minMos.setText(String.format(java.util.Locale.ROOT, "%.2f", lo));
        maxMos.setText(String.format(java.util.Locale.ROOT, "%.2f", hi));
        reloadImages();
    }

    /**
     * A thumbnail's caption: the file name without folders and extension (MOS is a badge on the picture), cut so
     * that its informative end survives ("astron…brighten_1", not "astro…hten_1.png"): what follows the sample's
     * "__" (the distortion),
     * else the last two '_'-separated parts (KADID's "I01_01_03" keeps "01_03").
     */
    static String caption(ImageItem item, javafx.scene.text.Font font, double width) {
        String stem = stem(fileName(item.name()));
        return Ui.fitKeepingEnd(stem, informativeEnd(stem), font, width);
    }

    /** The captions' font (rali.css: .thumb-caption 11px), also set in code so a caption is fitted before CSS. */
    static final javafx.scene.text.Font CAPTION_FONT = javafx.scene.text.Font.font(
            javafx.scene.text.Font.getDefault().getFamily(), 11);

    /** Where a file stem's informative end starts (see {@link #caption}). */
    static int informativeEnd(String stem) {
        int sep = stem.lastIndexOf("__");
        if (sep >= 0) {
            return sep + 2;
        }
        int last = stem.lastIndexOf('_');
        int before = last > 0 ? stem.lastIndexOf('_', last - 1) : -1;
        if (before >= 0) {
            return before + 1;
        }
        return Math.max(0, stem.length() - 10);
    }

    private static String stem(String fileName) {
        int dot = fileName.lastIndexOf('.');
        return dot > 0 ? fileName.substring(0, dot) : fileName;
    }

    /** A thumbnail's tooltip: the full path and what the sidebar's fields say about the image. */
    static String tooltip(ImageItem item) {
        StringBuilder t = new StringBuilder(item.name()).append('\n').append(item.path())
                .append("\nMOS ").append(Ui.num(item.mos(), 3)).append("   split ").append(item.split());
        if (item.distortion() != null) {
            t.append("\ndistortion ").append(item.distortion());
        }
        if (item.reference() != null) {
            t.append("\nreference ").append(item.reference());
        }
        item.columns().forEach((k, v) -> t.append('\n').append(k).append(' ').append(v)); // imported columns
        return t.toString();
    }

    /** The name without its folders ("images/a__blur_3.png" → "a__blur_3.png"): captions are narrow. */
    static String fileName(String name) {
        int slash = Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\'));
        return slash < 0 ? name : name.substring(slash + 1);
    }

    private void gridKey(javafx.scene.input.KeyEvent e) {
        int n = grid.getItems().size();
        if (n == 0) {
            return;
        }
        int at = cursor.get();
        int columns = columns();
        int to = switch (e.getCode()) {
            case RIGHT -> at + 1;
            case LEFT -> at - 1;
            case DOWN -> at < 0 ? 0 : at + columns;
            case UP -> at - columns;
            case HOME -> 0;
            case END -> n - 1;
            case PAGE_DOWN -> at + columns * 4;
            case PAGE_UP -> at - columns * 4;
            case ENTER, SPACE -> {
                openDetail(Math.max(0, at));
                e.consume();
                yield Integer.MIN_VALUE;
            }
            default -> Integer.MIN_VALUE;
        };
        if (to == Integer.MIN_VALUE) {
            return;
        }
        moveCursor(Math.max(0, Math.min(n - 1, to)));
        e.consume();
    }

    /** Thumbnails per grid row, as the grid lays them out. */
    private int columns() {
        if (grid.getSkin() instanceof impl.org.controlsfx.skin.GridViewSkin<?> skin) {
            return Math.max(1, skin.computeMaxCellsInRow());
        }
        return 1;
    }

    /** Puts the keyboard cursor on thumbnail {@code index} and scrolls its row into view. */
    public void moveCursor(int index) {
        cursor.set(index);
        if (grid.lookup(".virtual-flow") instanceof javafx.scene.control.skin.VirtualFlow<?> flow) {
            int row = index / columns();
            if (row < flow.getFirstVisibleCell().getIndex() || row > flow.getLastVisibleCell().getIndex()) {
                flow.scrollTo(row);
            }
        }
    }

    public int cursor() {
        return cursor.get();
    }

    /** Opens thumbnail {@code index} in the detail window, which steps through the grid's images in its order. */
    void openDetail(int index) {
        List<Long> ids = grid.getItems().stream().map(ImageItem::id).toList();
        if (index >= 0 && index < ids.size()) {
            ImageDetailPane.open(ctx, new ImageDetailPane.Browse(ids, "in grid order", id -> List.of()), index);
        }
    }

    private void reload() {
        ProjectQueries q = ctx.project().queries();
        empty.setVisible(q == null);
        content.setVisible(q != null);
        if (q == null) {
            table.getItems().clear();
            grid.getItems().clear();
            return;
        }
        Long selected = table.getSelectionModel().getSelectedItem() == null ? null
                : table.getSelectionModel().getSelectedItem().id();
        ctx.tasks().execute("Load datasets", c -> Datasets.list(q.store()), list -> {
            if (q != ctx.project().queries()) {
                return; // another project was opened meanwhile
            }
            table.getItems().setAll(list);
            int index = 0;
            for (int i = 0; i < list.size(); i++) {
                if (selected != null && list.get(i).id() == selected) {
                    index = i;
                }
            }
            if (!list.isEmpty()) {
                table.getSelectionModel().clearSelection();
                table.getSelectionModel().select(index);
            } else {
                grid.getItems().clear();
                count.setText("");
                histogram.setChart(Charts.histogram("MOS distribution", "MOS [1,5]", new double[0], 20, 1, 5));
            }
        });
    }

    /** "csv layout · 1,648 labelled · MOS 1.06–5.00 · splits: test 173, train 1,363, val 112". */
    static String details(DatasetSummary d) {
        StringBuilder b = new StringBuilder(d.layout() + " layout · " + String.format(java.util.Locale.ROOT, "%,d",
                d.labelled()) + " labelled");
        if (d.normalisedMin() != null) {
            b.append(" · MOS ").append(Ui.num(d.normalisedMin(), 2)).append("–").append(Ui.num(d.normalisedMax(), 2));
        }
        if (!d.splits().isEmpty()) {
            b.append(" · splits: ");
            b.append(String.join(", ", d.splits().entrySet().stream()
                    .map(e -> e.getKey() + " " + String.format(java.util.Locale.ROOT, "%,d", e.getValue())).toList()));
        }
        return b.toString();
    }

    private void datasetSelected(DatasetSummary d) {
        if (d == null) {
            return;
        }
        List<String> splits = new ArrayList<>(List.of("all splits"));
        splits.addAll(d.splits().keySet());
        split.getItems().setAll(splits);
        split.getSelectionModel().select(0);
        chosen.clear();
        loadFields(d);
        reloadImages();
    }

    /** Fills the sidebar with the dataset's fields (split has its own selector above the grid). */
    private void loadFields(DatasetSummary d) {
        ProjectQueries q = ctx.project().queries();
        fieldBoxes.clear();
        fieldsBox.getChildren().setAll(Ui.heading("Fields"));
        if (q == null) {
            return;
        }
        ctx.tasks().execute("Load fields", c -> q.imageFields(d.id()), fields -> {
            if (q != ctx.project().queries() || table.getSelectionModel().getSelectedItem() != d) {
                return; // another dataset or project was chosen meanwhile
            }
            showFields(fields.stream().filter(f -> !f.name().equals(ProjectQueries.FIELD_SPLIT)).toList());
        });
    }

    /** The field sidebar's width. */
    static final double SIDEBAR_WIDTH = 250;

    /** The most values a field lists; the rest are reachable by sorting the grid by that field. */
    static final int MAX_VALUES = 200;

    private void showFields(List<ProjectQueries.ImageField> fields) {
        // the dataset's imported columns can order the grid too
        List<String> sorts = new ArrayList<>(SORTS);
        fields.stream().map(ProjectQueries.ImageField::name).filter(n -> n.startsWith(ProjectQueries.COLUMN_PREFIX))
                .forEach(sorts::add);
        String keep = sort.getValue();
        if (!sorts.equals(sort.getItems())) {
            sort.getItems().setAll(sorts);
            sort.setValue(sorts.contains(keep) ? keep : "name");
        }
        Button clear = new Button("Clear");
        clear.setId("clearFields");
        clear.setOnAction(e -> clearFields());
        Ui.tip(clear, "Show every value of every field again");
        HBox head = Ui.noCollapse(new HBox(8, Ui.heading("Fields"), clear));
        head.setAlignment(Pos.CENTER_LEFT);
        fieldsBox.getChildren().setAll(head);
        if (fields.isEmpty()) {
            Label none = new Label("This dataset's metadata has no distortion type, level, reference or other "
                    + "column with a few values. Filter by split and MOS above the grid, or brush the histogram.");
            none.setWrapText(true);
            none.getStyleClass().add("hint");
            fieldsBox.getChildren().add(none);
            return;
        }
        Label hint = new Label("Tick values to show only those images (any ticked value of a field, every field)");
        hint.setWrapText(true);
        hint.getStyleClass().add("hint");
        fieldsBox.getChildren().add(hint);
        for (ProjectQueries.ImageField f : fields) {
            VBox values = new VBox(2);
            java.util.Map<String, javafx.scene.control.CheckBox> boxes = new java.util.LinkedHashMap<>();
            List<ProjectQueries.FieldValue> shown = f.values().size() > MAX_VALUES
                    ? f.values().subList(0, MAX_VALUES) : f.values();
            for (ProjectQueries.FieldValue v : shown) {
                javafx.scene.control.CheckBox cb = new javafx.scene.control.CheckBox(
                        (v.value().equals(ProjectQueries.NONE) ? "(none)" : v.value()) + "  " + v.count());
                cb.setMnemonicParsing(false);
                cb.setOnAction(e -> choose(f.name(), v.value(), cb.isSelected()));
                boxes.put(v.value(), cb);
                values.getChildren().add(cb);
            }
            if (shown.size() < f.values().size()) {
                Label more = new Label((f.values().size() - shown.size()) + " more values: sort the grid by "
                        + f.name());
                more.setWrapText(true);
                more.getStyleClass().add("hint");
                values.getChildren().add(more);
            }
            fieldBoxes.put(f.name(), boxes);
            javafx.scene.control.TitledPane tp = new javafx.scene.control.TitledPane(f.name() + " ("
                    + f.values().size() + ")", values);
            tp.setId("field-" + f.name().replace(' ', '-'));
            // a long list (references) starts folded so the short ones stay in sight
            tp.setExpanded(f.values().size() <= 30);
            fieldsBox.getChildren().add(tp);
        }
    }

    /** Ticks or unticks one value of a field and filters the grid. */
    public void choose(String field, String value, boolean on) {
        java.util.Set<String> values = chosen.computeIfAbsent(field, k -> new java.util.LinkedHashSet<>());
        if (on) {
            values.add(value);
        } else {
            values.remove(value);
        }
        if (values.isEmpty()) {
            chosen.remove(field);
        }
        javafx.scene.control.CheckBox cb = fieldBoxes.getOrDefault(field, java.util.Map.of()).get(value);
        if (cb != null && cb.isSelected() != on) {
            cb.setSelected(on);
        }
        reloadImages();
    }

    private void clearFields() {
        chosen.clear();
        fieldBoxes.values().forEach(m -> m.values().forEach(cb -> cb.setSelected(false)));
        reloadImages();
    }

    /** The fields in the sidebar, each with its values' labels as shown ("gaussian_blur  70"). */
    public java.util.Map<String, List<String>> sidebar() {
        java.util.Map<String, List<String>> out = new java.util.LinkedHashMap<>();
        fieldBoxes.forEach((f, m) -> out.put(f, m.values().stream().map(javafx.scene.control.CheckBox::getText).toList()));
        return out;
    }

    /** Current filter; an unparsable bound is shown red and ignored. */
    ImageFilter filter() {
        String sp = split.getValue() == null || split.getSelectionModel().getSelectedIndex() <= 0 ? null : split.getValue();
        return new ImageFilter(sp, bound(minMos), bound(maxMos), chosen);
    }

    private static Double bound(TextField f) {
        f.getStyleClass().remove("invalid");
        String t = f.getText() == null ? "" : f.getText().strip();
        if (t.isEmpty()) {
            return null;
        }
        try {
            return Double.parseDouble(t);
        } catch (NumberFormatException e) {
            f.getStyleClass().add("invalid");
            return null;
        }
    }

    private void reloadImages() {
        ProjectQueries q = ctx.project().queries();
        DatasetSummary d = table.getSelectionModel().getSelectedItem();
        if (q == null || d == null) {
            return;
        }
        ImageFilter f = filter();
        long generation = ++loadGeneration;
        grid.getItems().clear();
        cursor.set(-1);
        count.setText("loading…");
        // First page at once so the grid shows something, the rest page by page in the same background task.
        ctx.tasks().execute(BackgroundTask.of("Load images", c -> {
            int total = q.countImages(d.id(), f);
            double[] mos = q.mosHistogram(d.id(), f);
            FxTaskExecutor.onFxThread(() -> {
                if (generation == loadGeneration) {
                    count.setText(total + (total == 1 ? " image" : " images"));
                    // an unlabelled dataset (a folder to score) says so instead of drawing empty axes
                    String title = mos.length == 0 && d.labelled() == 0 ? "No MOS — " + d.name() + " is unlabelled"
                            : "MOS distribution — " + d.name();
                    histogram.setChart(Charts.histogram(title, "MOS [1,5]", mos, 20, 1, 5));
                }
            });
            for (int offset = 0; offset < total && generation == loadGeneration; offset += PAGE) {
                List<ImageItem> page = q.images(d.id(), f, PAGE, offset);
                FxTaskExecutor.onFxThread(() -> {
                    if (generation == loadGeneration) {
                        grid.getItems().addAll(page);
                    }
                });
                c.checkCancelled();
            }
            FxTaskExecutor.onFxThread(() -> {
                if (generation == loadGeneration && !"name".equals(sort.getValue())) {
                    FXCollections.sort(grid.getItems(), order()); // pages arrive in name order
                }
            });
            return null;
        }));
    }

    private void importDataset() {
        DatasetImportAction importer = ctx.services().get(DatasetImportAction.class);
        if (ctx.project().store() == null) {
            Dialogs.info(ctx.window(), "No project open", "Open or create a project first.");
            return;
        }
        if (importer == null) {
            Dialogs.info(ctx.window(), "Import not available",
                    "This build has no dataset importer wired in. Use `./rali dataset import` on the command line.");
            return;
        }
        new ImportWizard(ctx.window(), importer).showAndWait().ifPresent(this::runImport);
    }

    /** Runs an import (also the test entry point, bypassing the modal wizard). */
    public void runImport(DatasetImportAction.ImportSpec spec) {
        if (!Files.exists(spec.folder())) {
            showReport("Import failed: " + spec.folder() + " does not exist.");
            return;
        }
        var store = ctx.project().store();
        showReport("Importing " + spec.folder() + " as '" + spec.name() + "' (" + spec.layout() + ")…");
        DatasetImportAction importer = ctx.services().get(DatasetImportAction.class);
        ctx.tasks().execute(BackgroundTask.of("Import " + spec.name(), c -> importer.importWithOutcome(store, spec, c))
                .onSuccess(outcome -> {
                    showReport(outcome.report());
                    offerOutsideRoot(spec, outcome.refusedOutsideRoot());
                    ctx.project().changed();
                })
                .onFailure(e -> {
                    showReport("Import failed: " + Dialogs.message(e));
                    Dialogs.error(ctx.window(), "Import failed", e);
                }));
    }

    private void showReport(String text) {
        report.setText(text);
        reportPane.setVisible(true);
        importAgain.setVisible(false);
    }

    /** After an import that refused rows for leaving the folder: a button to import again, allowing them. */
    private final Button importAgain = new Button();
    private DatasetImportAction.ImportSpec refusedSpec;
    private int refusedRows;

    private void offerOutsideRoot(DatasetImportAction.ImportSpec spec, int refused) {
        refusedSpec = spec;
        refusedRows = refused;
        importAgain.setText("Import again, allowing the " + refused + " path" + (refused == 1 ? "" : "s")
                + " outside the folder…");
        importAgain.setVisible(refused > 0 && !spec.allowOutsideRoot());
    }

    /** The Import wizard filled with the refused import, its "outside the folder" check box offered (unticked). */
    public ImportWizard reimportWizard() {
        return new ImportWizard(ctx.window(), ctx.services().get(DatasetImportAction.class), refusedSpec, refusedRows);
    }

    private static <T> TableColumn<DatasetSummary, T> col(String title,
            java.util.function.Function<DatasetSummary, T> f, double width) {
        TableColumn<DatasetSummary, T> c = Ui.column(title, f, width);
        c.setMinWidth(width);
        return c;
    }

    private static TableColumn<DatasetSummary, Integer> numCol(String title,
            java.util.function.Function<DatasetSummary, Integer> f) {
        TableColumn<DatasetSummary, Integer> c = col(title, f, 60);
        c.setStyle("-fx-alignment: CENTER-RIGHT;");
        return c;
    }


    public GridView<ImageItem> grid() {
        return grid;
    }

    public TextArea report() {
        return report;
    }

    @Override
    public String title() {
        return TITLE;
    }

    @Override
    public Node node() {
        return root;
    }
}
