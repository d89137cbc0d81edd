package dev.rali.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFilesTest {
    @TempDir Path dir;

    @Test
    void foldersExpandRecursivelyToVisibleImagesInPathOrderAndFilesAreKept() throws Exception {
        Files.createDirectories(dir.resolve("a/b"));
        Files.writeString(dir.resolve("a/z.JPG"), "");
        Files.writeString(dir.resolve("a/b/y.png"), "");
        Files.writeString(dir.resolve("a/readme.txt"), "");
        Files.writeString(dir.resolve("a/.hidden.png"), "");
        Path loose = Files.writeString(dir.resolve("loose.txt"), "");
        assertEquals(List.of(dir.resolve("a/b/y.png"), dir.resolve("a/z.JPG"), loose),
                ImageFiles.expand(List.of(dir.resolve("a"), loose)));
    }

    @Test
    void aMissingPathIsKeptSoTheScorerReportsItByName() {
        // a path that does not exist is kept as a file so the scorer reports it by name
        assertEquals(List.of(dir.resolve("gone.png")), ImageFiles.expand(List.of(dir.resolve("gone.png"))));
    }
}
