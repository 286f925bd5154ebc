package io.agentrelay.relay;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The relay's packages depend downward only (README, "How it is built"): a cycle would let a change in one package
 * break another that seems unrelated, and a dialect that reached past its contract would stop being a codec.
 */
@AnalyzeClasses(packages = "io.agentrelay.relay", importOptions = ImportOption.DoNotIncludeTests.class)
class PackageRulesTest {

    @ArchTest
    static final ArchRule packagesAreFreeOfCycles = slices().matching("io.agentrelay.relay.(*)..")
        .should().beFreeOfCycles();

    @ArchTest
    static final ArchRule dialectsAreCodecsOnly = noClasses().that().resideInAPackage("io.agentrelay.relay.dialect..")
        .should().dependOnClassesThat().resideInAnyPackage(
            "io.agentrelay.relay",
            "io.agentrelay.relay.api..",
            "io.agentrelay.relay.fanout..",
            "io.agentrelay.relay.inbound..",
            "io.agentrelay.relay.kafka..",
            "io.agentrelay.relay.server..",
            "io.agentrelay.relay.session..",
            "io.agentrelay.relay.state..",
            "org.apache.kafka..")
        .because("a dialect is a codec: entity facts reach it through interfaces its own package owns");
}
