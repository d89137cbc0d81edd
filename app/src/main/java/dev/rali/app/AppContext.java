package dev.rali.app;

import dev.rali.engine.task.TaskExecutor;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.stage.Window;

/**
 * What every view gets: the open project, the injected services, the executor for background work, shared caches
 * and navigation.
 */
public final class AppContext {
    private final ProjectModel project;
    private final AppServices services;
    private final TaskExecutor tasks;
    private final PendingWork pending = new PendingWork();
    private final ThumbnailCache thumbnails = new ThumbnailCache(128, 600, pending);
    private Navigator navigator = name -> { };
    private final ObjectProperty<Path> modelBundle = new SimpleObjectProperty<>();
    private final Map<String, Object> focus = new HashMap<>();
    private Window window;
    private final javafx.beans.property.ObjectProperty<ImageSelection> imageSelection =
            new javafx.beans.property.SimpleObjectProperty<>();

    /** Images picked in one view (a lasso on the domain-gap map) for another to show (the Datasets grid). */
    public record ImageSelection(String origin, java.util.List<Long> imageIds) {
        public ImageSelection {
            imageIds = java.util.List.copyOf(imageIds);
        }
    }

    /** Switches the main window to a view by its title. */
    @FunctionalInterface
    public interface Navigator {
        void show(String viewTitle);
    }

    public AppContext(ProjectModel project, AppServices services, TaskExecutor tasks) {
        this.project = project;
        this.services = services;
        this.tasks = tasks;
    }

    public ProjectModel project() {
        return project;
    }

    public AppServices services() {
        return services;
    }

    /** Where views run engine work: worker threads in the app, the calling thread in some tests. */
    public TaskExecutor tasks() {
        return tasks;
    }

    /**
     * Work outside {@link #tasks()} whose result a view still has to show (thumbnails count here already); a view
     * with its own asynchronous loads registers them so screenshots wait for them.
     */
    public PendingWork pending() {
        return pending;
    }

    public ThumbnailCache thumbnails() {
        return thumbnails;
    }

    public Window window() {
        return window;
    }

    void setWindow(Window window) {
        this.window = window;
    }

    void setNavigator(Navigator navigator) {
        this.navigator = navigator;
    }

    /** The latest cross-view image selection; the Datasets view shows it when set. */
    public javafx.beans.property.ObjectProperty<ImageSelection> imageSelection() {
        return imageSelection;
    }

    public void navigate(String viewTitle) {
        navigator.show(viewTitle);
    }

    /**
     * Switches to a view and hands it what to show (e.g. the Trace audit passes a trace id to the Attention view),
     * which the view takes with {@link #takeFocus} when it is shown.
     */
    public void navigate(String viewTitle, Object what) {
        focus.put(viewTitle, what);
        navigator.show(viewTitle);
    }

    /** What {@link #navigate(String, Object)} handed to this view, once; null when nothing is waiting. */
    public Object takeFocus(String viewTitle) {
        return focus.remove(viewTitle);
    }

    /** The model bundle folder last chosen in any view (Score, saliency panes), so it is chosen once. */
    public ObjectProperty<Path> modelBundleProperty() {
        return modelBundle;
    }
}
