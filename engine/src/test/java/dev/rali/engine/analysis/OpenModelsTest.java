package dev.rali.engine.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Models opened once per folder, kept open between requests, closed on release (in use: when returned). */
class OpenModelsTest {
    static final class Model implements AutoCloseable {
        final Path dir;
        boolean closed;

        Model(Path dir) {
            this.dir = dir;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    final List<Model> made = new ArrayList<>();
    final OpenModels<Model> models = new OpenModels<>(dir -> {
        Model m = new Model(dir);
        made.add(m);
        return m;
    }, 2);

    @Test
    void aSecondRequestOnTheSameFolderOpensNothing() throws Exception {
        Model first;
        try (var a = models.acquire(Path.of("bundles/vit-l"))) {
            first = a.model();
        }
        try (var b = models.acquire(Path.of("bundles/x/../vit-l"))) {
            assertSame(first, b.model(), "the same folder, spelled differently");
        }
        assertEquals(1, models.opened());
        assertFalse(first.closed, "kept open for the next request");
    }

    @Test
    void releaseClosesIdleModelsAndAModelInUseWhenItsLeaseIsReturned() throws Exception {
        try (var idle = models.acquire(Path.of("a"))) {
            idle.model();
        }
        var busy = models.acquire(Path.of("b"));
        models.release();
        assertTrue(made.get(0).closed, "idle: closed at once");
        assertFalse(made.get(1).closed, "in use: not closed under its user");
        busy.close();
        assertTrue(made.get(1).closed, "closed when returned");
        busy.close(); // returning twice changes nothing
        assertEquals(0, models.size());
        try (var again = models.acquire(Path.of("a"))) {
            assertFalse(again.model().closed, "opened anew after a release");
        }
        assertEquals(3, models.opened());
    }

    @Test
    void beyondCapacityTheLeastRecentlyUsedIdleModelIsClosed() throws Exception {
        models.acquire(Path.of("a")).close();
        models.acquire(Path.of("b")).close();
        models.acquire(Path.of("a")).close(); // a is now the most recently used
        models.acquire(Path.of("c")).close();
        assertEquals(2, models.size());
        assertFalse(made.get(0).closed, "a");
        assertTrue(made.get(1).closed, "b: least recently used");
        assertFalse(made.get(2).closed, "c");
    }
}
