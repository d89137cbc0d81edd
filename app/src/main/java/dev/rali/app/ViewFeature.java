package dev.rali.app;

import dev.rali.app.views.AppView;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * The {@link AppFeature} of a view, from its id, title, order, constructor and services: a view's nested
 * {@code Feature} is one constructor call instead of five overridden methods.
 * <pre>
 *   public static final class Feature extends ViewFeature {
 *       public Feature() {
 *           super("score", TITLE, 60, ScoreView::new, ScorerFactory.class);
 *       }
 *   }
 * </pre>
 * Subclasses keep the public no-argument constructor {@link java.util.ServiceLoader} needs.
 */
public abstract class ViewFeature implements AppFeature {
    private final String id;
    private final String title;
    private final int order;
    private final Function<AppContext, AppView> create;
    private final Set<Class<?>> services;

    protected ViewFeature(String id, String title, int order, Function<AppContext, AppView> create,
                          Class<?>... services) {
        this.id = Objects.requireNonNull(id, "id");
        this.title = Objects.requireNonNull(title, "title");
        this.order = order;
        this.create = Objects.requireNonNull(create, "create");
        this.services = Set.of(services);
    }

    @Override
    public final String id() {
        return id;
    }

    @Override
    public final String title() {
        return title;
    }

    @Override
    public final int order() {
        return order;
    }

    @Override
    public final Set<Class<?>> services() {
        return services;
    }

    @Override
    public final AppView createView(AppContext ctx) {
        return create.apply(ctx);
    }
}
