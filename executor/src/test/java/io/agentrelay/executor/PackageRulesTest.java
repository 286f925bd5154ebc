package io.agentrelay.executor;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The executor's packages depend downward only (README, "How it is built"), and the tool SPI, which third-party tools
 * compile against, depends on no other package of the executor.
 */
@AnalyzeClasses(packages = "io.agentrelay.executor", importOptions = ImportOption.DoNotIncludeTests.class)
class PackageRulesTest {

    /** One slice per package, the root included. */
    @ArchTest
    static final ArchRule packagesAreFreeOfCycles = slices().matching("io.agentrelay.(**)")
        .should().beFreeOfCycles();

    @ArchTest
    static final ArchRule spiStandsAlone = noClasses().that().resideInAPackage("io.agentrelay.executor.spi..")
        .should().dependOnClassesThat().resideOutsideOfPackages("io.agentrelay.executor.spi..", "io.agentrelay.common..",
            "java..", "com.fasterxml.jackson..")
        .because("tools and planners compile against the SPI; it must not bring the executor's machinery with it");
}
