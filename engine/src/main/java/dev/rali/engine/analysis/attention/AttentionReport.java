package dev.rali.engine.analysis.attention;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link AttentionAnalysis} finds in one dump or aggregated over several: plain records for the CLI's JSON
 * and for a view.
 *
 * @param name          the dump's folder name, or "aggregate"
 * @param model         the dump's model (null when not said or when aggregating different ones)
 * @param dumps         how many dumps went in (1 for a single dump)
 * @param rows          attention rows used (layers × heads × queries, summed over dumps)
 * @param rowsSkipped   rows whose recorded attention sums to 0 (nothing to share out)
 * @param allRoles      share of the query tokens' attention on each of the five roles (each row divided by its sum)
 * @param paper         the paper's convention: system and prompt excluded, image/reasoning/answer renormalised
 * @param topReasoning  reasoning tokens that receive the most attention
 * @param imageMap      attention received by each image token as a rows × cols map (null without image tokens or
 *                      when aggregated dumps have different grids)
 */
public record AttentionReport(String name, String model, int dumps, long rows, long rowsSkipped, Shares allRoles,
                              Shares paper, List<TokenWeight> topReasoning, ImageMap imageMap) {

    /** Role shares averaged over everything, per layer and per (layer, head). */
    public record Shares(Map<Role, Double> averaged, List<LayerShares> perLayer, List<HeadShares> perHead) { }

    /** Shares in one layer (the model's layer index). */
    public record LayerShares(int layer, Map<Role, Double> shares) { }

    /** Shares in one head of one layer. */
    public record HeadShares(int layer, int head, Map<Role, Double> shares) { }

    /**
     * A reasoning token and the share of the query tokens' attention it receives (mean over layers, heads and
     * queries). Aggregated: tokens with the same text are summed within a dump and averaged over dumps;
     * {@code position} is then -1 and {@code occurrences} counts them.
     */
    public record TokenWeight(int position, String token, double attention, int occurrences) { }

    /** Attention received by the image tokens, row-major [rows][cols], same unit as {@link TokenWeight}. */
    public record ImageMap(int rows, int cols, double[][] values) {
        public double max() {
            double m = 0;
            for (double[] r : values) {
                for (double v : r) {
                    m = Math.max(m, v);
                }
            }
            return m;
        }
    }

    static Map<Role, Double> roleMap(List<Role> roles, double[] values) {
        Map<Role, Double> m = new EnumMap<>(Role.class);
        for (Role r : roles) {
            m.put(r, values[r.ordinal()]);
        }
        return m;
    }
}
