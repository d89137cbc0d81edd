package dev.rali.engine.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rali.engine.clip.TorchRuntime;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code --threads N}: one option of the root command, accepted before or after any sub-command. */
class ThreadsOptionTest {

    @Test
    void threadsSetLibtorchsIntraOpThreadsBeforeOrAfterTheSubCommand() throws Exception {
        int before = TorchRuntime.threads();
        int want = before == 1 ? 2 : 1;
        try {
            for (String[] args : new String[][] {
                {"--threads", Integer.toString(want), "bench", "clip", "--config", "vit-b-32", "--batch", "1",
                    "--iters", "1", "--warmup", "0", "--json"},
                {"bench", "clip", "--config", "vit-b-32", "--batch", "1", "--iters", "1", "--warmup", "0", "--json",
                    "--threads", Integer.toString(want)}}) {
                TorchRuntime.setThreads(before);
                CliRun.Result r = CliRun.exec(args);
                assertEquals(0, r.code(), r.err());
                JsonNode json = new ObjectMapper().readTree(r.out());
                assertEquals(want, json.get("threads").asInt(), "the bench ran on the threads asked for");
                assertEquals(want, TorchRuntime.threads());
            }
        } finally {
            TorchRuntime.setThreads(before);
        }
    }

    @Test
    void aThreadCountOutOfRangeIsAUsageErrorBeforeAnyWork() {
        int before = TorchRuntime.threads();
        CliRun.Result r = CliRun.exec("bench", "clip", "--config", "vit-b-32", "--threads", "0", "--json");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--threads must be between 1 and 1024, got 0"), r.err());
        assertTrue(r.out().isBlank(), "no benchmark ran: " + r.out());
        assertEquals(before, TorchRuntime.threads(), "the thread count is unchanged");
    }
}
