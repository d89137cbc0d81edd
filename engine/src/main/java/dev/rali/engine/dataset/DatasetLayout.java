package dev.rali.engine.dataset;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;

/**
 * One dataset's native metadata format (KonIQ-10k's CSVs, CSIQ's xlsx, LIVE Challenge's .mat files, ...), read into
 * rows the {@link DatasetImporter} validates and stores. A new layout is one class implementing this interface in
 * this package plus one line in {@code META-INF/services/dev.rali.engine.dataset.DatasetLayout}; the importer, the
 * CLI's {@code --layout} help and the app's import wizard all take their list from {@link DatasetLayouts}.
 */
public interface DatasetLayout {
    /** The {@code --layout} name: lower case, unique among the registered layouts. */
    String name();

    /** One line for help texts: the dataset and the files it reads. */
    String description();

    /**
     * The {@code --columns} keys this layout understands (csv: image, score, ...; koniq and agiqa: score); any
     * other key is refused rather than silently ignored.
     */
    default Set<String> columnKeys() {
        return Set.of();
    }

    /**
     * Reads the metadata.
     *
     * @param req the import options (column overrides, scale, image root)
     * @param src the existing folder or metadata file, absolute and normalised
     */
    ParsedMetadata read(ImportRequest req, Path src) throws IOException;
}
