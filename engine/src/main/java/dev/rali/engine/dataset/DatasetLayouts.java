package dev.rali.engine.dataset;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * The registry of {@link DatasetLayout}s, loaded once with {@link ServiceLoader} from
 * {@code META-INF/services/dev.rali.engine.dataset.DatasetLayout}, in the order listed there (the first is the
 * wizard's default).
 */
public final class DatasetLayouts {
    private static final Map<String, DatasetLayout> BY_NAME = load();

    private DatasetLayouts() { }

    private static Map<String, DatasetLayout> load() {
        Map<String, DatasetLayout> m = new LinkedHashMap<>();
        for (DatasetLayout l : ServiceLoader.load(DatasetLayout.class, DatasetLayout.class.getClassLoader())) {
            String name = l.name();
            if (!name.equals(name.toLowerCase(Locale.ROOT)) || name.isBlank()) {
                throw new IllegalStateException(l.getClass().getName() + ": layout name '" + name
                        + "' must be non-empty lower case");
            }
            DatasetLayout old = m.putIfAbsent(name, l);
            if (old != null) {
                throw new IllegalStateException("two dataset layouts are named '" + name + "': "
                        + old.getClass().getName() + " and " + l.getClass().getName());
            }
        }
        if (m.isEmpty()) {
            throw new IllegalStateException("no dataset layouts registered (META-INF/services/"
                    + DatasetLayout.class.getName() + " missing from the class path)");
        }
        return Collections.unmodifiableMap(m);
    }

    /** Every registered layout, in registration order. */
    public static List<DatasetLayout> all() {
        return List.copyOf(BY_NAME.values());
    }

    /** The registered names, in registration order. */
    public static List<String> names() {
        return List.copyOf(BY_NAME.keySet());
    }

    /** The layout of that name (case-insensitive); an IllegalArgumentException listing the known ones otherwise. */
    public static DatasetLayout get(String name) {
        DatasetLayout l = name == null ? null : BY_NAME.get(name.toLowerCase(Locale.ROOT));
        if (l == null) {
            throw new IllegalArgumentException("unknown layout '" + name + "'; known: " + String.join(", ", names()));
        }
        return l;
    }

    /** One line per layout, "name — description", for help texts. */
    public static List<String> describe() {
        List<String> out = new ArrayList<>();
        for (DatasetLayout l : BY_NAME.values()) {
            out.add(l.name() + " - " + l.description());
        }
        return out;
    }

    /** The names as picocli completion candidates, so {@code --layout}'s help lists exactly the registered ones. */
    public static final class Names implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return names().iterator();
        }
    }
}
