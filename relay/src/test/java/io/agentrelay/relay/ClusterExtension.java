package io.agentrelay.relay;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import io.agentrelay.testkit.KafkaExtension;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives each test a {@link LocalCluster} of its own (relays and an executor on the run's shared broker, with a
 * unique topic prefix and sandbox), closed after the test whatever its outcome. {@link Relays} on the class sets the
 * number of relay nodes.
 */
final class ClusterExtension implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(ClusterExtension.class);

    /** How many relay nodes the cluster has; one without it. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.TYPE)
    @interface Relays {
        int value();
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == LocalCluster.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Relays relays = context.getRequiredTestClass().getAnnotation(Relays.class);
        // The method-level store closes what it holds when the test ends; a sandbox is deleted after its cluster.
        ExtensionContext.Store store = context.getStore(NAMESPACE);
        Sandbox sandbox = store.getOrComputeIfAbsent(Sandbox.class, key -> Sandbox.create(), Sandbox.class);
        return store.getOrComputeIfAbsent(LocalCluster.class, key -> LocalCluster.start(
            KafkaExtension.sharedBroker(context), KafkaExtension.uniquePrefix(), sandbox.path(),
            relays == null ? 1 : relays.value()), LocalCluster.class);
    }

    /** A temporary directory for the executors' file tools, deleted with its contents. */
    private record Sandbox(Path path) implements AutoCloseable {

        static Sandbox create() {
            try {
                return new Sandbox(Files.createTempDirectory("agent-relay-sandbox-"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close() throws IOException {
            try (Stream<Path> files = Files.walk(path)) {
                for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(file);
                }
            }
        }
    }
}
