package dev.rali.app;

import javafx.application.Application;

/**
 * Entry point of {@code rali gui [--screenshot DIR] [PROJECT]}. Kept separate from {@link RaliApp} (it does not
 * extend Application) so the app starts from a plain class path without the JavaFX launcher's module checks.
 */
public final class Launcher {
    private Launcher() { }

    public static void main(String[] args) {
        Application.launch(RaliApp.class, args);
    }
}
