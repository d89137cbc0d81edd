package dev.rali.engine.analysis;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The words that set one document apart from the others: tf-idf with each basis's traces as one document,
 * tf = count / document length, idf = ln((1 + N) / (1 + df)) + 1 (scikit-learn's smooth idf). Ties: alphabetical.
 */
final class TfIdf {
    private TfIdf() { }

    static List<List<String>> top(List<Map<String, Integer>> docs, int k) {
        int n = docs.size();
        Map<String, Integer> df = new java.util.HashMap<>();
        for (Map<String, Integer> d : docs) {
            for (String w : d.keySet()) {
                df.merge(w, 1, Integer::sum);
            }
        }
        List<List<String>> out = new ArrayList<>();
        for (Map<String, Integer> d : docs) {
            double len = d.values().stream().mapToInt(Integer::intValue).sum();
            List<Map.Entry<String, Double>> scored = new ArrayList<>();
            for (Map.Entry<String, Integer> e : d.entrySet()) {
                double idf = Math.log((1.0 + n) / (1.0 + df.get(e.getKey()))) + 1;
                scored.add(Map.entry(e.getKey(), e.getValue() / len * idf));
            }
            scored.sort(Comparator.<Map.Entry<String, Double>>comparingDouble(e -> -e.getValue())
                    .thenComparing(Map.Entry::getKey));
            out.add(scored.stream().limit(k).map(Map.Entry::getKey).toList());
        }
        return out;
    }
}
