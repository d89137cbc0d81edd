package dev.rali.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rali.app.views.DatasetsView;
import dev.rali.engine.project.ProjectStore;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.Statement;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/** The image grid holds 10k images but only creates cells for what is visible, and scrolls to the end. */
@ExtendWith(ApplicationExtension.class)
class LargeDatasetFxTest {
    static final int N = 10_000;
    @TempDir Path dir;
    final FxTestSupport fx = new FxTestSupport();

    @Start
    void start(Stage stage) {
        fx.start(stage, AppServices.none());
    }

    @AfterEach
    void stop() throws Exception {
        fx.stop();
    }

    @Test
    void tenThousandImagesAreVirtualised(FxRobot robot) throws Exception {
        Path png = Fixtures.png(dir.resolve("one.png"), 100);
        Path project = dir.resolve("big.rali");
        try (ProjectStore store = ProjectStore.open(project)) {
            store.inTransaction(c -> {
                try (Statement s = c.createStatement()) {
                    s.execute("INSERT INTO datasets(id, name, layout) VALUES (1, 'big', 'folder')");
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO images(dataset_id, path, name, content_hash) "
                        + "VALUES (1, ?, ?, 'h')")) {
                    for (int i = 0; i < N; i++) {
                        ps.setString(1, png.toString());
                        ps.setString(2, String.format("img%05d.png", i));
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                return null;
            });
        }
        fx.open(robot, project);
        DatasetsView view = fx.window.view(DatasetsView.TITLE);
        FxTestSupport.waitFor(() -> view.grid().getItems().size() == N);
        int cells = robot.lookup(".thumb-cell").queryAll().size();
        assertTrue(cells > 0 && cells < 400, "cells created: " + cells);
        robot.clickOn("#imageGrid");
        robot.type(KeyCode.END);
        robot.scroll(30, javafx.geometry.VerticalDirection.DOWN);
        fx.settle();
        assertTrue(robot.lookup(".thumb-cell").queryAll().size() < 400);
        assertEquals(N, view.grid().getItems().size());
    }
}
