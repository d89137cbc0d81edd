package dev.rali.engine.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class MetricGroupsTest {

    @Test
    void alignmentStepsAndScoreDefinitionEpochsNeverShareAnAxis() {
        assertEquals("alignment step", MetricGroups.of("align/train_loss").unit());
        assertEquals(MetricGroups.of("align/train_loss"), MetricGroups.of("align/val_loss"));
        assertEquals("score-definition step", MetricGroups.of("score_definition/train_loss").unit());
        assertEquals("score-definition epoch", MetricGroups.of("score_definition/val_loss").unit());
        assertNotEquals(MetricGroups.of("score_definition/train_loss"), MetricGroups.of("score_definition/epoch_loss"));
        assertNotEquals(MetricGroups.of("align/val_loss"), MetricGroups.of("score_definition/val_loss"));
    }

    @Test
    void correlationsGetTheirOwnPanelApartFromLosses() {
        // the alignment corpus's one-off counts are numbers under the plots, not a one-point chart
        assertEquals(MetricGroups.FINAL, MetricGroups.of("align/traces_used"));
        assertEquals(MetricGroups.FINAL, MetricGroups.of("align/traces_truncated_share"));
        assertEquals(MetricGroups.VALIDATION, MetricGroups.of("score_definition/val_plcc"));
        assertEquals(MetricGroups.VALIDATION, MetricGroups.of("score_definition/val_srcc"));
        assertNotEquals(MetricGroups.VALIDATION, MetricGroups.of("score_definition/val_loss"));
    }

    @Test
    void countsAndRatiosAreFinalValuesNotCurves() {
        for (String m : List.of("bases/count", "pca/explained_variance_ratio", "head/val_plcc",
                "pca.output_dim", "score_definition.best_val_plcc", "data.train_size")) {
            assertFalse(MetricGroups.of(m).curve(), m);
        }
    }

    @Test
    void unknownSourcesGetAPanelOfTheirOwnAndGroupsComeInDisplayOrder() {
        assertEquals("other-spark", MetricGroups.of("spark/rows_per_s").id());
        assertEquals(List.of(MetricGroups.ALIGNMENT_LOSS, MetricGroups.VALIDATION, MetricGroups.FINAL),
                MetricGroups.groups(List.of("bases/count", "score_definition/val_plcc", "align/train_loss",
                        "align/val_loss")));
        assertEquals("val_loss", MetricGroups.shortName("align/val_loss"));
    }
}
