package dev.rali.engine.dataset;

import java.nio.file.Path;
import java.util.Map;

/**
 * What to import.
 *
 * @param name          dataset name inside the project (unique)
 * @param layout        a registered layout name ({@link DatasetLayouts})
 * @param source        the downloaded folder, or the metadata file itself (CSV, JSON, xlsx, .mat folder)
 * @param splitSeed     seed of a generated split (used only when the dataset has no official split); null = 42
 * @param columns       column overrides, keys image, score, std, split, reference, distortion (csv layout; also
 *                      score= for KonIQ's MOS_zscore or AGIQA's mos_align)
 * @param scale         score range and direction for layouts without a nominal one (csv, deqa without
 *                      gt_score_norm); null = layout default (csv: observed min/max, higher better)
 * @param observedRange rescale with the observed min/max instead of the nominal range
 * @param imageRoot     where image paths are relative to, when not beside the metadata (deqa, csv); may be null
 * @param verifyDecode  fully decode every image (slower) instead of only reading its header
 * @param testFraction  fraction of images (or reference groups) put in "test" by a generated split
 * @param allowOutsideRoot import rows whose image path leads outside the dataset folder (or the image root);
 *                      refused by default, so a metadata file cannot make the importer read arbitrary files
 */
public record ImportRequest(String name, String layout, Path source, Long splitSeed, Map<String, String> columns,
                            MosScale scale, boolean observedRange, Path imageRoot, boolean verifyDecode,
                            double testFraction, boolean allowOutsideRoot) {
    public static final long DEFAULT_SEED = 42;

    public ImportRequest {
        columns = columns == null ? Map.of() : Map.copyOf(columns);
        // 1 = the whole dataset is a test set (a cross-dataset test set, as in the paper)
        if (!(testFraction > 0 && testFraction <= 1)) {
            throw new IllegalArgumentException("test fraction must be in (0, 1], got " + testFraction);
        }
    }

    /** The common case: defaults for everything but the essentials. */
    public static ImportRequest of(String name, String layout, Path source) {
        return new ImportRequest(name, layout, source, null, Map.of(), null, false, null, false, 0.2, false);
    }

    public ImportRequest withSplitSeed(Long seed) {
        return new ImportRequest(name, layout, source, seed, columns, scale, observedRange, imageRoot, verifyDecode,
                testFraction, allowOutsideRoot);
    }

    public ImportRequest withColumns(Map<String, String> cols) {
        return new ImportRequest(name, layout, source, splitSeed, cols, scale, observedRange, imageRoot, verifyDecode,
                testFraction, allowOutsideRoot);
    }

    public ImportRequest withScale(MosScale s) {
        return new ImportRequest(name, layout, source, splitSeed, columns, s, observedRange, imageRoot, verifyDecode,
                testFraction, allowOutsideRoot);
    }

    public ImportRequest withObservedRange(boolean observed) {
        return new ImportRequest(name, layout, source, splitSeed, columns, scale, observed, imageRoot, verifyDecode,
                testFraction, allowOutsideRoot);
    }

    public ImportRequest withImageRoot(Path root) {
        return new ImportRequest(name, layout, source, splitSeed, columns, scale, observedRange, root, verifyDecode,
                testFraction, allowOutsideRoot);
    }

    public ImportRequest withVerifyDecode(boolean verify) {
        return new ImportRequest(name, layout, source, splitSeed, columns, scale, observedRange, imageRoot, verify,
                testFraction, allowOutsideRoot);
    }

    public ImportRequest withAllowOutsideRoot(boolean allow) {
        return new ImportRequest(name, layout, source, splitSeed, columns, scale, observedRange, imageRoot, verifyDecode,
                testFraction, allow);
    }

    long seed() {
        return splitSeed == null ? DEFAULT_SEED : splitSeed;
    }

    String column(String key, String fallback) {
        String v = columns.get(key);
        return v == null || v.isBlank() ? fallback : v.strip();
    }
}
