package dev.rali.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rali.app.views.AppView;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.MenuBar;
import javafx.scene.control.MenuItem;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/** A view registered only through a META-INF/services file appears in the window; MainWindow is not edited. */
@ExtendWith(ApplicationExtension.class)
class AppFeaturesFxTest {
    final FxTestSupport fx = new FxTestSupport();

    /** A feature the main code does not know about, found only through the services file written below. */
    public static final class ExtensionFeature implements AppFeature {
        static final String TITLE = "Extension";

        @Override
        public String id() {
            return "extension";
        }

        @Override
        public String title() {
            return TITLE;
        }

        @Override
        public int order() {
            return 47; // between Sweeps (45) and Results (50)
        }

        @Override
        public AppView createView(AppContext ctx) {
            Label label = new Label("an extension view");
            label.setId("extensionView");
            return new AppView() {
                @Override
                public String title() {
                    return TITLE;
                }

                @Override
                public Node node() {
                    return label;
                }
            };
        }
    }

    /** The app's class path plus a folder whose services file registers {@link ExtensionFeature}. */
    static ClassLoader withExtension() throws Exception {
        Path dir = Files.createTempDirectory("rali-features");
        Path services = dir.resolve("META-INF/services/" + AppFeature.class.getName());
        Files.createDirectories(services.getParent());
        Files.writeString(services, ExtensionFeature.class.getName() + "\n");
        return new URLClassLoader(new URL[] {dir.toUri().toURL()}, AppFeaturesFxTest.class.getClassLoader());
    }

    @Start
    void start(Stage stage) throws Exception {
        fx.start(stage, AppServices.none(), AppFeatures.discover(withExtension()));
    }

    @AfterEach
    void stop() throws Exception {
        fx.stop();
    }

    @Test
    void aFeatureRegisteredThroughServiceLoaderShowsUpInNavigationAndTheViewMenu(FxRobot robot) {
        ListView<?> nav = robot.lookup("#navigation").queryAs(ListView.class);
        assertEquals(List.of("Start", "Datasets", "Trace audit", "Attention", "Pipeline", "Sweeps", "Extension", "Results", "Score", "Domain gap", "Bases"),
                nav.getItems());
        MenuBar menu = robot.lookup(".menu-bar").queryAs(MenuBar.class);
        List<String> viewMenu = menu.getMenus().get(1).getItems().stream().map(MenuItem::getText).toList();
        assertEquals(List.of("Start", "Datasets", "Trace audit", "Attention", "Pipeline", "Sweeps", "Extension", "Results", "Score", "Domain gap", "Bases"), viewMenu);

        robot.clickOn("Extension");
        assertEquals("an extension view", robot.lookup("#extensionView").queryAs(Label.class).getText());
        assertSame(fx.window.view(ExtensionFeature.TITLE).node(), robot.lookup("#extensionView").query());
    }

    @Test
    void theDefaultClassPathRegistersTheBuiltInViews() {
        List<String> titles = AppFeatures.discover().stream().map(AppFeature::title).toList();
        assertEquals(List.of("Start", "Datasets", "Trace audit", "Attention", "Pipeline", "Sweeps", "Results", "Score", "Domain gap", "Bases"), titles);
        assertTrue(AppFeatures.discover().stream().noneMatch(f -> f instanceof ExtensionFeature));
    }
}
