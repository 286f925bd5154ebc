package io.agentrelay.tools.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.agentrelay.common.protocol.Channel;
import io.agentrelay.common.protocol.Event;
import io.agentrelay.common.topic.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code relay bench publish}: numbered {@code bench.tick} events written straight to the event topics at a steady
 * rate, as executors write them: in Kafka transactions, each holding the events that came due while the one before
 * committed. Spread round-robin over channels; each channel's {@code seq} counts from 0, so clients can tell a gap
 * or a repeat.
 */
@Command(name = "publish", mixinStandardHelpOptions = true,
    description = "Publishes numbered events to Kafka at a steady rate, as an executor would.")
final class PublishCommand implements Callable<Integer> {

    /** How long the producer has to finish its last commit when it closes; the stop signal's hook waits longer. */
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    KafkaOptions kafka;

    @Option(names = "--channel", defaultValue = "workflow:bench-{i}", paramLabel = "PATTERN",
        description = "Channels; {i} runs from 0 to --channels - 1 (${DEFAULT-VALUE}).")
    String channel;

    @Option(names = "--channels", defaultValue = "1", description = "How many channels (${DEFAULT-VALUE}).")
    int channels;

    @Option(names = "--rate", defaultValue = "1000", description = "Events a second in all (${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--duration", defaultValue = "30", paramLabel = "SECONDS", description = "How long.")
    int duration;

    @Option(names = "--payload", defaultValue = "100", paramLabel = "BYTES", description = "Padding per event.")
    int payload;

    @Option(names = "--start-when", paramLabel = "FILE", description = "Get the producer ready, then wait until FILE "
        + "exists before publishing: a scenario starts this JVM before its clients, so that the publisher's own "
        + "start-up does not take the cores from the server in the first seconds of its fan-out.")
    Path startWhen;

    @Override
    public Integer call() throws Exception {
        if (channels < 1 || payload < 0 || duration < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "channels, payload and duration must be "
                + "positive");
        }
        Channel.Scoped[] targets = new Channel.Scoped[channels];
        for (int i = 0; i < channels; i++) {
            targets[i] = Channel.Scoped.parseScoped(channel.replace("{i}", Integer.toString(i)));
        }
        Topics topics = new Topics(kafka.topicPrefix);
        String pad = "x".repeat(payload);
        long[] seq = new long[channels];
        AtomicLong acked = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        long sent = 0;
        long transactions = 0;
        long end = TimeUnit.SECONDS.toNanos(duration);
        int i = 0;
        // Stopped early (the scenarios stop it once their measurement ends), it commits the transaction it is in and
        // closes: a transaction left open would hide every later event of its partitions from read_committed readers
        // until the broker aborts it, a minute later, and stall the next run on the same channels.
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch closed = new CountDownLatch(1);
        Thread stopOnSignal = new Thread(() -> {
            stop.set(true);
            try {
                closed.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "publish-stop");
        Runtime.getRuntime().addShutdownHook(stopOnSignal);
        KafkaProducer<String, Event> producer = null;
        try {
            producer = BenchEvents.transactionalProducer(kafka.bootstrapServers, "bench-publisher");
            while (startWhen != null && !Files.exists(startWhen) && !stop.get()) {
                Thread.sleep(10);
            }
            // Paced from here, once the producer is ready: events due while it registered its transactional id would
            // arrive seconds late, a backlog of the benchmark's own making.
            Pacer pacer = new Pacer(rate);
            Instant wallStart = Instant.now();
            long nanoStart = System.nanoTime();
            while (pacer.elapsedNanos() < end && !stop.get()) {
                // As an executor's steps: the events that came due while a commit was in flight go in the next
                // transaction together, each stamped when it was due, so that its latency includes the wait.
                producer.beginTransaction();
                do {
                    long due = pacer.await();
                    Channel.Scoped target = targets[i];
                    Event event = BenchEvents.tick(target, seq[i]++, pad, wallStart.plusNanos(due - nanoStart));
                    producer.send(new ProducerRecord<>(topics.events(target.namespace()), target.name(), event),
                        (metadata, failure) -> (failure == null ? acked : failed).incrementAndGet());
                    sent++;
                    i = (i + 1) % channels;
                } while (pacer.due() && pacer.elapsedNanos() < end && !stop.get());
                producer.commitTransaction();
                transactions++;
            }
        } finally {
            if (producer != null) {
                // Bounded: with a transaction open and Kafka gone, close() without a timeout tries to abort it forever.
                producer.close(CLOSE_TIMEOUT);
            }
            closed.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(stopOnSignal);
            } catch (IllegalStateException e) {
                // Stopping already: the hook finds the producer closed.
            }
        }
        spec.commandLine().getOut().printf("Published %d events over %d channel(s) in %d s (%.0f/s) in %d "
                + "transactions, %d acknowledged, %d failed%n", sent, channels, duration, sent / (double) duration,
            transactions, acked.get(), failed.get());
        spec.commandLine().getOut().flush();
        return failed.get() == 0 ? 0 : 1;
    }
}
