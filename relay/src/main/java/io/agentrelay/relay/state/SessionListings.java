package io.agentrelay.relay.state;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.agentrelay.runtime.config.KafkaSettings;
import io.agentrelay.common.protocol.Channel;
import io.agentrelay.common.protocol.Namespace;
import io.agentrelay.common.state.SessionSnapshot;
import io.agentrelay.relay.fanout.EventFanout;
import io.agentrelay.relay.session.SessionRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends each change of the active sessions ({@code active_sessions}) to the connections whose dialect lists them, in
 * the order of the changes, and a change that ends sessions only once this node delivered those sessions' last
 * events: a dashboard sees a session's last agent frames before the listing without it.
 *
 * <p>The state topic and the events topic are read by two consumers, so a session's end (in the state topic) can be
 * read before its last events, although an executor commits both in one transaction. When a session ends, the end of
 * its event partition (all records, committed or not) is looked up, and the listing waits until the fan-out read that
 * far. It waits at most {@link #MOST_WAIT}: a dead executor's open transaction can hold the partition back until the
 * broker aborts it.
 *
 * <p>Listings are built and sent on a thread of their own, never on the thread that completed the wait (the fan-out,
 * Kafka's admin client): building one per connection must not hold up the events of every client.
 */
public final class SessionListings implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SessionListings.class);
    /** Above the executors' default transaction timeout (10 s), after which the broker aborts a dead one's. */
    static final Duration MOST_WAIT = Duration.ofSeconds(15);

    private final SessionRegistry sessions;
    private final EventFanout fanout;
    private final Admin admin;
    private final ExecutorService sender;
    // Guarded by this: the last listing queued, which the next one waits for, and its sessions.
    private CompletableFuture<Void> last = CompletableFuture.completedFuture(null);
    private List<SessionSnapshot> lastQueued;

    /**
     * @param kafka    how to reach Kafka, to find the ends of event partitions
     * @param nodeId   the relay node, for the admin client's id
     * @param sessions the node's connections
     * @param fanout   the event fan-out
     * @param active   the sessions active now, until the first change
     */
    public SessionListings(KafkaSettings kafka, String nodeId, SessionRegistry sessions, EventFanout fanout,
                           List<SessionSnapshot> active) {
        this.sessions = sessions;
        this.fanout = fanout;
        this.lastQueued = List.copyOf(active);
        this.sender = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, nodeId + "-session-listings");
            thread.setDaemon(true);
            return thread;
        });
        this.admin = Admin.create(Map.of(
            AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
            AdminClientConfig.CLIENT_ID_CONFIG, nodeId + "-session-listings"));
    }

    /**
     * Queues a change; called on the directory's thread, in the order of the changes.
     *
     * @param change the change
     */
    public synchronized void onSessionsChanged(SessionsChanged change) {
        CompletableFuture<Void> delivered = lastEventsDelivered(change.ended());
        lastQueued = change.active();
        last = last.exceptionally(failure -> null).thenCompose(previous -> delivered)
            .thenRunAsync(() -> send(change.active()), sender);
    }

    /**
     * What a new connection is shown first: the sessions of the last listing queued, so that no listing sent to it
     * afterwards is older than its first (the directory's present can be ahead of listings still waiting).
     *
     * @return the sessions of the last listing queued
     */
    public synchronized List<SessionSnapshot> lastQueued() {
        return lastQueued;
    }

    @Override
    public void close() {
        sender.shutdownNow();
        admin.close(Duration.ofSeconds(5));
    }

    private CompletableFuture<Void> lastEventsDelivered(List<String> ended) {
        List<TopicPartition> partitions = ended.stream()
            .map(id -> Channel.of(Namespace.WORKFLOW, id))
            .filter(fanout::hasSubscribers)
            .map(channel -> fanout.locate(channel).partition())
            .distinct()
            .toList();
        if (partitions.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        Map<TopicPartition, OffsetSpec> latest = partitions.stream()
            .collect(Collectors.toMap(Function.identity(), partition -> OffsetSpec.latest()));
        // Kafka's own futures refuse completeOnTimeout: the ends are handed to a plain one.
        CompletableFuture<Map<TopicPartition, ListOffsetsResultInfo>> found = new CompletableFuture<>();
        admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED)).all()
            .whenComplete((ends, failure) -> {
                if (failure == null) {
                    found.complete(ends);
                } else {
                    found.completeExceptionally(failure);
                }
            });
        return found
            .thenCompose(ends -> CompletableFuture.allOf(ends.entrySet().stream()
                .map(end -> fanout.whenRead(end.getKey(), end.getValue().offset()))
                .toArray(CompletableFuture[]::new)))
            .completeOnTimeout(null, MOST_WAIT.toMillis(), TimeUnit.MILLISECONDS)
            .exceptionally(failure -> {
                LOG.warn("Could not wait for the last events of the ended sessions {}; listing them at once", ended,
                    failure);
                return null;
            });
    }

    /** Never fails: a failed listing must not end the order of the next ones. */
    private void send(List<SessionSnapshot> active) {
        try {
            sessions.forEach(session -> {
                byte[] frame = session.dialect().sessionsChanged(session.connection(), active);
                if (frame != null) {
                    session.send(frame);
                }
            });
        } catch (RuntimeException e) {
            LOG.error("Could not send the active sessions to every connection", e);
        }
    }
}
