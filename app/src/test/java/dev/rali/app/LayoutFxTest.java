package dev.rali.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.rali.engine.pipeline.PipelineService;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.control.Cell;
import javafx.scene.control.Labeled;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/**
 * At 1024 × 700 (a small laptop; issue 17, item 8) no button, label, check box or section title of any view is cut
 * to "…": tool bars squeeze their text fields instead. Table and list cells are left out (they cut long file names
 * in the middle on purpose, with the full name as tooltip).
 */
@ExtendWith(ApplicationExtension.class)
class LayoutFxTest {
    @TempDir Path dir;
    final FxTestSupport fx = new FxTestSupport();
    Stage stage;

    @Start
    void start(Stage stage) {
        this.stage = stage;
        fx.start(stage, AppServices.builder().with(PipelineService.class, new Fixtures.FakePipeline(3))
                .with(ScorerFactory.class, b -> new Fixtures.FakeScorer()).build());
        stage.setWidth(1024);
        stage.setHeight(700);
    }

    @AfterEach
    void stop() throws Exception {
        fx.stop();
    }

    @Test
    void nothingInAnyViewIsCutAt1024By700(FxRobot robot) throws Exception {
        fx.open(robot, Fixtures.project(dir));
        List<String> cut = new ArrayList<>();
        for (String title : fx.window.viewTitles()) {
            robot.interact(() -> fx.window.select(title));
            fx.settle();
            robot.interact(() -> {
                fx.window.root().applyCss();
                fx.window.root().layout();
                collect(title, ((dev.rali.app.views.AppView) fx.window.view(title)).node(), cut);
            });
        }
        assertEquals(List.of(), cut, "texts cut at 1024 x 700");
    }

    private static void collect(String view, Node n, List<String> cut) {
        if (!n.isVisible() || n instanceof Cell<?> || n instanceof javafx.scene.control.skin.VirtualFlow<?>) {
            return;
        }
        // a titled pane's preferred width is its content's; its own title is a label inside it, checked below
        if (n instanceof Labeled l && !(n instanceof javafx.scene.control.TitledPane) && l.getText() != null && !l.getText().isBlank() && !l.isWrapText()
                && l.getWidth() > 0 && l.getWidth() + 0.5 < l.prefWidth(-1)) {
            cut.add(view + ": " + l.getClass().getSimpleName() + " '" + l.getText() + "' is " + Math.round(l.getWidth())
                    + " px wide, needs " + Math.round(l.prefWidth(-1)));
        }
        // a wrapped label cut in height ends in "…" just the same (the Bases view's detail line was)
        if (n instanceof Labeled l && l.isWrapText() && l.getText() != null && !l.getText().isBlank()
                && l.getWidth() > 0 && l.getHeight() > 0 && l.getHeight() + 0.5 < l.prefHeight(l.getWidth())) {
            cut.add(view + ": wrapped " + l.getClass().getSimpleName() + " '" + l.getText() + "' is "
                    + Math.round(l.getHeight()) + " px high, needs " + Math.round(l.prefHeight(l.getWidth())));
        }
        if (n instanceof Parent p) {
            for (Node c : p.getChildrenUnmodifiable()) {
                collect(view, c, cut);
            }
        }
    }
}
