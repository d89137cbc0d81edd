package dev.rali.engine.dataset;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The validation report of one import run: counts, and one line per problem naming the file or metadata row.
 * Bad rows are skipped, never half-imported.
 */
public final class ImportReport {
    public final String dataset;
    public final String layout;
    /** rows the metadata describes (or images found, for a folder) */
    public int rows;
    /** images inserted by this run */
    public int imported;
    /** images already in the project from an earlier run (resume) */
    public int skippedExisting;
    public final List<String> missingFiles = new ArrayList<>();
    public final List<String> unreadableImages = new ArrayList<>();
    public final List<String> duplicates = new ArrayList<>();
    public final List<String> badScores = new ArrayList<>();
    public final List<String> malformedRows = new ArrayList<>();
    /** rows whose image path leads outside the dataset folder (refused unless allowed explicitly) */
    public final List<String> outsideRoot = new ArrayList<>();
    public final List<String> notes = new ArrayList<>();
    /** images per split after the import (whole dataset, not only this run) */
    public final Map<String, Integer> splitCounts = new TreeMap<>();
    public MosScale scale;
    public Long splitSeed;
    /** no row has a score (a plain folder for scoring): there is no scale and no split to report */
    public boolean unlabelled;

    ImportReport(String dataset, String layout) {
        this.dataset = dataset;
        this.layout = layout;
    }

    public int problemCount() {
        return missingFiles.size() + unreadableImages.size() + duplicates.size() + badScores.size() + malformedRows.size()
                + outsideRoot.size();
    }

    /** A human-readable report (what the CLI prints). At most {@code maxPerSection} lines per problem kind. */
    public String format(int maxPerSection) {
        StringBuilder sb = new StringBuilder();
        sb.append("dataset ").append(dataset).append(" (layout ").append(layout).append(")\n");
        sb.append("  metadata rows:    ").append(rows).append('\n');
        sb.append("  imported:         ").append(imported).append('\n');
        sb.append("  already present:  ").append(skippedExisting).append('\n');
        if (unlabelled) {
            // "official" would claim a published split where the folder has none (issue 17, item 7)
            sb.append("  score scale:      none (unlabelled images)\n");
            sb.append("  split:            none (unlabelled, for scoring only) ").append(splitCounts).append('\n');
        } else {
            if (scale != null) {
                sb.append("  score scale:      ").append(scale).append(" -> [1, 5]\n");
            }
            sb.append("  split:            ").append(splitSeed == null ? "official" : "generated, seed " + splitSeed)
                    .append(' ').append(splitCounts).append('\n');
        }
        section(sb, "missing image files", missingFiles, maxPerSection);
        section(sb, "unreadable images", unreadableImages, maxPerSection);
        section(sb, "duplicates", duplicates, maxPerSection);
        section(sb, "NaN / out-of-range scores", badScores, maxPerSection);
        section(sb, "malformed rows", malformedRows, maxPerSection);
        section(sb, "paths outside the dataset folder", outsideRoot, maxPerSection);
        for (String n : notes) {
            sb.append("  note: ").append(n).append('\n');
        }
        return sb.toString();
    }

    private static void section(StringBuilder sb, String title, List<String> lines, int max) {
        if (lines.isEmpty()) {
            return;
        }
        sb.append("  ").append(title).append(" (").append(lines.size()).append(", skipped):\n");
        for (int i = 0; i < Math.min(max, lines.size()); i++) {
            sb.append("    ").append(lines.get(i)).append('\n');
        }
        if (lines.size() > max) {
            sb.append("    ... ").append(lines.size() - max).append(" more\n");
        }
    }

    @Override
    public String toString() {
        return format(20);
    }
}
