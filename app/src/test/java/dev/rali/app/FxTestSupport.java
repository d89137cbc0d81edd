package dev.rali.app;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Callable;
import java.util.prefs.Preferences;
import javafx.stage.Stage;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;

/** Builds the real main window over fake services in a TestFX stage; dialogs are recorded, not shown. */
final class FxTestSupport {
    final List<String> dialogs = new CopyOnWriteArrayList<>();
    ProjectModel model;
    MainWindow window;
    AppContext ctx;
    Preferences prefs;
    final FxTaskExecutor tasks = new FxTaskExecutor();

    void start(Stage stage, AppServices services) {
        start(stage, services, AppFeatures.discover());
    }

    void start(Stage stage, AppServices services, List<AppFeature> features) {
        Dialogs.headlessSink = dialogs::add;
        prefs = Preferences.userRoot().node("rali-test-" + System.nanoTime());
        model = new ProjectModel(new RecentProjects(prefs));
        ctx = new AppContext(model, services, tasks);
        window = new MainWindow(ctx, features);
        stage.setScene(RaliApp.scene(window));
        window.attach(stage);
        stage.show();
    }

    void open(FxRobot robot, Path project) throws Exception {
        robot.interact(() -> {
            try {
                model.open(project);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        settle();
    }

    static void waitFor(Callable<Boolean> condition) throws Exception {
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> {
            WaitForAsyncUtils.waitForFxEvents();
            return condition.call();
        });
    }

    /** Waits until background tasks are done and their results have reached the FX thread. */
    void settle() throws Exception {
        waitFor(() -> tasks.running().isEmpty());
        WaitForAsyncUtils.waitForFxEvents(5);
    }

    void stop() throws Exception {
        settle();
        WaitForAsyncUtils.waitForAsyncFx(5000, () -> model.close());
        prefs.removeNode();
        Dialogs.headlessSink = null;
    }
}
