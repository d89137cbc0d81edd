package dev.rali.engine;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where tests find the project's shared reference material ({@code ../shared} beside the checkout). */
public final class TestPaths {
    private TestPaths() { }

    /**
     * The shared/ folder: -Drali.shared or $RALI_SHARED if set, else the first {@code shared/fixtures} found walking
     * up from the working directory (works from a checkout, a worktree and CI's clean clone).
     */
    public static Path shared() {
        String explicit = System.getProperty("rali.shared", System.getenv("RALI_SHARED"));
        if (explicit != null) {
            return Path.of(explicit);
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("shared");
            if (Files.isDirectory(candidate.resolve("fixtures"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("cannot find ../shared (set -Drali.shared=PATH)");
    }

    public static Path shared(String relative) {
        return shared().resolve(relative);
    }
}
