package dev.rali.app;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The engine services the views call, keyed by their interface type: {@link AppWiring} registers the real ones,
 * tests register fakes for just the services they exercise. A view whose service is absent says so instead of
 * failing. Each {@link AppFeature} declares which types it needs.
 *
 * <p>Service types today: {@link SampleProjectSource}, {@link DatasetImportAction}, {@link ScorerFactory}, {@link BundleExportAction} and the
 * engine's {@link dev.rali.engine.pipeline.PipelineService}.
 */
public final class AppServices {
    private final Map<Class<?>, Object> services;

    private AppServices(Map<Class<?>, Object> services) {
        this.services = Map.copyOf(services);
    }

    public static Builder builder() {
        return new Builder();
    }

    public static AppServices none() {
        return builder().build();
    }

    /** The registered implementation of {@code type}, or null when this build (or test) has none. */
    public <S> S get(Class<S> type) {
        return type.cast(services.get(type));
    }

    public boolean has(Class<?> type) {
        return services.containsKey(type);
    }

    public Set<Class<?>> types() {
        return services.keySet();
    }

    /**
     * Frees what services keep open between calls (opened model bundles: {@link dev.rali.engine.task.Releasable});
     * called when the project changes and at exit. The services stay usable: they open again on their next call.
     */
    public void releaseAll() {
        for (Object s : new java.util.LinkedHashSet<>(services.values())) {
            if (s instanceof dev.rali.engine.task.Releasable r) {
                r.release();
            }
        }
    }

    public static final class Builder {
        private final Map<Class<?>, Object> services = new LinkedHashMap<>();

        private Builder() { }

        /** Registers {@code impl} as the {@code type} service; a null impl leaves the service absent. */
        public <S> Builder with(Class<S> type, S impl) {
            Objects.requireNonNull(type, "type");
            if (impl != null) {
                services.put(type, type.cast(impl));
            }
            return this;
        }

        public AppServices build() {
            return new AppServices(services);
        }
    }
}
