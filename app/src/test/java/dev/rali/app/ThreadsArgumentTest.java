package dev.rali.app;

import dev.rali.app.wiring.AppWiring;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code rali gui --threads N}: taken out of the arguments before the project path is read. */
class ThreadsArgumentTest {

    @Test
    void threadsAreTakenOutAndTheProjectArgumentIsLeft() {
        List<String> args = new ArrayList<>(List.of("--threads", "3", "demo.rali"));
        assertEquals(OptionalInt.of(3), RaliApp.takeThreads(args));
        assertEquals(List.of("demo.rali"), args);
    }

    @Test
    void withoutTheOptionNothingChanges() {
        List<String> args = new ArrayList<>(List.of("demo.rali"));
        assertTrue(RaliApp.takeThreads(args).isEmpty());
        assertEquals(List.of("demo.rali"), args);
    }

    @Test
    void aMissingOrNonNumericCountIsAnError() {
        for (List<String> bad : List.of(List.of("--threads"), List.of("--threads", "two", "p.rali"))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> RaliApp.takeThreads(new ArrayList<>(bad)), bad.toString());
            assertTrue(e.getMessage().startsWith("needs a whole number"), e.getMessage());
        }
    }

    @Test
    void anOutOfRangeCountIsRefusedWhereItIsApplied() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AppWiring.threads(0));
        assertEquals("must be between 1 and 1024, got 0", e.getMessage());
    }
}
