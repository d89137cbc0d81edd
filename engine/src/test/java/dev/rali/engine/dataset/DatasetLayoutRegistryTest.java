package dev.rali.engine.dataset;

import dev.rali.engine.cli.RaliCli;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every layout is registered once, and the importer's list and the CLI help come from that registration. */
class DatasetLayoutRegistryTest {

    @Test
    void everyRegisteredLayoutIsInTheImporterListAndTheCliHelpUnderAUniqueName() {
        List<DatasetLayout> all = DatasetLayouts.all();
        assertTrue(all.size() >= 11, "layouts registered: " + all.size());
        Set<String> names = new HashSet<>();
        for (DatasetLayout l : all) {
            assertTrue(names.add(l.name()), "layout name '" + l.name() + "' registered twice");
            assertEquals(l.name().toLowerCase(java.util.Locale.ROOT), l.name());
            assertTrue(!l.description().isBlank(), l.name() + " has no description");
        }
        assertEquals(DatasetLayouts.names(), DatasetImporter.LAYOUTS);
        String help = importHelp();
        for (DatasetLayout l : all) {
            assertTrue(help.matches("(?s).*--layout=<layout>.*[ ,:]" + l.name() + "[,) ].*"),
                    l.name() + " missing from the --layout help:\n" + help);
        }
    }

    @Test
    void theDocumentedLayoutsAreAllRegisteredInTheirUsualOrder() {
        assertEquals(List.of("koniq", "spaq", "livec", "kadid", "csiq", "tid2013", "pipal", "agiqa", "deqa", "csv",
                "folder"), DatasetLayouts.names());
    }

    @Test
    void lookupIsCaseInsensitiveAndAnUnknownNameListsTheKnownOnes() {
        assertSame(DatasetLayouts.get("tid2013"), DatasetLayouts.get("TID2013"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DatasetLayouts.get("nope"));
        assertTrue(e.getMessage().contains("unknown layout 'nope'; known: koniq, spaq"), e.getMessage());
    }

    private static String importHelp() {
        StringWriter out = new StringWriter();
        var cli = RaliCli.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(out));
        cli.execute("dataset", "import", "--help");
        return out.toString();
    }
}
