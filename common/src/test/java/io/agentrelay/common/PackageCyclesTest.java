package io.agentrelay.common;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.syntax.ArchRuleDefinition;

/**
 * The protocol's packages depend downward only ({@code state} and {@code topic} on {@code protocol}, everything on
 * {@code json}), and the protocol reaches no server runtime, so that the client SDK can carry it alone.
 */
@AnalyzeClasses(packages = "io.agentrelay.common", importOptions = ImportOption.DoNotIncludeTests.class)
class PackageCyclesTest {

    @ArchTest
    static final ArchRule noPackageCycles = slices().matching("io.agentrelay.common.(*)..").should().beFreeOfCycles();

    @ArchTest
    static final ArchRule noServerRuntime = ArchRuleDefinition.noClasses().should().dependOnClassesThat()
        .resideInAnyPackage("org.apache.kafka..", "io.micrometer..", "io.agentrelay.runtime..", "io.agentrelay.relay..",
            "io.agentrelay.executor..");
}
