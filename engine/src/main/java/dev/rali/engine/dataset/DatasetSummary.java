package dev.rali.engine.dataset;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * Overview of one imported dataset: what the CLI's {@code dataset list/show}, the app's dataset views and the
 * pipeline read (the one summary type; {@link Datasets#list} and {@link Datasets#get} build it).
 *
 * @param count          images stored
 * @param labelled       images with a MOS
 * @param traces         reasoning traces attached to the dataset's images
 * @param splits         images per split, by split name
 * @param scoreMin       nominal (or observed, when so imported) low end of the raw scale
 * @param scoreMax       high end of the raw scale
 * @param splitSeed      seed of the generated split, null when the split is official
 * @param rawMin         observed raw score range (null when unlabelled)
 * @param normalisedMin  observed normalised range on [1, 5] (null when unlabelled)
 * @param normalisedMean mean normalised MOS (null when unlabelled)
 */
public record DatasetSummary(long id, String name, String layout, String sourcePath, int count, int labelled,
                             int traces, Map<String, Integer> splits, double scoreMin, double scoreMax,
                             boolean lowerIsBetter, Long splitSeed, Double rawMin, Double rawMax, Double normalisedMin,
                             Double normalisedMax, Double normalisedMean) {
    public DatasetSummary {
        splits = Collections.unmodifiableMap(new TreeMap<>(splits)); // sorted: printed as is by the CLI
    }
}
