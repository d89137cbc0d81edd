package dev.rali.app;

import javafx.application.Application;

/**
 * Entry point of {@code rali gui [--screenshot DIR] [PROJECT]}. Kept separate from {@link RaliApp} (it does not
 * extend Application) so the app starts from a plain class path without the JavaFX launcher's module checks.
 */
public final class Launcher {
    private Launcher() { }

    public static void main(String[] args) {
        if (java.util.Arrays.asList(args).contains("--screenshot") && noDisplay()) {
            headless();
        }
        Application.launch(RaliApp.class, args);
    }

    static boolean noDisplay() {
        String os = System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT);
        return os.contains("linux") && (System.getenv("DISPLAY") == null || System.getenv("DISPLAY").isBlank())
                && (System.getenv("WAYLAND_DISPLAY") == null || System.getenv("WAYLAND_DISPLAY").isBlank());
    }

    /** Monocle's headless screen with the software renderer: screenshots without X (CI, servers). */
    static void headless() {
        System.setProperty("glass.platform", "Monocle");
        System.setProperty("monocle.platform", "Headless");
        System.setProperty("prism.order", "sw");
        System.setProperty("prism.text", "t2k");
        System.setProperty("headless.geometry", "1600x1000-32");
        System.setProperty("java.awt.headless", "true");
    }
}
