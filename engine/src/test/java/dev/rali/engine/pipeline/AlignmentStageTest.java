package dev.rali.engine.pipeline;

import dev.rali.engine.clip.ClipLoadOptions;
import dev.rali.engine.clip.ClipModel;
import dev.rali.engine.clip.ClipTokenizer;
import dev.rali.engine.sample.DemoClipFactory;
import dev.rali.engine.task.TaskContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.rali.engine.rali.RaliParams;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    private static AlignmentStage.Options options(boolean seedAugmentation, RaliParams.PairsPerEpoch pairs) {
        return new AlignmentStage.Options(1, 2, 1e-5, 0, 0, 1, seedAugmentation, false, 77, 7, pairs);
    }

    private static List<AlignmentStage.Item> items(int... traceCounts) {
        List<AlignmentStage.Item> out = new ArrayList<>();
        for (int i = 0; i < traceCounts.length; i++) {
            List<String> texts = new ArrayList<>();
            for (int j = 0; j < traceCounts[i]; j++) {
                texts.add("image " + i + " trace " + j);
            }
            out.add(new AlignmentStage.Item(Path.of("img" + i + ".png"), texts));
        }
        return out;
    }

    @Test
    void imagesTimesTracesSeesEveryPairOnceWithNoImageTwiceInAPass() {
        List<AlignmentStage.Item> train = items(4, 4, 2, 1, 4);
        AlignmentStage.Options o = options(true, RaliParams.PairsPerEpoch.IMAGES_X_TRACES);
        assertEquals(List.of(5, 4, 3, 3), AlignmentStage.passSizes(train, o));
        List<List<int[]>> passes = AlignmentStage.epochPairs(train, o, new Random(1));
        Set<String> seen = new HashSet<>();
        for (List<int[]> pass : passes) {
            Set<Integer> images = new HashSet<>();
            for (int[] pair : pass) {
                assertTrue(images.add(pair[0]), "image " + pair[0] + " twice in one pass");
                assertTrue(pair[1] >= 0 && pair[1] < train.get(pair[0]).texts().size());
                assertTrue(seen.add(pair[0] + "/" + pair[1]), "pair " + pair[0] + "/" + pair[1] + " twice");
            }
        }
        assertEquals(4 + 4 + 2 + 1 + 4, seen.size(), "pairs per epoch = Σ traces per image");
        // a different epoch (RNG) pairs the images with their traces in another order
        List<List<int[]>> other = AlignmentStage.epochPairs(train, o, new Random(2));
        assertNotEquals(passes.stream().map(p -> p.stream().map(Arrays::toString).toList()).toList(),
                other.stream().map(p -> p.stream().map(Arrays::toString).toList()).toList());
    }

    @Test
    void imagesModeIsOnePassOverTheImagesInTheShuffledOrderItAlwaysUsed() {
        List<AlignmentStage.Item> train = items(4, 4, 2, 1, 4);
        for (AlignmentStage.Options o : List.of(options(true, RaliParams.PairsPerEpoch.IMAGES),
                options(false, RaliParams.PairsPerEpoch.IMAGES_X_TRACES))) { // without seed augmentation: one trace
            assertEquals(List.of(5), AlignmentStage.passSizes(train, o));
            List<List<int[]>> passes = AlignmentStage.epochPairs(train, o, new Random(9));
            List<Integer> expected = new ArrayList<>(List.of(0, 1, 2, 3, 4));
            Collections.shuffle(expected, new Random(9));
            assertEquals(1, passes.size());
            assertEquals(expected, passes.get(0).stream().map(p -> p[0]).toList());
            assertTrue(passes.get(0).stream().allMatch(p -> p[1] == -1), "the trace is drawn when batching");
        }
    }

    @Test
    void truncationCountsTextsLongerThanTheContext() throws Exception {
        ClipTokenizer tok = ClipTokenizer.bundled();
        List<String> texts = List.of("sharp", "blurry ".repeat(80), "noisy", "blurry ".repeat(80), "dark");
        AlignmentStage.Truncation t = AlignmentStage.truncation(tok, 77, texts);
        assertEquals(new AlignmentStage.Truncation(5, 2, 77), t);
        assertEquals(0.4, t.share(), 1e-12);
        assertEquals(5, AlignmentStage.truncation(tok, 2, texts).truncated(), "BOS + EOT alone fill 2");
    }

    @Test
    void bf16PrecisionTrainsInMixedPrecisionAndTheFp32DefaultKeepsOldWorkFolderKeys() throws Exception {
        RaliParams.AlignmentParams a = new RaliParams.AlignmentParams();
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        assertFalse(json.writeValueAsString(a).contains("precision"),
                "fp32 is not written, so existing alignments keep their work-folder key");
        assertFalse(AlignmentStage.trainerOptions(AlignmentStage.Options.of(a, 7), 10).mixedPrecision());
        a.precision = "bf16";
        assertTrue(json.writeValueAsString(a).contains("\"precision\":\"bf16\""), "bf16 gets its own work folder");
        assertTrue(AlignmentStage.trainerOptions(AlignmentStage.Options.of(a, 7), 10).mixedPrecision());
        dev.rali.engine.params.ParamKey<String> k = dev.rali.engine.params.ParamKeys.ALIGNMENT_PRECISION;
        assertEquals(List.of("fp32", "bf16"), k.choices());
    }
}
