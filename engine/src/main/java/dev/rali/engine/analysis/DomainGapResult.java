package dev.rali.engine.analysis;

import java.util.List;
import java.util.Map;

/**
 * What a domain-gap analysis found for one space. Numbers that could not be computed are NaN / null with the reason
 * in {@link #notes()}.
 *
 * @param groupSizes  rows per dataset, in order of first appearance
 * @param map         the 2-D map (always drawn, also for one dataset)
 * @param classifier  domain-classifier accuracy; null with fewer than two datasets
 * @param mmd         MMD² of each pair of datasets; empty with fewer than two
 * @param knn         kNN score regression; null without scores
 * @param notes       what was subsampled or skipped, and why
 * @param mapSeconds  wall time of the map and its trustworthiness
 * @param numbersSeconds wall time of classifier, MMD² and kNN SRCC
 */
public record DomainGapResult(String space, int n, int dim, Map<String, Integer> groupSizes, MapResult map,
                              GapStatistics.ClassifierScore classifier, List<PairMmd> mmd, KnnResult knn,
                              List<String> notes, double mapSeconds, double numbersSeconds,
                              Map<String, Double> partSeconds) {

    /** The 2-D map: which rows it shows, their coordinates and how faithful it is. */
    public record MapResult(MapProjection.Method method, double perplexity, int neighbours, int iterations, long seed,
                            int cap, int[] rows, double[][] coordinates, double trustworthiness, int trustK) { }

    /** MMD² of one pair of datasets on (at most) na and nb rows. */
    public record PairMmd(String a, String b, int na, int nb, double mmd2, double bandwidth, double pValue,
                          int permutations) { }

    /**
     * kNN score-regression SRCC: {@code within} leave-one-out inside each dataset; {@code across} neighbours from
     * one dataset predicting another's scores.
     */
    public record KnnResult(int k, Map<String, Double> within, List<Cross> across) { }

    /** One direction of the across-datasets kNN regression. */
    public record Cross(String from, String to, int n, double srcc) { }
}
