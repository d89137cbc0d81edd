package dev.rali.app;

import dev.rali.app.wiring.AppWiring;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javafx.application.Application;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.scene.image.Image;
import javafx.stage.Stage;

/**
 * The desktop app. Arguments: {@code [--threads N] [--screenshot DIR [--score BUNDLE FOLDER]] [PROJECT]}: opens
 * PROJECT if given; --threads sets libtorch's intra-op threads as the CLI's does; with --screenshot it renders every
 * main view into DIR as PNG and exits (works on a headless Monocle or Xvfb display); with --score the Score view
 * first scores FOLDER with BUNDLE, so its picture shows a scored folder.
 */
public class RaliApp extends Application {
    public static final String CSS = "/dev/rali/app/rali.css";
    public static final String ICON = "/dev/rali/app/rali-icon.png";

    private MainWindow window;
    private ProjectModel model;
    private FxTaskExecutor tasks;

    /**
     * Removes {@code --threads N} from the arguments and returns N (the CLI's option, for the app's own libtorch;
     * its range is checked where it is applied): empty when absent; a missing or non-numeric N is an error.
     */
    static java.util.OptionalInt takeThreads(List<String> args) {
        int i = args.indexOf("--threads");
        if (i < 0) {
            return java.util.OptionalInt.empty();
        }
        String value = i + 1 < args.size() ? args.get(i + 1) : "";
        int n;
        try {
            n = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("needs a whole number" + (value.isEmpty() ? "" : ", got " + value));
        }
        args.subList(i, i + 2).clear();
        return java.util.OptionalInt.of(n);
    }

    @Override
    public void start(Stage stage) {
        List<String> args = new ArrayList<>(getParameters().getRaw());
        Path screenshots = null;
        int i = args.indexOf("--screenshot");
        if (i >= 0) {
            if (i + 1 >= args.size()) {
                System.err.println("rali gui: --screenshot needs a folder");
                Platform.exit();
                return;
            }
            screenshots = Path.of(args.get(i + 1));
            args.remove(i + 1);
            args.remove(i);
            Dialogs.headlessSink = line -> System.err.println("rali gui: " + line);
        }
        // --score BUNDLE FOLDER (with --screenshot): the Score view scores FOLDER with BUNDLE before it is captured
        Path[] score = null;
        int j = args.indexOf("--score");
        if (j >= 0) {
            if (j + 2 >= args.size()) {
                System.err.println("rali gui: --score needs a model bundle and a folder");
                Platform.exit();
                return;
            }
            score = new Path[] {Path.of(args.get(j + 1)), Path.of(args.get(j + 2))};
            args.subList(j, j + 3).clear();
        }
        try {
            takeThreads(args).ifPresent(AppWiring::threads);
        } catch (IllegalArgumentException e) {
            System.err.println("rali gui: --threads " + e.getMessage());
            Platform.exit();
            return;
        }
        model = new ProjectModel(RecentProjects.user());
        tasks = new FxTaskExecutor();
        AppContext ctx = new AppContext(model, AppWiring.services(), tasks);
        window = new MainWindow(ctx);
        Scene scene = scene(window);
        stage.setTitle("RALI Workbench");
        stage.setScene(scene);
        // Fit the screen (a small laptop, or Monocle's headless screen, which overflows if the window is larger).
        var bounds = javafx.stage.Screen.getPrimary().getVisualBounds();
        stage.setWidth(Math.min(1360, bounds.getWidth()));
        stage.setHeight(Math.min(860, bounds.getHeight()));
        var icon = RaliApp.class.getResource(ICON);
        if (icon != null) {
            stage.getIcons().add(new Image(icon.toExternalForm()));
        }
        window.attach(stage);
        if (!args.isEmpty()) {
            try {
                model.open(Path.of(args.get(0)));
            } catch (Exception e) {
                Dialogs.error(stage, "Cannot open project " + args.get(0), e);
            }
        }
        stage.show();
        if (screenshots != null) {
            Screenshots.captureAll(window, scene, screenshots, score, () -> {
                model.close();
                Platform.exit();
            });
        }
    }

    /** The main scene with the app stylesheet. */
    public static Scene scene(MainWindow window) {
        Scene scene = new Scene(window.root(), 1360, 860);
        var css = RaliApp.class.getResource(CSS);
        if (css != null) {
            scene.getStylesheets().add(css.toExternalForm());
        }
        return scene;
    }

    @Override
    public void stop() {
        if (tasks != null) {
            tasks.cancelAll();
        }
        if (model != null) {
            model.close();
        }
        if (window != null) {
            window.releaseServices();
        }
    }
}
