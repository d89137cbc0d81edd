package dev.rali.engine.dataset;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** What a {@link DatasetLayout} read: rows plus how to normalise and split them. */
final class ParsedMetadata {
    final List<MetaRow> rows = new ArrayList<>();
    /** nominal range; null = use observed min/max */
    MosScale scale;
    /** rows carry an official split */
    boolean officialSplit;
    /** a generated split groups by reference image */
    boolean splitByReference;
    /** names always put in train (LIVE Challenge's 7 study-training images) */
    final Set<String> forcedTrain = new HashSet<>();
    final List<String> malformed = new ArrayList<>();
    final List<String> notes = new ArrayList<>();
    /** the metadata file(s) read, for the datasets.source_path record */
    final List<Path> metadataFiles = new ArrayList<>();
    /** the folder every image must lie in (the dataset folder or the image root); null = not checked */
    Path imageRoot;

    /** The resolver for image names under root; root becomes the folder images may not leave. */
    ImageResolver resolver(Path root, String... preferredDirs) {
        imageRoot = root.toAbsolutePath().normalize();
        return new ImageResolver(root, preferredDirs);
    }
}
