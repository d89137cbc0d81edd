package dev.rali.engine.dataset;

import java.util.Map;

/**
 * Overview of one imported dataset.
 *
 * @param scoreMin      nominal (or observed, when so imported) low end of the raw scale
 * @param scoreMax      high end of the raw scale
 * @param splitSeed     seed of the generated split, null when the split is official
 * @param splits        images per split
 * @param rawMin        observed raw score range (null when unlabelled)
 * @param normalisedMin observed normalised range on [1, 5] (null when unlabelled)
 */
public record DatasetSummary(long id, String name, String layout, String sourcePath, int count, int labelled,
                             Map<String, Integer> splits, double scoreMin, double scoreMax, boolean lowerIsBetter,
                             Long splitSeed, Double rawMin, Double rawMax, Double normalisedMin,
                             Double normalisedMax) {
}
