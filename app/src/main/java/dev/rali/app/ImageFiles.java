package dev.rali.app;

import dev.rali.engine.image.ImageLoader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Expands dropped files and folders into the files to score. Folders go through the engine's
 * {@link ImageLoader#listImages} (recursive, sorted, hidden files skipped: the same set {@code rali score} takes);
 * files dropped one by one are kept even when they are not images, so the table says why they cannot be scored
 * instead of silently ignoring them.
 */
public final class ImageFiles {
    private ImageFiles() { }

    public static boolean isImageFile(Path p) {
        return ImageLoader.isImageFile(p);
    }

    public static List<Path> expand(List<Path> filesOrFolders) {
        List<Path> out = new ArrayList<>();
        for (Path p : filesOrFolders) {
            if (Files.isDirectory(p)) {
                try {
                    out.addAll(ImageLoader.listImages(List.of(p)));
                } catch (IOException e) {
                    throw new UncheckedIOException(p + ": cannot list folder: " + e.getMessage(), e);
                }
            } else {
                out.add(p.toAbsolutePath().normalize());
            }
        }
        return out;
    }
}
