package dev.rali.engine;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import dev.rali.engine.project.ProjectStore;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Layering inside the engine, so the code shows the paper: {@code rali/} is the paper's math (no store, no CLIP,
 * no DJL, no SQL); SQL lives only in the store packages (the project store and the dataset and trace stores on
 * it); the CLI reaches data through those stores. That the engine never touches JavaFX or the app is enforced by
 * the Maven module graph (engine's pom has neither), not here.
 * <p>
 * Each rule is also run against a deliberately violating fixture class from the test sources
 * ({@code ArchFixtures*}), so a rule that could never fail (a typo in a package name, say) fails this test.
 */
class ArchitectureTest {
    /** Packages that may talk SQL: the project store and the repositories built on it. */
    static final String[] STORES = {"dev.rali.engine.project..", "dev.rali.engine.dataset..", "dev.rali.engine.traces.."};

    private static final JavaClasses ENGINE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.rali.engine");

    static final ArchRule RALI_IS_THE_PAPERS_MATH = noClasses().that().resideInAPackage("dev.rali.engine.rali..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.rali.engine.project..", "dev.rali.engine.clip..",
                    "dev.rali.engine.pipeline..", "dev.rali.engine.cli..", "java.sql..", "ai.djl..")
            .because("rali/ holds only the paper's math (Stages C and D); storage and models live elsewhere");

    /** JDBC outside the stores; a SQLException passing through a caller's signature is not JDBC use. */
    private static final DescribedPredicate<JavaClass> JDBC = JavaClass.Predicates.resideInAPackage("java.sql..")
            .and(DescribedPredicate.not(JavaClass.Predicates.equivalentTo(SQLException.class)));

    static final ArchRule SQL_ONLY_IN_STORES = noClasses().that().resideOutsideOfPackages(STORES)
            .should().dependOnClassesThat(JDBC)
            .because("SQL lives with the store: project (runs, settings, views' queries), dataset, traces");

    static final ArchRule STORE_CONNECTION_ONLY_IN_STORES = noClasses().that().resideOutsideOfPackages(STORES)
            .should().callMethod(ProjectStore.class, "connection")
            .orShould().callMethod(ProjectStore.class, "inTransaction", ProjectStore.SqlWork.class)
            .because("CLI commands and pipeline stages go through the stores' typed APIs, not raw JDBC");

    @Test
    void raliHoldsOnlyThePapersMath() {
        RALI_IS_THE_PAPERS_MATH.check(ENGINE);
    }

    @Test
    void sqlOnlyInTheStorePackages() {
        // passing on the real engine, whose store packages are full of JDBC, shows the rules exempt them
        SQL_ONLY_IN_STORES.check(ENGINE);
        STORE_CONNECTION_ONLY_IN_STORES.check(ENGINE);
    }

    @Test
    void everyRuleCatchesAViolatingFixture() {
        JavaClasses rali = new ClassFileImporter().importClasses(dev.rali.engine.rali.ArchFixtureUsesStore.class);
        assertTrue(RALI_IS_THE_PAPERS_MATH.evaluate(rali).hasViolation(), "rali/ using the store, CLIP and JDBC");
        JavaClasses cli = new ClassFileImporter().importClasses(dev.rali.engine.cli.ArchFixtureSqlInCommand.class);
        assertTrue(SQL_ONLY_IN_STORES.evaluate(cli).hasViolation(), "a CLI command preparing SQL");
        assertTrue(STORE_CONNECTION_ONLY_IN_STORES.evaluate(cli).hasViolation(), "a CLI command taking the connection");
        JavaClasses stage = new ClassFileImporter()
                .importClasses(dev.rali.engine.pipeline.ArchFixtureTransactionInStage.class);
        assertTrue(STORE_CONNECTION_ONLY_IN_STORES.evaluate(stage).hasViolation(), "a stage opening a transaction");
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
        // guards the rules above against passing vacuously on an empty import
        assertTrue(ENGINE.size() > 5, "engine classes imported: " + ENGINE.size());
        assertTrue(ENGINE.containPackage("dev.rali.engine.rali"), "rali/ imported");
    }
}
