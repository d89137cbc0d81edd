package dev.rali.app;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/** Finds the registered {@link AppFeature}s, in navigation order. */
public final class AppFeatures {
    private AppFeatures() { }

    /** The features registered on the app's class path. */
    public static List<AppFeature> discover() {
        return discover(AppFeature.class.getClassLoader());
    }

    /**
     * The features registered through {@code loader}, sorted by order then id.
     *
     * @throws IllegalStateException when two features share an id or a title (the navigation is keyed by title)
     */
    public static List<AppFeature> discover(ClassLoader loader) {
        List<AppFeature> found = new ArrayList<>();
        ServiceLoader.load(AppFeature.class, loader).forEach(found::add);
        found.sort(Comparator.comparingInt(AppFeature::order).thenComparing(AppFeature::id));
        Map<String, AppFeature> ids = new HashMap<>();
        Map<String, AppFeature> titles = new HashMap<>();
        for (AppFeature f : found) {
            AppFeature a = ids.putIfAbsent(f.id(), f);
            AppFeature b = titles.putIfAbsent(f.title(), f);
            if (a != null || b != null) {
                AppFeature other = a != null ? a : b;
                throw new IllegalStateException("app features " + other.getClass().getName() + " and "
                        + f.getClass().getName() + " both use " + (a != null ? "id '" + f.id() : "title '" + f.title())
                        + "'; each view needs its own");
            }
        }
        return List.copyOf(found);
    }
}
