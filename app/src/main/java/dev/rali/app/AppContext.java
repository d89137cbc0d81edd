package dev.rali.app;

import javafx.stage.Window;

/** What every view gets: the open project, the injected services, shared caches and navigation. */
public final class AppContext {
    private final ProjectModel project;
    private final AppServices services;
    private final ThumbnailCache thumbnails = new ThumbnailCache(128, 600);
    private Navigator navigator = name -> { };
    private Window window;

    /** Switches the main window to a view by its title. */
    @FunctionalInterface
    public interface Navigator {
        void show(String viewTitle);
    }

    public AppContext(ProjectModel project, AppServices services) {
        this.project = project;
        this.services = services;
    }

    public ProjectModel project() {
        return project;
    }

    public AppServices services() {
        return services;
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

    public void navigate(String viewTitle) {
        navigator.show(viewTitle);
    }
}
