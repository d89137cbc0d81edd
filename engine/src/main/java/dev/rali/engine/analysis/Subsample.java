package dev.rali.engine.analysis;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/** Seeded stratified subsampling: every group keeps its share of the cap (at least one row), rows in file order. */
public final class Subsample {
    private Subsample() { }

    /** Row indices (sorted) of at most {@code cap} rows; all rows when there are no more than cap. */
    public static int[] stratified(int[] group, int cap, long seed) {
        int n = group.length;
        if (cap <= 0 || n <= cap) {
            int[] all = new int[n];
            Arrays.setAll(all, i -> i);
            return all;
        }
        int k = Arrays.stream(group).max().orElse(-1) + 1;
        List<List<Integer>> members = new ArrayList<>();
        for (int c = 0; c < k; c++) {
            members.add(new ArrayList<>());
        }
        for (int i = 0; i < n; i++) {
            members.get(group[i]).add(i);
        }
        // largest-remainder allocation of the cap, at least one row per non-empty group
        int[] take = new int[k];
        double[] rem = new double[k];
        int given = 0;
        for (int c = 0; c < k; c++) {
            double share = (double) cap * members.get(c).size() / n;
            take[c] = Math.min(members.get(c).size(), Math.max(members.get(c).isEmpty() ? 0 : 1, (int) share));
            rem[c] = share - (int) share;
            given += take[c];
        }
        while (given < cap) {
            int best = -1;
            for (int c = 0; c < k; c++) {
                if (take[c] < members.get(c).size() && (best < 0 || rem[c] > rem[best])) {
                    best = c;
                }
            }
            if (best < 0) {
                break;
            }
            take[best]++;
            rem[best] -= 1;
            given++;
        }
        Random rnd = new Random(seed);
        List<Integer> chosen = new ArrayList<>();
        for (int c = 0; c < k; c++) {
            List<Integer> m = new ArrayList<>(members.get(c));
            Collections.shuffle(m, rnd);
            chosen.addAll(m.subList(0, take[c]));
        }
        return chosen.stream().mapToInt(Integer::intValue).sorted().toArray();
    }
}
