package io.gantry;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.gantry.spi.EmbeddedEngineLauncher;
import io.gantry.spi.EngineAdapter;
import io.gantry.spi.EngineClient;
import io.gantry.spi.ManifestReader;
import io.gantry.spi.tls.TlsCredentials;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Keeps the module arrows true: spi depends on nothing of ours; backend sees adapters only through spi. */
class ArchitectureTest {
    /** The one package of spi that may read PEM with a library. */
    private static final String TLS = TlsCredentials.class.getPackageName();
    /** Adapter modules' packages as the layout fixes them, plus any adapter found on the classpath. */
    private static final Set<String> KNOWN_ADAPTER_PACKAGES = Set.of("io.gantry.kubernetes", "io.gantry.marathon",
            "io.gantry.swarm", "io.gantry.agent");
    private static final String JSON_TREES = "io.gantry.spi.json";

    /** The spi's main code only: its test-jar (the contract suite, RequiredEngine) is test code built on JUnit and AssertJ. */
    private final JavaClasses spi = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(location -> !location.contains("-tests.jar"))
            .importPackagesOf(EngineAdapter.class);
    /** Our own code only (the adapters found on the classpath, backend): scanning every library is slow. */
    private final JavaClasses everything = new ClassFileImporter().importPaths(ourCode());
    private final JavaClasses backend = new ClassFileImporter()
            .importPath(Path.of("target", "classes"));

    private static List<Path> ourCode() {
        Set<Path> locations = new LinkedHashSet<>(List.of(Path.of("target", "classes")));
        ServiceLoader.load(EngineAdapter.class).stream().map(p -> location(p.type())).forEach(locations::add);
        ServiceLoader.load(EmbeddedEngineLauncher.class).stream().map(p -> location(p.type())).forEach(locations::add);
        // the test adapter (kind "test") and test doubles are not adapter modules
        locations.removeIf(path -> path.endsWith("test-classes"));
        return List.copyOf(locations);
    }

    private static Path location(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void spiDependsOnNothingOfOurs() {
        noClasses().that().resideInAPackage("io.gantry.spi..").and().doNotBelongToAnyOf(ManifestReader.class)
                .and().resideOutsideOfPackage(JSON_TREES)
                .and().resideOutsideOfPackage("io.gantry.spi.watch")
                .and().resideOutsideOfPackage(TLS)
                .should().dependOnClassesThat().resideOutsideOfPackages("io.gantry.spi..", "java..")
                .check(spi);
        // the one reader every format parses users' YAML and JSON with, under one budget (issue 13)
        noClasses().that().belongToAnyOf(ManifestReader.class)
                .should().dependOnClassesThat().resideOutsideOfPackages("io.gantry.spi..", "java..",
                        "org.yaml.snakeyaml..", "tools.jackson.core..")
                .check(spi);
        // the JSON tree reads the adapters share (issue 15: one helper instead of a copy per adapter)
        noClasses().that().resideInAPackage(JSON_TREES)
                .should().dependOnClassesThat().resideOutsideOfPackages("io.gantry.spi..", "java..", "tools.jackson..")
                .check(spi);
        // the watch skeleton logs its reconnects through the one logging API of every module
        noClasses().that().resideInAPackage("io.gantry.spi.watch")
                .should().dependOnClassesThat().resideOutsideOfPackages("io.gantry.spi..", "java..", "org.slf4j")
                .check(spi);
        // the one PEM reader of the adapters (issue 15): Bouncy Castle's PEMParser, and the JDK's TLS managers
        noClasses().that().resideInAPackage(TLS)
                .should().dependOnClassesThat().resideOutsideOfPackages("io.gantry.spi..", "java..", "javax.net.ssl..",
                        "org.bouncycastle..")
                .check(spi);
    }

    @Test
    void backendNeverUsesAnAdapterImplementation() {
        Set<String> adapterPackages = new TreeSet<>();
        KNOWN_ADAPTER_PACKAGES.forEach(p -> adapterPackages.add(p + ".."));
        for (JavaClass c : everything) {
            boolean implementation = !c.isInterface() && (c.isAssignableTo(EngineAdapter.class)
                    || c.isAssignableTo(EngineClient.class) || c.isAssignableTo(EmbeddedEngineLauncher.class));
            if (implementation && !c.getPackageName().startsWith("io.gantry.spi")) {
                adapterPackages.add(c.getPackageName() + "..");
            }
        }
        noClasses().should().dependOnClassesThat().resideInAnyPackage(adapterPackages.toArray(String[]::new))
                .because("the backend reaches engines only through the io.gantry.spi port")
                .check(backend);
    }

    @Test
    void backendClassesAreNotInAdapterPackages() {
        noClasses().should().resideInAnyPackage(KNOWN_ADAPTER_PACKAGES.stream().map(p -> p + "..").toArray(String[]::new))
                .check(backend);
    }

    @Test
    void backendFeaturePackagesHaveNoCycles() {
        // package by feature (issue 15): a cycle between two features means neither can change alone; what both
        // need (the problem contract, the acting user) lives in a package below them, and news travels as events
        slices().matching("io.gantry.(*)..").should().beFreeOfCycles().check(backend);
    }

    @Test
    void everyModuleLogsThroughSlf4j() {
        // one logging API (issue 15): java.util.logging or System.Logger calls would bypass the backend's
        // Logback configuration and log in another format; the daemon jar binds SLF4J to JUL itself
        noClasses().should().dependOnClassesThat().resideInAPackage("java.util.logging..")
                .orShould().dependOnClassesThat().belongToAnyOf(System.Logger.class)
                .check(everything);
    }
}
