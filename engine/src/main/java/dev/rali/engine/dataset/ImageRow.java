package dev.rali.engine.dataset;

import java.nio.file.Path;

/**
 * One stored image of a dataset.
 *
 * @param mos normalised MOS on [1, 5] (higher is better), null when unlabelled
 */
public record ImageRow(long id, String name, Path path, String contentHash, String split, Double mos,
                       String reference, String distortion) {
}
