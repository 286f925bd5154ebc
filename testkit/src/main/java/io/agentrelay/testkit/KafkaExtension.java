package io.agentrelay.testkit;

import java.util.UUID;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives tests a running {@link EmbeddedKafka} and a {@link TopicPrefix} of their own.
 *
 * <p>One broker serves every test class of a test JVM (Failsafe runs two side by side, each with its broker): it
 * starts on first use (a few seconds) and is closed, storage and all, when the JVM's run ends, also when tests fail. Tests stay apart by topic prefix, never by broker. A test that
 * stops its broker must start one of its own with {@link EmbeddedKafka#startNew()}.
 *
 * <pre>{@code
 * @ExtendWith(KafkaExtension.class)
 * class SomethingIT {
 *     @Test
 *     void works(EmbeddedKafka kafka, TopicPrefix prefix) { ... }
 * }
 * }</pre>
 */
public final class KafkaExtension implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(KafkaExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == EmbeddedKafka.class || type == TopicPrefix.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        if (parameter.getParameter().getType() == TopicPrefix.class) {
            return uniquePrefix();
        }
        return sharedBroker(context);
    }

    /**
     * The run's broker, started on first use; for other extensions that build on it.
     *
     * @param context any extension context of the run
     * @return the broker
     */
    public static EmbeddedKafka sharedBroker(ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE)
            .getOrComputeIfAbsent(EmbeddedKafka.class, key -> EmbeddedKafka.startNew(), EmbeddedKafka.class);
    }

    /** A topic prefix no other test uses. */
    public static TopicPrefix uniquePrefix() {
        return new TopicPrefix("t" + UUID.randomUUID().toString().replace("-", "").substring(0, 12));
    }
}
