package io.agentrelay.relay;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
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

    private static final String RELAY = "io.agentrelay.relay";

    /** One slice per package, the root and each dialect's package included. */
    @ArchTest
    static final ArchRule packagesAreFreeOfCycles = slices().matching("io.agentrelay.(**)")
        .should().beFreeOfCycles();

    /** The README's paragraphs, bottom up: each layer may be used only by those after it. */
    @ArchTest
    static final ArchRule packagesDependDownward = layeredArchitecture().consideringOnlyDependenciesInLayers()
        .layer("config").definedBy(RELAY + ".config")
        .layer("auth").definedBy(RELAY + ".auth")
        .layer("kafka").definedBy(RELAY + ".kafka")
        .layer("dialect").definedBy(RELAY + ".dialect")
        .layer("codecs").definedBy(RELAY + ".dialect.*")
        .layer("session").definedBy(RELAY + ".session")
        .layer("fanout").definedBy(RELAY + ".fanout")
        .layer("inbound").definedBy(RELAY + ".inbound")
        .layer("state").definedBy(RELAY + ".state")
        .layer("api").definedBy(RELAY + ".api")
        .layer("server").definedBy(RELAY + ".server")
        .layer("node").definedBy(RELAY)
        .whereLayer("config").mayOnlyBeAccessedByLayers("auth", "kafka", "dialect", "codecs", "session", "fanout",
            "inbound", "state", "api", "server", "node")
        .whereLayer("auth").mayOnlyBeAccessedByLayers("dialect", "codecs", "session", "fanout", "inbound", "state",
            "api", "server", "node")
        .whereLayer("kafka").mayOnlyBeAccessedByLayers("dialect", "codecs", "session", "fanout", "inbound", "state",
            "api", "server", "node")
        .whereLayer("dialect").mayOnlyBeAccessedByLayers("codecs", "session", "fanout", "inbound", "state", "api",
            "server", "node")
        .whereLayer("codecs").mayOnlyBeAccessedByLayers("session", "fanout", "inbound", "state", "api", "server",
            "node")
        .whereLayer("session").mayOnlyBeAccessedByLayers("fanout", "inbound", "state", "api", "server", "node")
        .whereLayer("fanout").mayOnlyBeAccessedByLayers("inbound", "state", "api", "server", "node")
        .whereLayer("inbound").mayOnlyBeAccessedByLayers("state", "api", "server", "node")
        .whereLayer("state").mayOnlyBeAccessedByLayers("api", "server", "node")
        .whereLayer("api").mayOnlyBeAccessedByLayers("server", "node")
        .whereLayer("server").mayOnlyBeAccessedByLayers("node")
        .whereLayer("node").mayNotBeAccessedByAnyLayer();

    @ArchTest
    static final ArchRule dialectsAreCodecsOnly = classes().that().resideInAPackage(RELAY + ".dialect..")
        .should().onlyDependOnClassesThat().resideInAnyPackage(
            RELAY + ".dialect..",
            RELAY + ".auth",
            "io.agentrelay.common.protocol..",
            "io.agentrelay.common.query..",
            "io.agentrelay.common.json..",
            "io.agentrelay.common.state..",
            "com.fasterxml.jackson..",
            "java..")
        .because("a dialect is a codec: entity facts reach it through interfaces its own package owns");

    @ArchTest
    static final ArchRule codecsStandAlone = slices().matching(RELAY + ".dialect.(*)..")
        .should().notDependOnEachOther()
        .because("each codec is one client protocol; what two share belongs to the dialect contract");

    @ArchTest
    static final ArchRule eventSourceOnlyReads = noClasses().that().haveFullyQualifiedName(RELAY + ".fanout.EventSource")
        .should().dependOnClassesThat().resideInAnyPackage(RELAY + ".session..", RELAY + ".dialect..")
        .orShould().dependOnClassesThat().haveFullyQualifiedName(RELAY + ".fanout.EventHub")
        .because("the event source reads partitions and hands records to a Dispatcher, whoever delivers them");

    @ArchTest
    static final ArchRule eventHubOnlyDelivers = noClasses().that().haveFullyQualifiedName(RELAY + ".fanout.EventHub")
        .should().dependOnClassesThat().resideInAPackage("org.apache.kafka.clients..")
        .because("the hub delivers what it is handed; only the event source holds a Kafka consumer");
}
