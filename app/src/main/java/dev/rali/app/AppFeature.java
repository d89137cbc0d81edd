package dev.rali.app;

import dev.rali.app.views.AppView;
import java.util.Set;

/**
 * One page of the workbench, registered in {@code META-INF/services/dev.rali.app.AppFeature} and discovered with
 * {@link java.util.ServiceLoader} (QuPath's extensions are the model): a new view adds a feature and a line in that
 * file, never an edit to {@link MainWindow}. Implementations need a public no-argument constructor.
 */
public interface AppFeature {

    /** Stable identifier (lower case, no spaces), e.g. "score". */
    String id();

    /** Title in the navigation and the View menu; unique among features. */
    String title();

    /** Position in the navigation, smallest first (the built-in views use 10, 20, 30, …). */
    int order();

    /** The service types (keys of {@link AppServices}) the view calls; it explains itself when one is missing. */
    default Set<Class<?>> services() {
        return Set.of();
    }

    /** Builds the view; called once per main window, on the FX thread. */
    AppView createView(AppContext ctx);
}
