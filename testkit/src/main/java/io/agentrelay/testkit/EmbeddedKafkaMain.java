package io.agentrelay.testkit;

import java.util.concurrent.CountDownLatch;

/**
 * Runs an {@link EmbeddedKafka} broker as a process of its own, for the one-command local run.
 *
 * <p>Prints {@code KAFKA_BOOTSTRAP_SERVERS=<host:port>} on standard output once the broker answers clients, then
 * runs until the process is asked to stop (SIGINT or SIGTERM), when it stops the broker and deletes its storage.
 */
public final class EmbeddedKafkaMain {

    private EmbeddedKafkaMain() {
    }

    /**
     * Starts the broker and blocks until shutdown.
     *
     * @param args ignored
     * @throws InterruptedException if interrupted while waiting for shutdown
     */
    public static void main(String[] args) throws InterruptedException {
        EmbeddedKafka kafka = EmbeddedKafka.startNew();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            kafka.close();
            stopped.countDown();
        }, "embedded-kafka-shutdown"));
        System.out.println("KAFKA_BOOTSTRAP_SERVERS=" + kafka.bootstrapServers());
        System.out.flush();
        stopped.await();
    }
}
