package dev.rali.app.views;

import javafx.scene.Node;

/** A main-window page. Views load their data off the FX thread when the project (or its content) changes. */
public interface AppView {

    /** Title in the navigation list. */
    String title();

    Node node();

    /** Called when the view becomes visible (reload if stale). */
    default void shown() { }
}
