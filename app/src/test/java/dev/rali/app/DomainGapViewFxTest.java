package dev.rali.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rali.app.views.DatasetsView;
import dev.rali.app.views.DomainGapView;
import dev.rali.app.views.MapCanvas;
import dev.rali.engine.analysis.DomainGapResult;
import dev.rali.engine.analysis.ProjectSpaces;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import javafx.geometry.Point2D;
import javafx.scene.control.CheckMenuItem;
import javafx.scene.control.Label;
import javafx.scene.control.MenuButton;
import javafx.stage.Stage;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.w3c.dom.Document;

/** The Domain-gap view over a two-dataset fixture project with a fast analysis service (real DomainGap numbers). */
@ExtendWith(ApplicationExtension.class)
class DomainGapViewFxTest {
    @TempDir Path dir;
    final FxTestSupport fx = new FxTestSupport();
    final AnalysisFixtures.FakeAnalysis analysis = new AnalysisFixtures.FakeAnalysis();

    @Start
    void start(Stage stage) {
        stage.setWidth(1400);
        stage.setHeight(900);
        fx.start(stage, AppServices.builder().with(dev.rali.engine.analysis.EmbeddingAnalysisService.class, analysis)
                .build());
    }

    @AfterEach
    void stop() throws Exception {
        fx.stop();
    }

    private DomainGapView openView(FxRobot robot) throws Exception {
        fx.open(robot, AnalysisFixtures.project(dir));
        robot.interact(() -> fx.window.select(DomainGapView.TITLE));
        DomainGapView v = fx.window.view(DomainGapView.TITLE);
        FxTestSupport.waitFor(() -> !v.panels().isEmpty()); // a small project is computed when first shown
        fx.settle();
        assertEquals(List.of("base"), v.panels().stream().map(p -> p.outcome.space().label()).toList(),
                "on open only the base space (cached embeddings) is computed");
        assertTrue(v.statusLabel().getText().contains("tick more spaces"), v.statusLabel().getText());
        robot.interact(v::compute); // the ticked spaces: base and text
        fx.settle();
        return v;
    }

    @Test
    void aSmallProjectOpensOnItsMapsWithTheNumbersUnderEachAndAFailedSpaceSaysWhy(FxRobot robot) throws Exception {
        DomainGapView v = openView(robot);
        assertEquals(2, v.panels().size(), "base and text are ticked by default");
        DomainGapView.Panel base = v.panels().get(0);
        DomainGapResult r = base.outcome.result();
        assertNotNull(r);
        assertEquals(6, base.map.size());
        assertEquals(List.of("koniq", "spaq"), analysis.lastDatasets);
        String numbers = base.numbers.getText();
        assertTrue(numbers.startsWith("6 images · 3-d · 2 dataset(s)"), numbers);
        assertTrue(numbers.contains(String.format(Locale.ROOT, "MMD² koniq–spaq %.4f", r.mmd().get(0).mmd2())),
                numbers);
        assertTrue(numbers.contains(String.format(Locale.ROOT, "trustworthiness@1 %.3f", r.map().trustworthiness())),
                numbers);
        if (r.classifier() != null) {
            assertTrue(numbers.contains(String.format(Locale.ROOT, "accuracy %.3f (chance %.3f",
                    r.classifier().accuracy(), r.classifier().chance())), numbers);
        }
        assertTrue(base.map.title().startsWith("base — base CLIP"), base.map.title());
        DomainGapView.Panel text = v.panels().get(1);
        assertNull(text.outcome.result());
        assertTrue(text.numbers.getText().contains("no images with reasoning traces"), text.numbers.getText());
        assertTrue(v.statusLabel().getText().contains("1 space(s) mapped, 1 could not be computed"),
                v.statusLabel().getText());
    }

    @Test
    void coloursFollowDatasetMosAndTheRunsPredictions(FxRobot robot) throws Exception {
        DomainGapView v = openView(robot);
        MapCanvas map = v.panels().get(0).map;
        assertEquals(List.of("koniq", "spaq"), map.legend().names());
        Set<javafx.scene.paint.Color> byDataset = new java.util.HashSet<>();
        for (int i = 0; i < map.size(); i++) {
            byDataset.add(map.colour(i));
        }
        assertEquals(2, byDataset.size());

        robot.interact(() -> v.colourBy().getSelectionModel().select("MOS"));
        assertTrue(map.legend().continuous());
        assertEquals(1.5, map.legend().min(), 1e-9);
        assertEquals(4.0, map.legend().max(), 1e-9);
        int lowest = indexOf(v, "a.png");
        assertEquals(MapCanvas.ramp(0), map.colour(lowest));

        // the fixture's run 2 (encoder + head recorded) is chosen; its predictions colour the map
        assertEquals(2L, v.runChoice().getValue().id());
        robot.interact(() -> v.colourBy().getSelectionModel().select("predicted score"));
        assertTrue(map.legend().continuous());
        assertEquals(1.7, map.legend().min(), 1e-9, "a.png: MOS 1.5, predicted 1.7");
        assertEquals(3.9, map.legend().max(), 1e-9, "f.png: MOS 4.0, predicted 3.9");
        assertEquals("predicted score (run 2)", map.legend().title());
        robot.interact(() -> {
            v.runChoice().getSelectionModel().select(0); // no run
            v.compute();
        });
        fx.settle();
        MapCanvas again = v.panels().get(0).map;
        assertEquals(List.of("no predictions (choose a run)"), again.legend().names());

        robot.interact(() -> v.colourBy().getSelectionModel().select("split"));
        assertEquals(Set.of("train", "test"), Set.copyOf(again.legend().names()));
        robot.interact(() -> v.colourBy().getSelectionModel().select("trace source"));
        assertEquals(List.of("model"), again.legend().names());
    }

    private static int indexOf(DomainGapView v, String name) {
        DomainGapView.Panel p = v.panels().get(0);
        for (int i = 0; i < p.map.size(); i++) {
            if (p.id(i).endsWith(name)) {
                return i;
            }
        }
        throw new AssertionError(name + " not on the map");
    }

    @Test
    void hoverShowsTheImageAndItsReasoning(FxRobot robot) throws Exception {
        DomainGapView v = openView(robot);
        MapCanvas map = v.panels().get(0).map;
        int c = indexOf(v, "c.png");
        Point2D at = map.localToScreen(map.screenPoint(c));
        robot.moveTo(at.add(3, 3)).moveTo(at);
        FxTestSupport.waitFor(() -> v.pointInfoLabel().getText().startsWith("c.png"));
        assertTrue(v.pointInfoLabel().getText().contains("koniq · split train"), v.pointInfoLabel().getText());
        assertTrue(v.pointInfoLabel().getText().contains("MOS 2.50 · predicted 2.70"), v.pointInfoLabel().getText());
        assertEquals("think", v.reasoningLabel().getText(), "the fixture's traces think 'think'");
    }

    @Test
    void aBoxSelectionIsLinkedAcrossMapsAndOpensInTheDatasetGrid(FxRobot robot) throws Exception {
        DomainGapView v = openView(robot);
        MapCanvas map = v.panels().get(0).map;
        // a box around the spaq points; a 6-point t-SNE map can put a koniq point inside it too, so the expected
        // selection is every point whose drawn position lies in the box (always at least e and f)
        int e = indexOf(v, "e.png");
        int f = indexOf(v, "f.png");
        Point2D pe = map.screenPoint(e);
        Point2D pf = map.screenPoint(f);
        double x0 = Math.min(pe.getX(), pf.getX()) - 6;
        double y0 = Math.min(pe.getY(), pf.getY()) - 6;
        double x1 = Math.max(pe.getX(), pf.getX()) + 6;
        double y1 = Math.max(pe.getY(), pf.getY()) + 6;
        Set<Integer> inBox = new java.util.TreeSet<>();
        for (int i = 0; i < map.size(); i++) {
            Point2D q = map.screenPoint(i);
            if (q.getX() >= x0 && q.getX() <= x1 && q.getY() >= y0 && q.getY() <= y1) {
                inBox.add(i);
            }
        }
        assertTrue(inBox.containsAll(Set.of(e, f)));
        List<String> names = inBox.stream().map(i -> {
            String id = v.panels().get(0).id(i);
            return id.substring(id.lastIndexOf('/') + 1);
        }).sorted().toList();
        Point2D from = map.localToScreen(x0, y0);
        Point2D to = map.localToScreen(x1, y1);
        robot.drag(from, javafx.scene.input.MouseButton.PRIMARY).moveTo(from.midpoint(to)).moveTo(to).release(
                javafx.scene.input.MouseButton.PRIMARY);
        fx.settle();
        assertEquals(inBox, Set.copyOf(map.selected()));
        assertEquals(names, v.selectionList().getItems().stream()
                .map(DomainGapView.PointInfo::name).sorted().toList());
        Label count = robot.lookup("#gapSelectionCount").queryAs(Label.class);
        assertTrue(count.getText().startsWith(inBox.size() + " point(s) selected: "), count.getText());
        assertTrue(count.getText().contains("spaq 2"), count.getText());

        robot.clickOn("#gapOpenInDatasets");
        fx.settle();
        assertEquals(DatasetsView.TITLE, fx.window.root().lookup("#navigation") instanceof javafx.scene.control.ListView<?> l
                ? l.getSelectionModel().getSelectedItem() : null);
        DatasetsView d = fx.window.view(DatasetsView.TITLE);
        FxTestSupport.waitFor(() -> d.grid().getItems().size() == inBox.size());
        assertEquals(names, d.grid().getItems().stream().map(i -> i.name()).sorted().toList());
        Label shown = robot.lookup("#imageCount").queryAs(Label.class);
        assertTrue(shown.getText().startsWith(inBox.size() + " selected in the domain-gap map"), shown.getText());
    }

    @Test
    void oneDatasetStillDrawsTheMapAndSaysTheGapNumbersNeedTwo(FxRobot robot) throws Exception {
        DomainGapView v = openView(robot);
        MenuButton menu = robot.lookup("#gapDatasets").queryAs(MenuButton.class);
        robot.interact(() -> {
            CheckMenuItem spaq = (CheckMenuItem) menu.getItems().get(1);
            spaq.setSelected(false);
            v.spaceBoxes().get(ProjectSpaces.Space.TEXT).setSelected(false);
            v.compute();
        });
        fx.settle();
        assertEquals(List.of("koniq"), analysis.lastDatasets);
        assertEquals(1, v.panels().size());
        DomainGapView.Panel p = v.panels().get(0);
        assertEquals(4, p.map.size(), "the map is still drawn");
        assertTrue(p.numbers.getText().contains("need two datasets; only 'koniq' was given — the map is still drawn"),
                p.numbers.getText());
        assertFalse(p.numbers.getText().contains("domain classifier accuracy"));
    }

    @Test
    void cancelStopsTheComputationAndSaysSo(FxRobot robot) throws Exception {
        DomainGapView v = openView(robot);
        analysis.gate = new CountDownLatch(1);
        robot.interact(v::compute);
        FxTestSupport.waitFor(() -> !robot.lookup("#gapCancel").queryButton().isDisabled());
        robot.clickOn("#gapCancel");
        fx.settle();
        assertEquals("cancelled", v.statusLabel().getText());
        assertNull(v.job());
        assertFalse(robot.lookup("#gapCompute").queryButton().isDisabled());
        assertEquals(2, v.panels().size(), "the previous maps stay");
    }

    @Test
    void exportsCsvSvgAndPngOfWhatIsShown(FxRobot robot) throws Exception {
        DomainGapView v = openView(robot);
        robot.interact(() -> v.select(Set.of(v.panels().get(0).id(0))));
        Path csv = dir.resolve("out/gap.csv");
        Path svg = dir.resolve("out/gap.svg");
        Path png = dir.resolve("out/gap.png");
        Files.createDirectories(csv.getParent());
        robot.interact(() -> {
            v.export(csv, "csv");
            v.export(svg, "svg");
            v.export(png, "png");
        });
        List<String> rows = Files.readAllLines(csv);
        assertEquals("space,id,dataset,name,split,x,y,mos,predicted,trace_source,selected", rows.get(0));
        assertEquals(1 + 6, rows.size(), "one row per point of the one computed space");
        assertEquals(1, rows.stream().skip(1).filter(r -> r.endsWith(",1")).count(), "the selected point is marked");
        assertTrue(rows.stream().anyMatch(r -> r.contains(",koniq,a.png,train,") && r.contains(",1.500000,1.700000,model,")),
                String.join("\n", rows));

        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(Files.readAllBytes(svg)));
        assertEquals("svg", doc.getDocumentElement().getNodeName());
        // 6 points + 2 legend swatches; the failed text space contributes none
        assertEquals(8, doc.getElementsByTagName("circle").getLength());
        String text = Files.readString(svg, StandardCharsets.UTF_8);
        assertTrue(text.contains("trustworthiness@1"), "the numbers are part of the SVG");
        assertTrue(text.contains("no images with reasoning traces"), "and why the text space is missing");

        var image = ImageIO.read(png.toFile());
        assertNotNull(image);
        assertTrue(image.getWidth() > 400 && image.getHeight() > 300, image.getWidth() + "x" + image.getHeight());
    }
}
