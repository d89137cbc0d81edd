package dev.rali.app;

import dev.rali.app.views.AppView;
import dev.rali.app.views.DatasetsView;
import dev.rali.app.views.PipelineView;
import dev.rali.app.views.PlaceholderView;
import dev.rali.app.views.ResultsView;
import dev.rali.app.views.ScoreView;
import dev.rali.app.views.StartView;
import dev.rali.app.views.TraceAuditView;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javafx.beans.binding.Bindings;
import javafx.geometry.Insets;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuBar;
import javafx.scene.control.MenuItem;
import javafx.scene.control.SeparatorMenuItem;
import javafx.scene.input.KeyCombination;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.StackPane;
import javafx.stage.Stage;
import org.controlsfx.control.StatusBar;

/**
 * The main window: menu (Ctrl+N/O/Q), navigation on the left (planned views disabled, marked "coming soon"),
 * the current view in the centre and a status bar with the open project and the running task's progress.
 */
public final class MainWindow {
    static final Set<String> PLANNED = Set.of("Attention", "t-SNE", "Sweeps");

    private final AppContext ctx;
    private final BorderPane root = new BorderPane();
    private final ListView<String> nav = new ListView<>();
    private final StackPane center = new StackPane();
    private final Map<String, AppView> views = new LinkedHashMap<>();
    private final StatusBar status = new StatusBar();
    private final StartView start;
    private final ScoreView score;

    public MainWindow(AppContext ctx) {
        this.ctx = ctx;
        start = new StartView(ctx);
        score = new ScoreView(ctx);
        for (AppView v : List.of(start, new DatasetsView(ctx), new TraceAuditView(ctx), new PipelineView(ctx),
                new ResultsView(ctx), score,
                new PlaceholderView("Attention", "Attention maps of the aligned encoder over an image."),
                new PlaceholderView("t-SNE", "2-D map of image embeddings coloured by MOS and cluster."),
                new PlaceholderView("Sweeps", "Parameter sweeps over stages with a results grid."))) {
            views.put(v.title(), v);
        }
        nav.setId("navigation");
        nav.getItems().setAll(views.keySet());
        nav.setPrefWidth(215);
        nav.setMinWidth(215);
        nav.setCellFactory(l -> new ListCell<>() {
            @Override
            protected void updateItem(String s, boolean empty) {
                super.updateItem(s, empty);
                getStyleClass().remove("nav-planned");
                setDisable(false);
                if (empty || s == null) {
                    setText(null);
                    return;
                }
                if (PLANNED.contains(s)) {
                    setText(s + "  (coming soon)");
                    setDisable(true);
                    getStyleClass().add("nav-planned");
                } else {
                    setText(s);
                }
            }
        });
        nav.getSelectionModel().selectedItemProperty().addListener((o, a, s) -> {
            if (s != null && PLANNED.contains(s)) {
                nav.getSelectionModel().select(a);
                return;
            }
            show(s);
        });
        ctx.setNavigator(this::select);

        MenuItem newProject = item("New project…", "Shortcut+N", start::newProject);
        MenuItem openProject = item("Open project…", "Shortcut+O", start::openProject);
        MenuItem close = item("Close project", null, () -> ctx.project().close());
        MenuItem quit = item("Quit", "Shortcut+Q", () -> {
            if (confirmClose()) {
                javafx.application.Platform.exit();
            }
        });
        Menu file = new Menu("File", null, newProject, openProject, close, new SeparatorMenuItem(), quit);
        Menu view = new Menu("View");
        int i = 1;
        for (String t : views.keySet()) {
            if (!PLANNED.contains(t)) {
                view.getItems().add(item(t, "Shortcut+" + i++, () -> select(t)));
            }
        }
        Menu help = new Menu("Help", null, item("About RALI Workbench", null, () -> Dialogs.info(ctx.window(),
                "RALI Workbench", "RALI Workbench " + dev.rali.engine.Version.CODE + "\nImage-quality assessment "
                        + "implementing \"Reasoning as Representation: Rethinking Visual RL in Image Quality "
                        + "Assessment\".")));
        MenuBar menu = new MenuBar(file, view, help);

        status.setId("statusBar");
        status.textProperty().bind(Bindings.createStringBinding(() -> ctx.project().store() == null
                ? "No project open" : ctx.project().store().file().toString(), ctx.project().queriesProperty()));
        Label tasks = new Label();
        tasks.setId("taskLabel");
        FxTasks.running().addListener((javafx.collections.ListChangeListener<javafx.concurrent.Task<?>>) c -> bindStatus(tasks));
        status.getRightItems().add(tasks);
        center.setPadding(new Insets(0));
        root.setTop(menu);
        root.setLeft(nav);
        root.setCenter(center);
        root.setBottom(status);
        root.getStyleClass().add("main-window");
        score.installDropTarget(root);
        root.addEventFilter(javafx.scene.input.DragEvent.DRAG_DROPPED, e -> {
            if (e.getDragboard().hasFiles()) {
                select(ScoreView.TITLE);
            }
        });
        ctx.project().queriesProperty().addListener((o, a, q) -> {
            if (q != null && StartView.TITLE.equals(nav.getSelectionModel().getSelectedItem())) {
                select(DatasetsView.TITLE);
            }
        });
        select(StartView.TITLE);
    }

    /** The status bar follows the most recently started long task (short queries are too quick to matter). */
    private void bindStatus(Label tasks) {
        status.progressProperty().unbind();
        List<javafx.concurrent.Task<?>> running = FxTasks.running();
        if (running.isEmpty()) {
            status.setProgress(0);
            tasks.setText("");
            return;
        }
        javafx.concurrent.Task<?> t = running.get(running.size() - 1);
        status.progressProperty().bind(t.progressProperty());
        tasks.setText(t.getTitle() + (running.size() > 1 ? " (+" + (running.size() - 1) + " more)" : ""));
    }

    private static MenuItem item(String text, String accel, Runnable action) {
        MenuItem m = new MenuItem(text);
        if (accel != null) {
            m.setAccelerator(KeyCombination.keyCombination(accel));
        }
        m.setOnAction(e -> action.run());
        return m;
    }

    public void select(String title) {
        nav.getSelectionModel().select(title);
    }

    private void show(String title) {
        AppView v = views.get(title);
        if (v != null) {
            center.getChildren().setAll(v.node());
            v.shown();
        }
    }

    /** True if no task is running, or the user agreed to cancel them; then they are cancelled. */
    public boolean confirmClose() {
        if (FxTasks.running().isEmpty()) {
            return true;
        }
        boolean yes = Dialogs.confirm(ctx.window(), "Cancel running work?", FxTasks.running().size()
                + " task(s) still running (" + FxTasks.running().get(0).getTitle() + "). Cancel them and quit? "
                + "Work up to the last checkpoint is kept.");
        if (yes) {
            FxTasks.cancelAll();
        }
        return yes;
    }

    public void attach(Stage stage) {
        ctx.setWindow(stage);
        stage.setOnCloseRequest(e -> {
            if (!confirmClose()) {
                e.consume();
            } else {
                ctx.project().close();
            }
        });
    }

    public BorderPane root() {
        return root;
    }

    public List<String> viewTitles() {
        return List.copyOf(views.keySet());
    }

    @SuppressWarnings("unchecked")
    public <T extends AppView> T view(String title) {
        return (T) views.get(title);
    }
}
