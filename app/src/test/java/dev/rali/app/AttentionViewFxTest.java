package dev.rali.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rali.app.views.AttentionView;
import dev.rali.app.views.ScoreView;
import dev.rali.app.views.TraceAuditView;
import dev.rali.engine.analysis.attention.AttentionAnalysis;
import dev.rali.engine.analysis.attention.AttentionReport;
import dev.rali.engine.analysis.attention.AttentionService;
import dev.rali.engine.analysis.attention.ProjectAttention;
import dev.rali.engine.analysis.attention.Role;
import dev.rali.engine.project.ProjectQueries.AuditItem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.RadioButton;
import javafx.scene.control.TextField;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/**
 * The Attention view on imported dumps (strip, image heatmap, layer/head selection, role shares, distribution, text
 * saliency), its empty state, the Trace audit's way into it, and the saliency overlays of the Score view and the
 * Trace audit. Screenshots land in app/target/screenshots-attention for a human to look at.
 */
@ExtendWith(ApplicationExtension.class)
class AttentionViewFxTest {
    private static final String ORANGE = "rgb(242,142,43)";
    private static final Path SHOTS = Path.of("target/screenshots-attention");
    @TempDir Path dir;
    final FxTestSupport fx = new FxTestSupport();

    @Start
    void start(Stage stage) {
        stage.setWidth(1360);
        stage.setHeight(860);
        fx.start(stage, AppServices.builder().with(AttentionService.class, new ProjectAttention())
                .with(SaliencyFactory.class, b -> new AttentionFixtures.FakeExplainer())
                .with(ScorerFactory.class, b -> new Fixtures.FakeScorer()).build());
    }

    @AfterEach
    void stop() throws Exception {
        fx.stop();
    }

    private Path demoWithDumps(int n, List<Long> traces) throws Exception {
        Path photos = Path.of("../sample-projects/photos");
        assertTrue(Files.isDirectory(photos), "sample photos missing: " + photos.toAbsolutePath());
        Path project = DemoProject.build(dir, photos);
        traces.addAll(AttentionFixtures.importDumps(project, dir.resolve("dumps"), n));
        return project;
    }

    private AttentionView show(FxRobot robot) throws Exception {
        robot.interact(() -> fx.window.select(AttentionView.TITLE));
        fx.settle();
        return fx.window.view(AttentionView.TITLE);
    }

    /** Writes the window to target/screenshots-attention/NAME (on the FX thread, as a snapshot must be). */
    private void shot(FxRobot robot, String name) throws Exception {
        Files.createDirectories(SHOTS);
        fx.settle();
        robot.interact(() -> {
            try {
                Screenshots.write(fx.window.root().getScene(), SHOTS.resolve(name));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    private static boolean visibleText(FxRobot robot, String text) {
        return robot.lookup(".empty-title").queryAllAs(Label.class).stream()
                .anyMatch(l -> l.getText().equals(text) && l.getParent().isVisible());
    }

    @Test
    void withoutDumpsTheViewSaysHowToGetThem(FxRobot robot) throws Exception {
        AttentionView v = show(robot);
        assertTrue(visibleText(robot, "No project open"));
        fx.open(robot, Fixtures.project(dir));
        v = show(robot);
        assertTrue(visibleText(robot, "No attention dumps in this project"));
        assertFalse(visibleText(robot, "No project open"));
        assertTrue(v.dumpBox().getItems().isEmpty());
        assertNull(v.report());
        shot(robot, "attention-empty.png");
    }

    @Test
    void aDumpShowsItsTokensImageSharesAndTheDistribution(FxRobot robot) throws Exception {
        List<Long> traces = new java.util.ArrayList<>();
        fx.open(robot, demoWithDumps(3, traces));
        AttentionView v = show(robot);
        FxTestSupport.waitFor(() -> v.report() != null && v.all() != null);
        assertEquals(3, v.dumpBox().getItems().size());
        AttentionReport r = v.report();
        // every reasoning token is listed and coloured; the most attended one gets the full colour
        AttentionReport.TokenWeight top = r.topReasoning().get(0);
        Label topLabel = v.tokenLabels().stream().filter(l -> (int) l.getUserData() == top.position()).findFirst()
                .orElseThrow();
        assertTrue(topLabel.getStyle().contains(ORANGE), topLabel.getStyle());
        assertTrue(topLabel.getTooltip().getText().contains(String.format(java.util.Locale.ROOT, "%.3f %%",
                100 * top.attention())), topLabel.getTooltip().getText());
        long reasoningLabels = v.tokenLabels().stream().filter(l -> !l.getStyle().isEmpty()).count();
        assertEquals(r.topReasoning().size() - 2, reasoningLabels, "reasoning tokens except the think tags");
        // the strip reads as the reasoning text
        String text = v.tokenLabels().stream().map(Label::getText).reduce("", String::concat);
        assertTrue(text.contains("The image shows"), text);
        // the image heatmap is the dump's 4 x 4 image map
        assertEquals(4, v.imageOverlay().values().length);
        assertArrayEquals(r.imageMap().values()[2], v.imageOverlay().values()[2]);
        assertTrue(v.imageOverlay().caption().contains("Image tokens (4 × 4)"), v.imageOverlay().caption());
        // role shares: both conventions, clearly named series
        assertEquals(100 * r.paper().averaged().get(Role.REASONING), v.shares().getValue(
                AttentionView.PAPER_SERIES, "reasoning").doubleValue(), 1e-9);
        assertEquals(5, v.shares().getColumnCount());
        assertEquals(7.5, v.shares().getValue(AttentionView.RAW_SERIES, "system").doubleValue(), 1e-4);
        Label banner = robot.lookup("#attnBanner").queryAs(Label.class);
        assertTrue(banner.isVisible() && banner.getText().startsWith("Synthetic dump"), banner.getText());
        // layer 0, head 1 of the rule: the image gets 30 %
        robot.interact(() -> {
            v.layerBox().setValue(0);
            v.headBox().setValue(1);
        });
        fx.settle();
        FxTestSupport.waitFor(() -> Math.abs(v.report().allRoles().averaged().get(Role.IMAGE) - 0.30) < 1e-5);
        assertEquals(0.30 / 0.85, v.report().paper().averaged().get(Role.IMAGE), 1e-5, "renormalised without "
                + "system and prompt (15 %)");
        // distribution over the three dumps
        AttentionAnalysis.Result all = v.all();
        assertEquals(3, all.perDump().size());
        Label summary = robot.lookup("#attnDistSummary").queryAs(Label.class);
        assertTrue(summary.getText().startsWith("3 dumps"), summary.getText());
        robot.interact(() -> {
            v.layerBox().setValue(AttentionView.MEAN);
            v.headBox().setValue(AttentionView.MEAN);
        });
        fx.settle();
        shot(robot, "attention.png");

        // text saliency on the same strip (fake model: a word's saliency is its length)
        robot.interact(() -> robot.lookup("#attnTextModel").queryAs(TextField.class).setText(dir.toString()));
        robot.clickOn("#attnTextSaliency");
        fx.settle();
        FxTestSupport.waitFor(() -> v.textSaliencyResult() != null);
        assertTrue(robot.lookup("#attnBySaliency").queryAs(RadioButton.class).isSelected());
        String longest = v.textSaliencyResult().ranked().get(0).word();
        Label longestLabel = v.tokenLabels().stream().filter(l -> l.getText().strip().equals(longest)).findFirst()
                .orElseThrow();
        assertTrue(longestLabel.getStyle().contains(ORANGE), longest + " " + longestLabel.getStyle());
        assertTrue(longestLabel.getTooltip().getText().contains("text saliency"), longestLabel.getTooltip().getText());
        shot(robot, "attention-text-saliency.png");
    }

    @Test
    void theTraceAuditOpensTheDumpOfTheSelectedTraceAndExplainsItsImage(FxRobot robot) throws Exception {
        List<Long> traces = new java.util.ArrayList<>();
        fx.open(robot, demoWithDumps(3, traces));
        robot.interact(() -> fx.window.select(TraceAuditView.TITLE));
        fx.settle();
        TraceAuditView audit = fx.window.view(TraceAuditView.TITLE);
        Button open = robot.lookup("#openAttention").queryAs(Button.class);
        int withDump = indexOf(audit, traces.get(1));
        int without = indexOf(audit, -1);
        robot.interact(() -> audit.table().getSelectionModel().clearAndSelect(without));
        fx.settle();
        assertTrue(open.isDisabled(), "no dump for this trace");
        robot.interact(() -> audit.table().getSelectionModel().clearAndSelect(withDump));
        fx.settle();
        FxTestSupport.waitFor(() -> !open.isDisabled());
        // the image side: saliency with the bundle chosen anywhere in the app
        robot.interact(() -> {
            fx.ctx.modelBundleProperty().set(dir);
            audit.saliency().explain();
        });
        fx.settle();
        FxTestSupport.waitFor(() -> audit.saliency().result() != null);
        assertEquals(audit.table().getSelectionModel().getSelectedItem().imagePath(), audit.saliency().result().image());
        robot.clickOn("#auditSaliencyToggle");
        assertTrue(robot.lookup("#auditSaliencyPane").query().isVisible());
        shot(robot, "trace-audit-saliency.png");
        robot.clickOn("#openAttention");
        fx.settle();
        AttentionView v = fx.window.view(AttentionView.TITLE);
        FxTestSupport.waitFor(() -> v.dumpBox().getValue() != null && v.report() != null);
        assertEquals(traces.get(1), v.dumpBox().getValue().traceId());
        assertTrue(robot.lookup("#attnStrip").query().isVisible(), "the Attention view is shown");
    }

    private static int indexOf(TraceAuditView audit, long traceId) {
        List<AuditItem> items = audit.table().getItems();
        for (int i = 0; i < items.size(); i++) {
            if (traceId < 0 ? items.get(i).trace().seed() == 1 : items.get(i).trace().id() == traceId) {
                return i;
            }
        }
        throw new AssertionError("trace " + traceId + " not listed");
    }

    @Test
    void theScoreViewOverlaysRolloutOrAttributionOnTheSelectedScoredImage(FxRobot robot) throws Exception {
        Path images = Files.createDirectories(dir.resolve("images"));
        Fixtures.png(images.resolve("a.png"), 40);
        Fixtures.png(images.resolve("b.png"), 200);
        robot.interact(() -> fx.window.select(ScoreView.TITLE));
        ScoreView score = fx.window.view(ScoreView.TITLE);
        robot.interact(() -> {
            score.addFiles(List.of(images));
            score.setBundle(dir);
        });
        fx.settle();
        robot.interact(score::startScoring);
        fx.settle();
        robot.clickOn("#scoreSaliencyToggle");
        Button explain = robot.lookup("#scoreSaliencyExplain").queryAs(Button.class);
        assertTrue(explain.isDisabled(), "nothing selected yet");
        robot.interact(() -> score.table().getSelectionModel().clearAndSelect(0));
        assertFalse(explain.isDisabled());
        assertEquals(dir.toString(), robot.lookup("#scoreSaliencyModel").queryAs(TextField.class).getText(),
                "the Score view's bundle is the saliency model");
        robot.clickOn("#scoreSaliencyExplain");
        fx.settle();
        FxTestSupport.waitFor(() -> score.saliency().result() != null);
        assertArrayEquals(score.saliency().result().occlusion(), score.saliency().overlay().values(),
                "attribution by default");
        assertTrue(score.saliency().status().getText().contains("score 3.250"), score.saliency().status().getText());
        robot.clickOn("#scoreSaliencyRollout");
        assertArrayEquals(score.saliency().result().rollout(), score.saliency().overlay().values());
        robot.interact(() -> score.saliency().overlay().opacity().setValue(0.9));
        shot(robot, "score-saliency.png");
        robot.interact(() -> score.table().getSelectionModel().clearAndSelect(1));
        assertNull(score.saliency().result(), "another image drops the old map");
        assertNotNull(score.saliency().overlay());
    }
}
