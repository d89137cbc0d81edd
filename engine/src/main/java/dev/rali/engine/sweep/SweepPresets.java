package dev.rali.engine.sweep;

import dev.rali.engine.params.PipelineParams;
import dev.rali.engine.project.ProjectStore;
import dev.rali.engine.project.SweepRecords;

/** A sweep's best setting as a named preset (the {@code presets} table), runnable with {@code rali run --preset}. */
public final class SweepPresets {
    private SweepPresets() { }

    /**
     * Saves the sweep's best setting by {@code metric} (or the given {@code setting}) with its first seed as preset
     * {@code name}; returns the source line stored with it. An error when no setting has a finished point.
     */
    public static String saveBest(ProjectStore store, long sweepId, String name, Integer setting, String metric)
            throws java.io.IOException {
        SweepReport r = SweepReport.of(store, sweepId);
        SweepReport.SettingRow s;
        if (setting != null) {
            s = r.settings().stream().filter(x -> x.setting() == setting).findFirst().orElseThrow(() ->
                    new IllegalArgumentException("sweep " + sweepId + " has no setting " + setting));
        } else {
            s = r.best(metric).orElseThrow(() -> new IllegalArgumentException("sweep " + sweepId
                    + " has no finished point yet: nothing to save"));
        }
        String source = "sweep " + sweepId + ", setting " + s.setting() + " " + s.assignment()
                + (setting == null ? " (best mean " + metric + " " + s.metric(metric).format() + ")" : "");
        new SweepRecords(store).savePreset(name, PipelineParams.fromJson(s.paramsJson()).toJson(), source);
        return source;
    }

    /** A saved preset's parameters. */
    public static PipelineParams load(ProjectStore store, String name) throws java.io.IOException {
        return PipelineParams.fromJson(new SweepRecords(store).preset(name).paramsJson());
    }
}
