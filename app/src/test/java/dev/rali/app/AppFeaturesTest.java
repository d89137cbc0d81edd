package dev.rali.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rali.app.views.AppView;
import dev.rali.app.wiring.AppWiring;
import dev.rali.engine.pipeline.PipelineService;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AppFeaturesTest {
    @TempDir Path dir;

    /** Claims the Score view's title: two entries with one title could not both be navigated to. */
    public static final class SecondScore implements AppFeature {
        @Override
        public String id() {
            return "score-two";
        }

        @Override
        public String title() {
            return "Score";
        }

        @Override
        public int order() {
            return 99;
        }

        @Override
        public AppView createView(AppContext ctx) {
            throw new AssertionError("never built");
        }
    }

    @Test
    void twoFeaturesWithOneTitleAreRefusedNamingBoth() throws Exception {
        Path services = dir.resolve("META-INF/services/" + AppFeature.class.getName());
        Files.createDirectories(services.getParent());
        Files.writeString(services, SecondScore.class.getName() + "\n");
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
            var e = assertThrows(IllegalStateException.class, () -> AppFeatures.discover(loader));
            assertTrue(e.getMessage().contains("ScoreView$Feature") && e.getMessage().contains("SecondScore")
                    && e.getMessage().contains("title 'Score'"), e.getMessage());
        }
    }

    @Test
    void theRealWiringProvidesEveryServiceARegisteredViewNeeds() {
        AppServices wired = AppWiring.services();
        for (AppFeature f : AppFeatures.discover()) {
            for (Class<?> type : f.services()) {
                assertTrue(wired.has(type), f.id() + " needs " + type.getName() + " but AppWiring does not provide it");
                assertTrue(type.isInstance(wired.get(type)));
            }
        }
        assertTrue(AppFeatures.discover().stream().anyMatch(f -> f.services().contains(PipelineService.class)));
    }

    @Test
    void servicesAreLookedUpByTypeAndAbsentOnesAreNull() {
        ScorerFactory scorer = bundle -> {
            throw new UnsupportedOperationException();
        };
        AppServices s = AppServices.builder().with(ScorerFactory.class, scorer).with(PipelineService.class, null).build();
        assertEquals(scorer, s.get(ScorerFactory.class));
        assertEquals(null, s.get(PipelineService.class));
        assertEquals(Set.of(ScorerFactory.class), s.types());
        assertEquals(List.of(), List.copyOf(AppServices.none().types()));
    }
}
