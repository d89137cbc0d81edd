package dev.rali.app.views;

import javafx.scene.Node;

/** A main-window page. Views load their data off the FX thread when the project (or its content) changes. */
public interface AppView {

    /** Title in the navigation list. */
    String title();

    Node node();

    /** Called when the view becomes visible (reload if stale). */
    default void shown() { }

    /**
     * Forgets everything the view shows about the previous project (selections, reports, logs, plots, chart titles,
     * results of loads still in flight). {@link dev.rali.app.MainWindow} calls it on every view whenever the open
     * project changes, before the views reload, so a view never shows another project's data;
     * {@code ProjectSwitchFxTest} checks every registered view against a fresh window. A view that keeps no project
     * state (Score) leaves it empty.
     */
    default void reset() { }
}
