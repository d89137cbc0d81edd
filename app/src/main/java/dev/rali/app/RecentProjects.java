package dev.rali.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.prefs.BackingStoreException;
import java.util.prefs.Preferences;

/** Recently opened projects, newest first, kept in {@link Preferences} (max {@value #MAX}). */
public final class RecentProjects {
    static final int MAX = 10;
    private final Preferences prefs;

    public RecentProjects(Preferences prefs) {
        this.prefs = prefs;
    }

    public static RecentProjects user() {
        return new RecentProjects(Preferences.userNodeForPackage(RecentProjects.class).node("recent"));
    }

    /** Existing project files, newest first (entries whose file vanished are skipped). */
    public List<Path> list() {
        List<Path> out = new ArrayList<>();
        for (int i = 0; i < MAX; i++) {
            String p = prefs.get("p" + i, null);
            if (p != null && Files.exists(Path.of(p))) {
                out.add(Path.of(p));
            }
        }
        return out;
    }

    public void add(Path file) {
        List<String> all = new ArrayList<>();
        all.add(file.toAbsolutePath().normalize().toString());
        for (int i = 0; i < MAX; i++) {
            String p = prefs.get("p" + i, null);
            if (p != null && !all.contains(p)) {
                all.add(p);
            }
        }
        for (int i = 0; i < MAX; i++) {
            if (i < all.size()) {
                prefs.put("p" + i, all.get(i));
            } else {
                prefs.remove("p" + i);
            }
        }
        try {
            prefs.flush();
        } catch (BackingStoreException e) {
            // Preferences are a convenience; a read-only home must not stop the app.
        }
    }
}
