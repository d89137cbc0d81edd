package dev.rali.engine.dataset;

import dev.rali.engine.image.ImageLoader;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static dev.rali.engine.dataset.LayoutSupport.*;

/** The {@code folder} layout; files, scale and split as in docs/DATASETS.md. */
public final class FolderLayout implements DatasetLayout {
    @Override
    public String name() {
        return "folder";
    }

    @Override
    public String description() {
        return "a folder of images, unlabelled (for scoring)";
    }

    @Override
    public ParsedMetadata read(ImportRequest req, Path src) throws IOException {
        ParsedMetadata p = new ParsedMetadata();
        Path root = root(src);
        p.officialSplit = true; // scoring only: everything in "all"
        for (Path f : ImageLoader.listImages(List.of(src))) {
            String name = root.relativize(f).toString().replace('\\', '/');
            p.rows.add(new MetaRow(name, f, null, null, null, "all", null, null, name));
        }
        if (p.rows.isEmpty()) {
            throw new IOException(src + ": no image files found");
        }
        return p;
    }
}
