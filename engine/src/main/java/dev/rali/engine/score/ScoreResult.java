package dev.rali.engine.score;

import java.nio.file.Path;

/** One scored file: a score in [1,5], or the reason it could not be scored (never both). */
public record ScoreResult(Path file, double score, String error) {

    public static ScoreResult ok(Path file, double score) {
        return new ScoreResult(file, score, null);
    }

    public static ScoreResult failed(Path file, String error) {
        return new ScoreResult(file, Double.NaN, error);
    }

    public boolean isOk() {
        return error == null;
    }
}
