package io.agentrelay.relay.kafka;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.agentrelay.relay.config.RelayConfig;
import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.Command;
import io.agentrelay.common.protocol.ErrorCode;
import io.agentrelay.common.protocol.RelayException;
import io.agentrelay.common.trace.Traceparent;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.bulkhead.ThreadPoolBulkhead;
import io.github.resilience4j.bulkhead.ThreadPoolBulkheadConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes commands to the command topic, keyed by target entity, and reports when Kafka acknowledged each.
 *
 * <p>The caller's thread (an I/O thread) never blocks: {@code send}, which may wait for metadata, runs on a small
 * bounded pool (a Resilience4j thread-pool bulkhead). A Resilience4j circuit breaker counts failed sends; when Kafka
 * is down it opens, and commands fail at once with {@link ErrorCode#UNAVAILABLE} instead of each waiting out the
 * timeout. It lets trial commands through after a pause, and closes again when they succeed. A command that Kafka
 * refuses for what it is (too large) is that client's error, {@link CommandTooLargeException}: it is checked before
 * sending and, whatever the broker's own limit, never counts as a failure of Kafka, so no client can open the circuit
 * for the others.
 */
public final class CommandPublisher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CommandPublisher.class);
    private static final int LINGER_MS = 1;
    /** The producer's limit on a request; the broker's default limit on a record batch is about the same. */
    private static final int MAX_REQUEST_BYTES = 1024 * 1024;
    /** What a command's JSON may take of it: the rest is for the key, the trace header and the batch's framing. */
    private static final int MAX_COMMAND_BYTES = MAX_REQUEST_BYTES - 8 * 1024;

    private final String topic;
    // Its own refresh thread: closed with the publisher.
    private volatile KafkaClientMetrics clientMetrics;
    private final Producer<String, byte[]> producer;
    private final CircuitBreaker breaker;
    private final ThreadPoolBulkhead bulkhead;
    /*
     * What the health probe last found. The breaker lets a trial command through a while after it opened; while the
     * probe knows Kafka is down, that trial would only wait out the whole command timeout, so none is let through.
     */
    private volatile boolean kafkaReachable = true;

    /**
     * @param config the node's settings: Kafka, topic names and the command timeout
     */
    public CommandPublisher(RelayConfig config) {
        this.topic = config.kafka().topics().commands();
        int timeoutMs = (int) Math.max(config.commandTimeout().toMillis(), 2L * LINGER_MS + 1);
        this.producer = new KafkaProducer<>(Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafka().bootstrapServers(),
            ProducerConfig.CLIENT_ID_CONFIG, config.nodeId() + "-commands",
            ProducerConfig.ACKS_CONFIG, "all",
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
            ProducerConfig.LINGER_MS_CONFIG, LINGER_MS,
            ProducerConfig.MAX_REQUEST_SIZE_CONFIG, MAX_REQUEST_BYTES,
            // Every wait for Kafka ends within the command timeout, so that a client hears back in time.
            ProducerConfig.MAX_BLOCK_MS_CONFIG, timeoutMs,
            ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs - LINGER_MS,
            ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, timeoutMs),
            new StringSerializer(), new ByteArraySerializer());
        this.breaker = CircuitBreaker.of("kafka-commands", CircuitBreakerConfig.custom()
            .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
            .slidingWindowSize(10)
            .minimumNumberOfCalls(3)
            .failureRateThreshold(50)
            .waitDurationInOpenState(Duration.ofSeconds(2))
            .permittedNumberOfCallsInHalfOpenState(2)
            .automaticTransitionFromOpenToHalfOpenEnabled(false)
            // What one client sent, not the state of Kafka: neither a failure nor a success of the circuit.
            .ignoreExceptions(RecordTooLargeException.class, RecordBatchTooLargeException.class)
            .build());
        this.bulkhead = ThreadPoolBulkhead.of("kafka-command-send", ThreadPoolBulkheadConfig.custom()
            .coreThreadPoolSize(1)
            .maxThreadPoolSize(2)
            .queueCapacity(10_000)
            .build());
    }

    /**
     * Publishes a command.
     *
     * @param command the command
     * @param trace   its trace context, sent as the record's {@code traceparent} header
     * @return completes when Kafka acknowledged it, or fails with a {@link RelayException}: of code
     *     {@link ErrorCode#UNAVAILABLE} when Kafka cannot take commands now, a {@link CommandTooLargeException} or
     *     {@link ErrorCode#INVALID_REQUEST} when it never could take this one
     */
    public CompletableFuture<RecordMetadata> publish(Command command, Traceparent trace) {
        // Written here, so that its size is known before it takes a permit of the circuit: no larger than the frame or
        // body it came in, which the caller already parsed.
        byte[] value;
        try {
            value = Json.toBytes(command);
        } catch (UncheckedIOException e) {
            return CompletableFuture.failedFuture(new RelayException(ErrorCode.INVALID_REQUEST,
                "the command cannot be written as JSON: " + e.getCause().getMessage(), e));
        }
        if (value.length > MAX_COMMAND_BYTES) {
            return CompletableFuture.failedFuture(new CommandTooLargeException("the command is " + value.length
                + " bytes; a command may be at most " + MAX_COMMAND_BYTES, null));
        }
        if (!kafkaReachable || !breaker.tryAcquirePermission()) {
            return CompletableFuture.failedFuture(
                new RelayException(ErrorCode.UNAVAILABLE, "Kafka is unavailable; retry later"));
        }
        CompletableFuture<RecordMetadata> acknowledged = new CompletableFuture<>();
        try {
            bulkhead.executeRunnable(() -> send(command.target().name(), value, trace, acknowledged));
        } catch (BulkheadFullException e) {
            breaker.releasePermission();
            acknowledged.completeExceptionally(
                new RelayException(ErrorCode.UNAVAILABLE, "the relay has too many commands in flight; retry later"));
        }
        return acknowledged;
    }

    /**
     * Opens the circuit from outside, as when the health probe finds Kafka unreachable: commands then fail at once
     * until the probe finds it {@link #kafkaReachable() reachable} again and trial commands succeed.
     */
    public void kafkaUnreachable() {
        kafkaReachable = false;
        if (breaker.getState() == CircuitBreaker.State.CLOSED || breaker.getState() == CircuitBreaker.State.HALF_OPEN) {
            LOG.warn("Kafka unreachable: refusing commands until it answers again");
            breaker.transitionToOpenState();
        }
    }

    /** Lets trial commands through again (once the breaker's pause is over), as the health probe found Kafka. */
    public void kafkaReachable() {
        kafkaReachable = true;
    }

    /** The circuit breaker's state, for health and stats. */
    public CircuitBreaker.State circuitState() {
        return breaker.getState();
    }

    /**
     * Exports the command producer's own metrics (request latency, errors, retries).
     *
     * @param registry where to
     */
    public void bindMetrics(MeterRegistry registry) {
        clientMetrics = new KafkaClientMetrics(producer);
        clientMetrics.bindTo(registry);
    }

    /** Flushes and closes the producer. */
    @Override
    public void close() {
        if (clientMetrics != null) {
            clientMetrics.close();
        }
        producer.close(Duration.ofSeconds(5));
        try {
            bulkhead.close();
        } catch (Exception e) {
            LOG.warn("Closing the command bulkhead failed", e);
        }
    }

    private void send(String key, byte[] value, Traceparent trace, CompletableFuture<RecordMetadata> acknowledged) {
        long started = System.nanoTime();
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, key, value);
        record.headers().add(Traceparent.HEADER, trace.bytes());
        try {
            producer.send(record, (metadata, failure) -> {
                long elapsed = System.nanoTime() - started;
                if (failure == null) {
                    breaker.onSuccess(elapsed, TimeUnit.NANOSECONDS);
                    acknowledged.complete(metadata);
                } else {
                    breaker.onError(elapsed, TimeUnit.NANOSECONDS, failure);
                    acknowledged.completeExceptionally(refused(failure));
                }
            });
        } catch (KafkaException e) {
            breaker.onError(System.nanoTime() - started, TimeUnit.NANOSECONDS, e);
            acknowledged.completeExceptionally(refused(e));
        }
    }

    private static RelayException refused(Throwable failure) {
        if (failure instanceof RecordTooLargeException || failure instanceof RecordBatchTooLargeException) {
            return new CommandTooLargeException("Kafka refused the command as too large: " + failure.getMessage(),
                failure);
        }
        return new RelayException(ErrorCode.UNAVAILABLE, "Kafka did not accept the command: " + failure.getMessage(),
            failure);
    }
}
