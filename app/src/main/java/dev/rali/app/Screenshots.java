package dev.rali.app;

import dev.rali.engine.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import javafx.animation.PauseTransition;
import javafx.embed.swing.SwingFXUtils;
import javafx.scene.Parent;
import javafx.scene.Scene;
import javafx.scene.image.WritableImage;
import javafx.util.Duration;
import javax.imageio.ImageIO;

/**
 * Renders each main view to {@code NN-name.png}, waiting for its background tasks and pending work (thumbnails) to
 * settle first.
 */
public final class Screenshots {
    static final Duration SETTLE = Duration.millis(1500);
    private static Path[] scoreWith;

    private Screenshots() { }

    public static void captureAll(MainWindow window, Scene scene, Path dir, Runnable done) {
        captureAll(window, scene, dir, null, done);
    }

    /** As above; {@code score} = {bundle, folder}: the Score view scores that folder before it is captured. */
    public static void captureAll(MainWindow window, Scene scene, Path dir, Path[] score, Runnable done) {
        scoreWith = score;
        gapSpacesDone = false;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            System.err.println("rali gui: cannot create " + dir + ": " + e.getMessage());
            done.run();
            return;
        }
        Deque<String> todo = new ArrayDeque<>();
        todo.addAll(window.viewTitles());
        next(window, scene, dir, todo, 1, done);
    }

    private static void next(MainWindow window, Scene scene, Path dir, Deque<String> todo, int n, Runnable done) {
        if (todo.isEmpty()) {
            done.run();
            return;
        }
        String title = todo.poll();
        window.select(title);
        if (scoreWith != null && title.equals(dev.rali.app.views.ScoreView.TITLE)) {
            dev.rali.app.views.ScoreView v = window.view(title);
            Path[] s = scoreWith;
            scoreWith = null;
            v.setBundle(s[0]);
            v.addFiles(java.util.List.of(s[1]));
            // the folder is listed first (maybe in the background), then scored; the capture waits for both
            waitForTasks(window, () -> {
                v.startScoring();
                todo.push(title);
                next(window, scene, dir, todo, n, done);
            }, 480);
            return;
        }
        String name = title.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
        if (title.equals(dev.rali.app.views.DomainGapView.TITLE) && !gapSpacesDone) {
            // the view maps only the base space when first shown; the screenshot shows every space the project
            // has (base, the run's aligned and PCA spaces, the traces' text) side by side with their numbers
            gapSpacesDone = true;
            afterSettling(window, () -> {
                dev.rali.app.views.DomainGapView v = window.view(title);
                v.spaceBoxes().values().forEach(b -> b.setSelected(!b.isDisabled()));
                v.compute();
                todo.push(title);
                next(window, scene, dir, todo, n, done);
            });
            return;
        }
        afterSettling(window, () -> {
            capture(scene, dir.resolve(String.format(Locale.ROOT, "%02d-%s.png", n, name)));
            if (title.equals(dev.rali.app.views.ResultsView.TITLE)) {
                // and the across-runs tab: the paper's Table 2 and Table 4 laid out from the project's runs
                javafx.scene.control.TabPane tabs = (javafx.scene.control.TabPane) window.root().lookup("#resultsTabs");
                if (tabs != null && tabs.getTabs().size() > 1) {
                    tabs.getSelectionModel().select(1);
                    afterSettling(window, () -> {
                        capture(scene, dir.resolve(String.format(Locale.ROOT, "%02d-%s-across-runs.png", n, name)));
                        tabs.getSelectionModel().select(0);
                        next(window, scene, dir, todo, n + 1, done);
                    });
                    return;
                }
            }
            next(window, scene, dir, todo, n + 1, done);
        });
    }

    private static boolean gapSpacesDone;

    /** Runs {@code then} once the view has settled: a pause, then no background task or pending work. */
    private static void afterSettling(MainWindow window, Runnable then) {
        PauseTransition wait = new PauseTransition(SETTLE);
        // up to 2 min: the Domain gap and Bases views compute their maps when first shown
        wait.setOnFinished(e -> waitForTasks(window, then, 480));
        wait.play();
    }

    private static void capture(Scene scene, Path file) {
        try {
            write(scene, file);
            System.out.println(file);
        } catch (IOException ex) {
            System.err.println("rali gui: cannot write " + file + ": " + ex.getMessage());
        }
    }

    /**
     * Polls (every 250 ms, at most {@code tries} times) until no background task runs and no other work is pending
     * ({@link PendingWork}: thumbnails, views' own loads), so views are filled when captured. Before declaring the
     * view settled it lays the scene out once more: cells created by that layout (a list filled by the last task's
     * result) ask for their thumbnails only then, and those are waited for too.
     */
    static void waitForTasks(MainWindow window, Runnable then, int tries) {
        boolean quiet = window.tasks().running().isEmpty() && window.pending().idle();
        if (quiet) {
            Parent root = window.root();
            root.applyCss();
            root.layout();
            quiet = window.pending().idle();
        }
        if (quiet || tries <= 0) {
            then.run();
            return;
        }
        PauseTransition p = new PauseTransition(Duration.millis(250));
        p.setOnFinished(e -> waitForTasks(window, then, tries - 1));
        p.play();
    }

    public static void write(Scene scene, Path file) throws IOException {
        // at the window's output scale: on a HiDPI display (or -Dglass.gtk.uiScale=2) the PNG has its pixels, so
        // the screenshot shows what the user sees there (text and canvases at 2×), not a 1× rendering
        double sx = scene.getWindow() == null ? 1 : scene.getWindow().getOutputScaleX();
        double sy = scene.getWindow() == null ? 1 : scene.getWindow().getOutputScaleY();
        WritableImage img;
        if (sx == 1 && sy == 1) {
            img = scene.snapshot(null);
        } else {
            javafx.scene.SnapshotParameters p = new javafx.scene.SnapshotParameters();
            p.setTransform(javafx.scene.transform.Transform.scale(sx, sy));
            img = scene.getRoot().snapshot(p, null);
        }
        var image = SwingFXUtils.fromFXImage(img, null);
        AtomicFiles.write(file, out -> {
            if (!ImageIO.write(image, "png", out)) {
                throw new IOException(file + ": no PNG writer");
            }
        });
    }
}
