package dev.rali.engine.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DatasetCommandTest {
    @TempDir
    Path dir;

    private Path dataset() throws Exception {
        Path d = Files.createDirectories(dir.resolve("ds"));
        StringBuilder csv = new StringBuilder("img,q\n");
        for (int i = 0; i < 6; i++) {
            BufferedImage img = new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB);
            img.setRGB(0, 0, i * 1000 + 7);
            ImageIO.write(img, "png", d.resolve(i + ".png").toFile());
            csv.append(i).append(".png,").append(i * 20).append('\n');
        }
        csv.append("gone.png,50\n");
        return Files.writeString(d.resolve("scores.csv"), csv.toString());
    }

    @Test
    void importListShow() throws Exception {
        Path project = dir.resolve("proj/p.rali");
        Path csv = dataset();
        CliRun.Result imp = CliRun.exec("dataset", "import", "--project", project.toString(), "--layout", "csv", "--name", "mine",
                "--columns", "image=img,score=q", "--range", "0:100", "--split-seed", "3", "--quiet", csv.toString());
        assertEquals(0, imp.code(), imp.err());
        assertTrue(imp.out().contains("imported:         6"), imp.out());
        assertTrue(imp.out().contains("scores.csv:8: gone.png: image file not found"), imp.out());
        assertTrue(Files.exists(project), "project created");

        CliRun.Result list = CliRun.exec("dataset", "list", "--project", project.toString());
        assertEquals(0, list.code(), list.err());
        assertTrue(list.out().contains("mine") && list.out().contains("csv") && list.out().contains("0.000..100.0"), list.out());

        CliRun.Result show = CliRun.exec("dataset", "show", "--project", project.toString(), "--name", "mine");
        assertEquals(0, show.code(), show.err());
        assertTrue(show.out().contains("images      6 (6 labelled)"), show.out());
        assertTrue(show.out().contains("generated, seed 3"), show.out());
        assertTrue(show.out().contains("histogram of normalised MOS"), show.out());

        CliRun.Result json = CliRun.exec("dataset", "show", "--project", project.toString(), "--name", "mine", "--json");
        assertEquals(0, json.code(), json.err());
        JsonNode n = new ObjectMapper().readTree(json.out());
        assertEquals(6, n.get("count").asInt());
        assertEquals(1.0, n.get("normalised").get("min").asDouble(), 1e-12);
        assertEquals(5.0, n.get("normalised").get("max").asDouble(), 1e-12);
        assertEquals(100.0, n.get("raw").get("max").asDouble(), 1e-12);

        CliRun.Result del = CliRun.exec("dataset", "delete", "--project", project.toString(), "--name", "mine");
        assertEquals(0, del.code(), del.err());
        assertTrue(del.out().contains("deleted dataset mine (6 images)"), del.out());
        assertTrue(CliRun.exec("dataset", "list", "--project", project.toString()).out().contains("no datasets"));
    }

    @Test
    void aTestFractionOfOnePutsEveryImageInTestForACrossDatasetSet() throws Exception {
        Path project = dir.resolve("whole/p.rali");
        CliRun.Result imp = CliRun.exec("dataset", "import", "--project", project.toString(), "--layout", "csv",
                "--name", "ood", "--columns", "image=img,score=q", "--range", "0:100", "--test-fraction", "1",
                "--quiet", dataset().toString());
        assertEquals(0, imp.code(), imp.err());
        JsonNode n = new ObjectMapper().readTree(CliRun.exec("dataset", "show", "--project", project.toString(),
                "--name", "ood", "--json").out());
        assertEquals(6, n.get("count").asInt());
        JsonNode splits = n.get("splits");
        assertEquals(6, splits.path("test").asInt(), splits.toString());
        assertEquals(1, splits.size(), "no train or validation image left: " + splits);
        // outside (0, 1] is refused with the range named
        CliRun.Result bad = CliRun.exec("dataset", "import", "--project", project.toString(), "--layout", "csv",
                "--name", "x", "--columns", "image=img,score=q", "--range", "0:100", "--test-fraction", "1.5",
                "--quiet", dir.resolve("ds/scores.csv").toString());
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("test fraction must be in (0, 1], got 1.5"), bad.err());
    }

    @Test
    void nothingImportedIsANonZeroExitAndErrorsNameTheProblem() throws Exception {
        Path project = dir.resolve("p.rali");
        Path csv = Files.writeString(Files.createDirectories(dir.resolve("e")).resolve("s.csv"), "image,score\nx.png,1\n");
        CliRun.Result r = CliRun.exec("dataset", "import", "--project", project.toString(), "--layout", "csv", "--name", "e", "--range", "1:5",
                "--quiet", csv.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("nothing imported"), r.err());
        CliRun.Result bad = CliRun.exec("dataset", "show", "--project", project.toString(), "--name", "zzz");
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("no dataset named 'zzz'"), bad.err());
        CliRun.Result noProject = CliRun.exec("dataset", "list", "--project", dir.resolve("none.rali").toString());
        assertEquals(1, noProject.code());
        assertTrue(noProject.err().contains("none.rali"), noProject.err());
    }

    @Test
    void showListsExcludedImagesAndRemoveImageDeletesThem() throws Exception {
        Path project = dir.resolve("proj/p.rali");
        Path csv = dataset();
        assertEquals(0, CliRun.exec("dataset", "import", "--project", project.toString(), "--layout", "csv", "--name",
                "mine", "--columns", "image=img,score=q", "--range", "0:100", "--quiet", csv.toString()).code());
        try (var store = dev.rali.engine.project.ProjectStore.open(project)) {
            dev.rali.engine.project.ImageExclusions.markUnreadable(store,
                    java.util.Map.of(dir.resolve("ds").resolve("2.png").toAbsolutePath(), "truncated PNG"));
        }
        CliRun.Result show = CliRun.exec("dataset", "show", "--project", project.toString(), "--name", "mine");
        assertTrue(show.out().contains("excluded    1 image(s)"), show.out());
        assertTrue(show.out().contains("  2.png: unreadable: truncated PNG"), show.out());

        CliRun.Result none = CliRun.exec("dataset", "remove-image", "--project", project.toString(), "--dataset", "mine");
        assertEquals(1, none.code());
        assertTrue(none.err().contains("name the images to remove, or pass --excluded"), none.err());

        CliRun.Result rm = CliRun.exec("dataset", "remove-image", "--project", project.toString(), "--dataset", "mine",
                "--excluded", "4.png");
        assertEquals(0, rm.code(), rm.err());
        assertTrue(rm.out().contains("removed 2 image(s) from dataset mine"), rm.out());
        show = CliRun.exec("dataset", "show", "--project", project.toString(), "--name", "mine");
        assertTrue(show.out().contains("images      4 (4 labelled)"), show.out());
        assertTrue(!show.out().contains("excluded"), show.out());
    }
}
