package dev.rali.app;

import dev.rali.app.views.AppView;
import dev.rali.app.views.DatasetsView;
import dev.rali.app.views.ScoreView;
import dev.rali.app.views.StartView;
import dev.rali.engine.task.BackgroundTask;
import dev.rali.engine.task.TaskExecutor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javafx.beans.binding.Bindings;
import javafx.geometry.Insets;
import javafx.scene.control.Label;
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
 * The main window: menu (Ctrl+N/O/Q), navigation on the left built from the registered {@link AppFeature}s, the
 * current view in the centre and a status bar with the open project and the running task's progress. Adding a view
 * never edits this class: the Start and Score views are looked up by type for the File menu and drag and drop,
 * and the window works without them.
 */
public final class MainWindow {
    private final AppContext ctx;
    private final BorderPane root = new BorderPane();
    private final ListView<String> nav = new ListView<>();
    private final StackPane center = new StackPane();
    private final Map<String, AppView> views = new LinkedHashMap<>();
    private final StatusBar status = new StatusBar();

    /** A window with the features registered on the class path. */
    public MainWindow(AppContext ctx) {
        this(ctx, AppFeatures.discover());
    }

    public MainWindow(AppContext ctx, List<AppFeature> features) {
        this.ctx = ctx;
        for (AppFeature f : features) {
            AppView v = f.createView(ctx);
            if (!f.title().equals(v.title())) {
                throw new IllegalStateException("feature " + f.id() + " is titled '" + f.title()
                        + "' but its view says '" + v.title() + "'");
            }
            views.put(f.title(), v);
        }
        StartView start = first(StartView.class);
        ScoreView score = first(ScoreView.class);
        nav.setId("navigation");
        nav.getItems().setAll(views.keySet());
        nav.setPrefWidth(215);
        nav.setMinWidth(215);
        nav.getSelectionModel().selectedItemProperty().addListener((o, a, s) -> show(s));
        ctx.setNavigator(this::select);

        MenuItem newProject = item("New project…", "Shortcut+N", start == null ? null : start::newProject);
        MenuItem openProject = item("Open project…", "Shortcut+O", start == null ? null : start::openProject);
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
            view.getItems().add(item(t, i <= 9 ? "Shortcut+" + i++ : null, () -> select(t)));
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
        if (ctx.tasks() instanceof FxTaskExecutor fx) {
            // A synchronous executor (tests) never has work running while the FX thread is free to show it.
            fx.runningTasks().addListener((javafx.collections.ListChangeListener<FxTaskExecutor.Running>) c ->
                    bindStatus(fx, tasks));
        }
        status.getRightItems().add(tasks);
        center.setPadding(new Insets(0));
        root.setTop(menu);
        root.setLeft(nav);
        root.setCenter(center);
        root.setBottom(status);
        root.getStyleClass().add("main-window");
        if (score != null) {
            score.installDropTarget(root);
            root.addEventFilter(javafx.scene.input.DragEvent.DRAG_DROPPED, e -> {
                if (e.getDragboard().hasFiles()) {
                    select(score.title());
                }
            });
        }
        // Registered before any view's own listeners react to the new project's revision (ProjectModel.open sets
        // the queries first, then bumps the revision), so every view starts from a clean state, then reloads.
        ctx.project().queriesProperty().addListener((o, a, q) -> views.values().forEach(AppView::reset));
        // bundles kept open for the previous project's Explain / saliency requests are freed (DJL native memory)
        ctx.project().queriesProperty().addListener((o, a, q) -> ctx.services().releaseAll());
        ctx.project().queriesProperty().addListener((o, a, q) -> {
            if (q != null && start != null && start.title().equals(nav.getSelectionModel().getSelectedItem())
                    && views.containsKey(DatasetsView.TITLE)) {
                select(DatasetsView.TITLE);
            }
        });
        if (!views.isEmpty()) {
            select(views.keySet().iterator().next());
        }
    }

    private <T extends AppView> T first(Class<T> type) {
        return views.values().stream().filter(type::isInstance).map(type::cast).findFirst().orElse(null);
    }

    /** The status bar follows the most recently started long task (short queries are too quick to matter). */
    private void bindStatus(FxTaskExecutor fx, Label tasks) {
        status.progressProperty().unbind();
        List<FxTaskExecutor.Running> running = fx.runningTasks();
        if (running.isEmpty()) {
            status.setProgress(0);
            tasks.setText("");
            return;
        }
        FxTaskExecutor.Running t = running.get(running.size() - 1);
        status.progressProperty().bind(t.progressProperty());
        tasks.setText(t.title() + (running.size() > 1 ? " (+" + (running.size() - 1) + " more)" : ""));
    }

    private static MenuItem item(String text, String accel, Runnable action) {
        MenuItem m = new MenuItem(text);
        if (accel != null) {
            m.setAccelerator(KeyCombination.keyCombination(accel));
        }
        if (action == null) {
            m.setDisable(true);
        } else {
            m.setOnAction(e -> action.run());
        }
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
        List<BackgroundTask<?>> running = ctx.tasks().running();
        if (running.isEmpty()) {
            return true;
        }
        boolean yes = Dialogs.confirm(ctx.window(), "Cancel running work?", running.size()
                + " task(s) still running (" + running.get(0).title() + "). Cancel them and quit? "
                + "Work up to the last checkpoint is kept.");
        if (yes) {
            ctx.tasks().cancelAll();
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

    /** Frees the models services keep open (at exit). */
    void releaseServices() {
        ctx.services().releaseAll();
    }

    /** The executor the views run their work on. */
    public TaskExecutor tasks() {
        return ctx.tasks();
    }

    /** Pending work outside the tasks (thumbnails, views' own loads), for screenshots to wait on. */
    public PendingWork pending() {
        return ctx.pending();
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
