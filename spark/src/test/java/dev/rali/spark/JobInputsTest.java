package dev.rali.spark;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The driver's decisions that need no Spark: what is an image, which input format, which models are refused. */
class JobInputsTest {

    @Test
    void imagesAreTheFilesRaliScoreTakes() {
        assertTrue(ImageJobs.isImage("s3a://bucket/a/b/photo.JPG"));
        assertTrue(ImageJobs.isImage("file:/x/y.webp"));
        assertFalse(ImageJobs.isImage("hdfs:///x/.hidden.jpg"));
        assertFalse(ImageJobs.isImage("file:/x/notes.txt"));
        assertFalse(ImageJobs.isImage("file:/x/noextension"));
    }

    @Test
    void theInputFormatFollowsTheSuffix() {
        assertEquals("parquet", ImageJobs.guessFormat("s3a://b/list.parquet/"));
        assertEquals("csv", ImageJobs.guessFormat("/data/urls.CSV"));
        assertEquals("images", ImageJobs.guessFormat("hdfs:///photos"));
    }

    @Test
    void aTaskCopyKeepsTheImagesOwnNameSoTheLoaderSeesTheSameExtension() {
        assertEquals("photo.jpg", PartitionJob.fileName("s3a://b/dir/photo.jpg"));
        assertEquals("a_b_c.png", PartitionJob.fileName("file:/x/a b%c.png"));
    }

    @Test
    void scoringWithAFolderThatIsNotABundleIsRefusedBeforeSparkIsTouched(@TempDir Path dir) throws IOException {
        Path clip = SparkFixtures.clip(dir.resolve("clip"));
        IOException e = assertThrows(IOException.class, () -> ImageJobs.shipModel(null, clip.toString(), true));
        assertTrue(e.getMessage().startsWith(clip.toString()) && e.getMessage().contains("not a model bundle"),
                e.getMessage());
        Path empty = Files.createDirectories(dir.resolve("empty"));
        IOException e2 = assertThrows(IOException.class, () -> ImageJobs.shipModel(null, empty.toString(), false));
        assertTrue(e2.getMessage().contains("model.safetensors"), e2.getMessage());
    }

    @Test
    void aModelNeitherShippedNorOnThisMachineIsNamedInTheError() {
        IOException e = assertThrows(IOException.class, () -> ExecutorModels.resolve("/nowhere/koniq.rali-model"));
        assertTrue(e.getMessage().startsWith("/nowhere/koniq.rali-model"), e.getMessage());
    }
}
