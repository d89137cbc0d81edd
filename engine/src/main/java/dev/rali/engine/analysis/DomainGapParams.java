package dev.rali.engine.analysis;

/**
 * Settings of a domain-gap analysis. Defaults: t-SNE perplexity 30 (UMAP 15 neighbours), seed 42, maps of at most
 * 5,000 points and numbers on at most 10,000 (stratified subsamples), MMD² on at most 500 rows per dataset with
 * 200 permutations, 5-fold domain classifier, kNN regression with 10 neighbours, trustworthiness at 5 neighbours.
 *
 * @param iterations map iterations; 0 = the method's default (t-SNE 1000; UMAP 500, or 200 above 10,000 points)
 */
public record DomainGapParams(MapProjection.Method method, double perplexity, int neighbours, int iterations,
                              long seed, int mapCap, int numbersCap, int mmdCap, int permutations, int folds,
                              int knnK, int trustK) {

    public static DomainGapParams defaults() {
        return new DomainGapParams(MapProjection.Method.TSNE, 30, 15, 0, 42, 5000, 10000, 500, 200, 5, 10, 5);
    }

    public DomainGapParams {
        if (mapCap < 3 || numbersCap < 3 || mmdCap < 2) {
            throw new IllegalArgumentException("caps must be at least 3 (map " + mapCap + ", numbers " + numbersCap
                    + ", MMD " + mmdCap + ")");
        }
        if (permutations < 0 || folds < 2 || knnK < 1 || trustK < 1) {
            throw new IllegalArgumentException("permutations >= 0, folds >= 2, kNN k >= 1 and trustworthiness k >= 1"
                    + " are required");
        }
    }

    public DomainGapParams withMethod(MapProjection.Method m) {
        return new DomainGapParams(m, perplexity, neighbours, iterations, seed, mapCap, numbersCap, mmdCap,
                permutations, folds, knnK, trustK);
    }

    public DomainGapParams withMap(double perplexity, int neighbours, int iterations, long seed, int mapCap) {
        return new DomainGapParams(method, perplexity, neighbours, iterations, seed, mapCap, numbersCap, mmdCap,
                permutations, folds, knnK, trustK);
    }
}
