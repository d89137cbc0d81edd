package dev.rali.engine.dataset;

import java.nio.file.Path;

/**
 * One image as a layout's metadata describes it, before import.
 *
 * @param name       the name the metadata uses (stored as images.name)
 * @param file       resolved file on disk, null when it could not be found
 * @param raw        published score, null for unlabelled images
 * @param normalised already-normalised score when the metadata provides one (DeQA gt_score_norm), else null
 * @param std        published standard deviation (raw scale) or null
 * @param split      official split (train/val/test) or null when the dataset has none
 * @param reference  reference image name for synthetic datasets, else null
 * @param distortion distortion type/level, else null
 * @param where      "file:line" for messages
 * @param fields     metadata columns the layout does not map (a generic CSV's extra columns), column → value
 */
record MetaRow(String name, Path file, Double raw, Double normalised, Double std, String split, String reference,
               String distortion, String where, java.util.Map<String, String> fields) {

    MetaRow {
        fields = fields == null ? java.util.Map.of() : java.util.Collections.unmodifiableMap(
                new java.util.LinkedHashMap<>(fields));
    }

    MetaRow(String name, Path file, Double raw, Double normalised, Double std, String split, String reference,
            String distortion, String where) {
        this(name, file, raw, normalised, std, split, reference, distortion, where, java.util.Map.of());
    }
}
