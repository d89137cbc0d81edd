package dev.rali.engine.pipeline;

import dev.rali.engine.clip.ClipLoadOptions;
import dev.rali.engine.clip.ClipModel;
import dev.rali.engine.clip.ClipTokenizer;
import dev.rali.engine.sample.DemoClipFactory;
import dev.rali.engine.task.TaskContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class AlignmentStageTest {

    /** alignment.textContext truncates the reasoning texts the frozen text tower embeds (it was recorded but unused). */
    @Test
    void textContextTruncatesTheReasoningTexts(@TempDir Path dir) throws Exception {
        Path clip = DemoClipFactory.create(dir.resolve("clip"), new DemoClipFactory.Config(32, 48, 8, 32, 1, 2, 64, 32,
                1, 2, 64, 16, 77, 49408, Math.log(100)), 3);
        String longText = "the photo is blurry and noisy with strong compression artefacts around every edge";
        String shortText = "sharp";
        List<AlignmentStage.Item> items = List.of(new AlignmentStage.Item(dir.resolve("a.png"),
                List.of(longText, shortText)));
        try (ClipModel model = ClipModel.load(clip, ClipLoadOptions.defaults().withDevice("cpu"))) {
            ClipTokenizer tok = ClipTokenizer.forModelDir(clip);
            Map<String, float[]> full = AlignmentStage.embedTexts(model, tok, items, List.of(), 77,
                    TaskContext.silent());
            Map<String, float[]> cut = AlignmentStage.embedTexts(model, tok, items, List.of(), 4,
                    TaskContext.silent());
            Map<String, float[]> beyond = AlignmentStage.embedTexts(model, tok, items, List.of(), 500,
                    TaskContext.silent());
            assertFalse(java.util.Arrays.equals(full.get(longText), cut.get(longText)), "a long trace is cut");
            assertArrayEquals(full.get(shortText), cut.get(shortText), 1e-5f, "a short one is not");
            assertArrayEquals(full.get(longText), beyond.get(longText), "capped at the tower's own context");
        }
    }
}
