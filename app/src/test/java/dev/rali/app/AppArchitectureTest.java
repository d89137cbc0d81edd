package dev.rali.app;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import dev.rali.app.views.archfixtures.JdbcInAView;
import dev.rali.app.views.archfixtures.PipelineImplementationInAView;
import dev.rali.app.views.archfixtures.ServiceInterfacesOnly;
import dev.rali.app.views.archfixtures.WiringInAView;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The app's layering, checked on the compiled classes: views never talk SQL, and the app reaches the engine only
 * through its service interfaces and data types; the engine's implementations are named in one package,
 * {@code dev.rali.app.wiring}. Each rule is also checked against a fixture class in test sources that breaks it, so
 * a rule that silently matches nothing fails here.
 */
class AppArchitectureTest {

    /**
     * Whole engine packages the app may use: the task contract (progress, cancel, background tasks, executors) and
     * the typed parameter model the Pipeline view's form edits.
     */
    static final Set<String> ENGINE_API_PACKAGES = Set.of("dev.rali.engine.task", "dev.rali.engine.params");

    /**
     * Engine classes (with their nested records) the app may use outside the wiring package. A new entry needs a
     * reason: a service interface, a value type a service returns, or the project handle the services take.
     */
    static final Set<String> ENGINE_API_CLASSES = Set.of(
            "dev.rali.engine.Version",                  // code version in the About box
            "dev.rali.engine.project.ProjectStore",     // the open project handle every service takes
            "dev.rali.engine.project.ProjectQueries",   // the read-side query service and its row records
            "dev.rali.engine.project.Runs",             // run records as ProjectQueries.runs() reads them
            "dev.rali.engine.project.RunEnvironment",   // where a run computed (Results view), as Runs reads it
            "dev.rali.engine.dataset.Datasets",         // the project's dataset list (read side)
            "dev.rali.engine.dataset.DatasetSummary",
            "dev.rali.engine.pipeline.PipelineService", // the RALI stages
            "dev.rali.engine.pipeline.MetricGroups",    // which plot panel (group, step unit) a run metric goes on
            "dev.rali.engine.pipeline.RaliPipeline$Counts", // what a sweep point reused (SweepReport.PointRow.reuse)
            "dev.rali.engine.sweep.SweepService",       // sweeps: define, run/resume, cancel, report, presets
            "dev.rali.engine.sweep.SweepSpec",          // a sweep definition (grid / paper presets), checked by params
            "dev.rali.engine.sweep.SweepReport",        // a sweep's points, settings, importance (value type)
            "dev.rali.engine.sweep.SweepRunner$Summary", // what SweepService.run returns
            "dev.rali.engine.project.SweepRecords$Sweep", // a stored sweep as SweepService.list returns it
            "dev.rali.engine.score.ImageScorer",        // scoring with a bundle
            "dev.rali.engine.score.ScoreResult",
            "dev.rali.engine.analysis.attention.AttentionService",   // imported dumps, their analysis (Attention view)
            "dev.rali.engine.analysis.attention.AttentionDump",      // a dump as read (tokens, roles, tensor)
            "dev.rali.engine.analysis.attention.AttentionReport",    // shares, token weights, image map
            "dev.rali.engine.analysis.attention.AttentionAnalysis$Result", // per-dump reports + aggregate
            "dev.rali.engine.analysis.attention.Role",
            "dev.rali.engine.analysis.saliency.Explainer",           // image and text saliency with a bundle
            "dev.rali.engine.analysis.saliency.ImageSaliency",
            "dev.rali.engine.analysis.saliency.TextSaliency",
            "dev.rali.engine.eval.Metrics",             // PLCC/SRCC exactly as the CLI reports them
            "dev.rali.engine.eval.MetricReport",        // the CLI's figures per dataset (logistic PLCC headline, CIs)
            "dev.rali.engine.eval.ResultsTable",        // its footer naming the PLCC convention
            "dev.rali.engine.eval.PaperTables",         // Table 2 / Table 4 layouts of the evaluated runs
            "dev.rali.engine.image.ImageLoader",        // which files are images (the one loader)
            "dev.rali.engine.io.AtomicFiles",           // the one way output files are written (whole or not at all)
            "dev.rali.engine.io.OutputPaths",           // the one guard on output paths (never an input or the project)
            // embedding analysis (Domain gap and Bases views): the service and the data types it takes and returns
            "dev.rali.engine.analysis.EmbeddingAnalysisService",
            "dev.rali.engine.analysis.EmbeddingSpace",
            "dev.rali.engine.analysis.DomainGapParams",
            "dev.rali.engine.analysis.DomainGapResult",
            "dev.rali.engine.analysis.GapStatistics$ClassifierScore",
            "dev.rali.engine.analysis.MapProjection$Method",
            "dev.rali.engine.analysis.ProjectSpaces$Space",
            "dev.rali.engine.analysis.BasisExplorer$Report",
            "dev.rali.engine.analysis.BasisExplorer$Basis",
            "dev.rali.engine.analysis.BasisExplorer$Member",
            "dev.rali.engine.analysis.Explainer$Explanation",
            "dev.rali.engine.analysis.Explainer$Carrier");

    static final DescribedPredicate<JavaClass> ENGINE_INTERNALS = new DescribedPredicate<>(
            "engine classes other than its service interfaces and data types (see ENGINE_API_CLASSES)") {
        @Override
        public boolean test(JavaClass c) {
            if (!c.getPackageName().startsWith("dev.rali.engine")) {
                return false;
            }
            if (ENGINE_API_PACKAGES.stream().anyMatch(p -> c.getPackageName().equals(p)
                    || c.getPackageName().startsWith(p + "."))) {
                return false;
            }
            String name = c.getName();
            return ENGINE_API_CLASSES.stream().noneMatch(a -> name.equals(a) || name.startsWith(a + "$"));
        }
    };

    static final ArchRule NO_SQL_IN_THE_APP = noClasses().that().resideInAPackage("dev.rali.app..")
            .should().dependOnClassesThat().resideInAPackage("java.sql..")
            .because("views read through ProjectQueries and write through engine services, never with JDBC");

    static final ArchRule ENGINE_ONLY_THROUGH_SERVICES = noClasses().that().resideInAPackage("dev.rali.app..")
            .and().resideOutsideOfPackage("dev.rali.app.wiring..")
            .should().dependOnClassesThat(ENGINE_INTERNALS)
            .because("AppWiring is the one place that names engine implementations; views get services injected");

    static final ArchRule VIEWS_DO_NOT_WIRE = noClasses().that().resideInAPackage("dev.rali.app.views..")
            .should().dependOnClassesThat().resideInAPackage("dev.rali.app.wiring..")
            .because("views get their services from AppContext, so tests can inject fakes");

    private static final JavaClasses APP = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.rali.app");

    private static final JavaClasses FIXTURES = new ClassFileImporter()
            .importClasses(JdbcInAView.class, PipelineImplementationInAView.class, WiringInAView.class,
                    ServiceInterfacesOnly.class);

    @Test
    void theAppHasNoJdbc() {
        NO_SQL_IN_THE_APP.check(APP);
    }

    @Test
    void theAppReachesTheEngineOnlyThroughServiceInterfaces() {
        ENGINE_ONLY_THROUGH_SERVICES.check(APP);
    }

    @Test
    void viewsDoNotUseTheWiring() {
        VIEWS_DO_NOT_WIRE.check(APP);
    }

    @Test
    void eachRuleCatchesAClassThatBreaksIt() {
        assertViolation(NO_SQL_IN_THE_APP, JdbcInAView.class, "java.sql.DriverManager");
        assertViolation(ENGINE_ONLY_THROUGH_SERVICES, PipelineImplementationInAView.class,
                "dev.rali.engine.pipeline.RaliPipeline");
        assertViolation(VIEWS_DO_NOT_WIRE, WiringInAView.class, "dev.rali.app.wiring.AppWiring");
    }

    @Test
    void serviceInterfacesAndDataTypesPass() {
        for (ArchRule rule : new ArchRule[] {NO_SQL_IN_THE_APP, ENGINE_ONLY_THROUGH_SERVICES, VIEWS_DO_NOT_WIRE}) {
            EvaluationResult r = rule.evaluate(FIXTURES);
            assertFalse(r.getFailureReport().getDetails().stream().anyMatch(d -> d.contains("ServiceInterfacesOnly")),
                    r.getFailureReport().toString());
        }
    }

    @Test
    void theRulesSeeTheWholeApp() {
        // guards the rules above against passing vacuously on an empty import
        assertTrue(APP.contain(MainWindow.class) && APP.contain(dev.rali.app.views.PipelineView.class)
                && APP.contain(dev.rali.app.wiring.AppWiring.class), "app classes imported: " + APP.size());
        assertFalse(APP.contain(JdbcInAView.class), "test fixtures must not be part of the checked app");
    }

    private static void assertViolation(ArchRule rule, Class<?> fixture, String target) {
        EvaluationResult r = rule.evaluate(FIXTURES);
        assertTrue(r.hasViolation(), rule.getDescription());
        assertTrue(r.getFailureReport().getDetails().stream()
                        .anyMatch(d -> d.contains(fixture.getName()) && d.contains(target)),
                r.getFailureReport().toString());
    }
}
