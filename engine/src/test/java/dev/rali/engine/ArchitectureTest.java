package dev.rali.engine;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/** The engine is a plain library: the GUI depends on it, never the other way round (JabRef/QuPath style). */
class ArchitectureTest {
    private static final JavaClasses ENGINE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.rali.engine");

    @Test
    void engineDoesNotDependOnJavaFx() {
        noClasses().that().resideInAPackage("dev.rali.engine..")
                .should().dependOnClassesThat().resideInAnyPackage("javafx..", "org.controlsfx..", "org.jfree.chart.fx..")
                .check(ENGINE);
    }

    @Test
    void engineDoesNotDependOnTheApp() {
        noClasses().that().resideInAPackage("dev.rali.engine..")
                .should().dependOnClassesThat().resideInAPackage("dev.rali.app..")
                .check(ENGINE);
    }

    @Test
    void parameterModelDependsOnlyOnThePaperStagesSettings() {
        // Sweeps, the CLI and the app build parameters without a project, a model or the pipeline.
        noClasses().that().resideInAPackage("dev.rali.engine.params..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.rali.engine.project..",
                        "dev.rali.engine.clip..", "dev.rali.engine.pipeline..", "dev.rali.engine.cli..", "ai.djl..")
                .check(ENGINE);
    }

    @Test
    void engineIsNotEmpty() {
        // guards the two rules above against passing vacuously on an empty import
        org.junit.jupiter.api.Assertions.assertTrue(ENGINE.size() > 5, "engine classes imported: " + ENGINE.size());
    }
}
