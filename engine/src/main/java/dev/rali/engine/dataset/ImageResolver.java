package dev.rali.engine.dataset;

import dev.rali.engine.image.ImageLoader;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Finds the file a metadata row names. Tries the preferred sub-folders first (exact name), then falls back to a
 * case-insensitive index of every image under the root by relative path and by file name (TID2013 copies differ
 * in case; users re-organise folders). A file name found in two places is ambiguous and resolves to nothing.
 */
final class ImageResolver {
    private final Path root;
    private final List<Path> preferred;
    private Map<String, Path> byRelative;
    private Map<String, Path> byName;

    ImageResolver(Path root, String... preferredDirs) {
        this.root = root;
        this.preferred = new ArrayList<>();
        for (String d : preferredDirs) {
            Path p = d.isEmpty() ? root : root.resolve(d);
            if (Files.isDirectory(p)) {
                preferred.add(p);
            }
        }
        if (preferred.isEmpty()) {
            preferred.add(root);
        }
    }

    /** The file, or null when none (or the name cannot be a path on this system, e.g. holds a NUL). */
    Path resolve(String name) throws IOException {
        try {
            return find(name);
        } catch (InvalidPathException e) {
            return null;
        }
    }

    private Path find(String name) throws IOException {
        String clean = name.replace('\\', '/').strip();
        while (clean.startsWith("./")) {
            clean = clean.substring(2);
        }
        for (Path dir : preferred) {
            Path p = dir.resolve(clean);
            if (Files.isRegularFile(p)) {
                return p.toAbsolutePath().normalize();
            }
        }
        Path direct = Path.of(clean);
        if (direct.isAbsolute() && Files.isRegularFile(direct)) {
            return direct.normalize();
        }
        index();
        String key = clean.toLowerCase(Locale.ROOT);
        Path hit = byRelative.get(key);
        if (hit != null) {
            return hit;
        }
        int slash = key.lastIndexOf('/');
        return byName.get(slash >= 0 ? key.substring(slash + 1) : key);
    }

    private void index() throws IOException {
        if (byName != null) {
            return;
        }
        byRelative = new HashMap<>();
        byName = new HashMap<>();
        Map<String, Integer> counts = new HashMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s.filter(Files::isRegularFile).filter(ImageLoader::isImageFile)::iterator) {
                Path abs = p.toAbsolutePath().normalize();
                String rel = root.relativize(p).toString().replace('\\', '/').toLowerCase(Locale.ROOT);
                byRelative.put(rel, abs);
                for (Path dir : preferred) {
                    if (p.startsWith(dir)) {
                        byRelative.putIfAbsent(dir.relativize(p).toString().replace('\\', '/').toLowerCase(Locale.ROOT), abs);
                    }
                }
                String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
                counts.merge(n, 1, Integer::sum);
                byName.put(n, abs);
            }
        }
        counts.forEach((n, c) -> {
            if (c > 1) {
                byName.remove(n);
            }
        });
    }
}
