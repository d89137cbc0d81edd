package dev.rali.engine.pipeline;

import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * The one rule that says which plot a run metric belongs on: its group (title, y label) and its step unit. Metrics
 * of different units never share an axis — alignment steps, score-definition steps and score-definition epochs
 * count different things — and counts such as {@code bases/count} or a variance ratio are final values, not
 * curves. The Pipeline view's live plots, its run comparison and the Sweeps view all group by this.
 */
public final class MetricGroups {
    private MetricGroups() { }

    /**
     * A plot panel: {@code unit} labels its x axis (what a step counts), {@code yLabel} its y axis; {@code curve}
     * false for final values shown as numbers (one value per run, recorded at step 0).
     */
    public record Group(String id, String title, String unit, String yLabel, int order, boolean curve) { }

    public static final Group ALIGNMENT_LOSS = new Group("alignment-loss", "Alignment loss", "alignment step",
            "loss", 0, true);
    public static final Group HEAD_STEP_LOSS = new Group("head-step-loss", "Score-definition loss per step",
            "score-definition step", "loss", 1, true);
    public static final Group HEAD_EPOCH_LOSS = new Group("head-epoch-loss", "Score-definition loss per epoch",
            "score-definition epoch", "loss", 2, true);
    public static final Group VALIDATION = new Group("validation", "Validation PLCC / SRCC",
            "score-definition epoch", "correlation", 3, true);
    public static final Group FINAL = new Group("final", "Final values", "", "value", 100, false);

    /** Prefixes of the head trainer's one-off numbers (PCA, bases, data sizes, the head's validation scores). */
    private static final Set<String> FINAL_PREFIXES = Set.of("pca", "bases", "head", "data");

    /** The group of a metric name as the stages record it ({@code align/train_loss}, {@code bases/count}, …). */
    public static Group of(String metric) {
        switch (metric) {
            case "align/train_loss", "align/val_loss":
                return ALIGNMENT_LOSS;
            case "score_definition/train_loss":
                return HEAD_STEP_LOSS;
            case "score_definition/epoch_loss", "score_definition/val_loss":
                return HEAD_EPOCH_LOSS;
            case "score_definition/val_plcc", "score_definition/val_srcc":
                return VALIDATION;
            default:
                break;
        }
        int slash = metric.indexOf('/');
        int dot = metric.indexOf('.');
        // `rali train-head` records its summary as dotted names at step 0 (pca.output_dim, head.val_plcc)
        if (dot >= 0 && (slash < 0 || dot < slash)) {
            return FINAL;
        }
        String prefix = slash < 0 ? metric : metric.substring(0, slash);
        if (FINAL_PREFIXES.contains(prefix) || metric.startsWith("align/traces_")) {
            // align/traces_*: the alignment corpus's counts (used, excluded, truncated), recorded once at step 0
            return FINAL;
        }
        if (prefix.equals("align")) {
            return new Group("align-other", "Alignment", "alignment step", "value", 4, true);
        }
        if (prefix.equals("score_definition")) {
            return new Group("head-other", "Score definition", "score-definition epoch", "value", 5, true);
        }
        // an unknown source: its own panel, so it never shares an axis with the known ones
        return new Group("other-" + prefix, prefix, "step", "value", 50, true);
    }

    /** The part after the group prefix, as a legend shows it ({@code align/val_loss} → {@code val_loss}). */
    public static String shortName(String metric) {
        int slash = metric.indexOf('/');
        return slash < 0 ? metric : metric.substring(slash + 1);
    }

    /** Groups in display order (alignment first, final values last), then by title. */
    public static final Comparator<Group> ORDER = Comparator.comparingInt(Group::order).thenComparing(Group::title);

    /** The distinct groups of these metric names, in display order. */
    public static List<Group> groups(java.util.Collection<String> metrics) {
        return metrics.stream().map(MetricGroups::of).distinct().sorted(ORDER).toList();
    }
}
