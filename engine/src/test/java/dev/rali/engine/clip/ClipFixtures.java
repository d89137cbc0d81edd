package dev.rali.engine.clip;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/** Paths of the CLIP fixtures under src/test/resources/fixtures (made by bench/make_clip_fixtures.py). */
final class ClipFixtures {
    private ClipFixtures() { }

    static Path dir(String name) {
        URL url = ClipFixtures.class.getResource("/fixtures/" + name + "/config.json");
        if (url == null) {
            throw new IllegalStateException("test resource fixtures/" + name + " missing");
        }
        try {
            return Path.of(url.toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
