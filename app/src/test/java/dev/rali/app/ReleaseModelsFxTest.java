package dev.rali.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/** Model bundles the services keep open for Explain / saliency requests are freed when the project changes. */
@ExtendWith(ApplicationExtension.class)
class ReleaseModelsFxTest {
    @TempDir Path dir;
    final FxTestSupport fx = new FxTestSupport();
    final AtomicInteger released = new AtomicInteger();

    @Start
    void start(Stage stage) {
        SaliencyFactory keepsBundlesOpen = new SaliencyFactory() {
            @Override
            public dev.rali.engine.analysis.saliency.Explainer open(Path bundleDir) {
                throw new UnsupportedOperationException("not opened in this test");
            }

            @Override
            public void release() {
                released.incrementAndGet();
            }
        };
        fx.start(stage, AppServices.builder().with(SaliencyFactory.class, keepsBundlesOpen).build());
    }

    @AfterEach
    void stop() throws Exception {
        fx.stop();
    }

    @Test
    void switchingOrClosingTheProjectReleasesTheOpenedBundles(FxRobot robot) throws Exception {
        fx.open(robot, Fixtures.project(Files.createDirectories(dir.resolve("a"))));
        int opened = released.get();
        fx.open(robot, Fixtures.project(Files.createDirectories(dir.resolve("b"))));
        org.junit.jupiter.api.Assertions.assertTrue(released.get() > opened, "project switch");
        int switched = released.get();
        robot.interact(() -> fx.model.close());
        assertEquals(switched + 1, released.get(), "project closed");
    }
}
