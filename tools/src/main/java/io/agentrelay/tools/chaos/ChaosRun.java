package io.agentrelay.tools.chaos;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentrelay.client.ChannelHandler;
import io.agentrelay.tools.token.Hs256Tokens;
import io.agentrelay.client.RelayClient;
import io.agentrelay.client.RelayErrorException;
import io.agentrelay.tools.chaos.ClientLog.Seen;
import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.Envelope;
import io.agentrelay.common.protocol.ErrorCode;
import io.agentrelay.common.protocol.Position;
import io.agentrelay.common.topic.Topics;
import org.apache.kafka.common.TopicPartition;

/**
 * Runs a chaos plan against a fleet: opens the clients through its load balancer, starts the workflows evenly over
 * the window (each client subscribes to its workflow's channel first, and retries the start with the same request id
 * until the relay accepts it), waits for every workflow to end and the firehose to go quiet, then reads the run's
 * events from Kafka and checks every client's stream against them. What kills parts of the fleet meanwhile is not its
 * business (see {@code scripts/chaos}).
 */
final class ChaosRun {

    private static final Duration RETRY_PAUSE = Duration.ofMillis(250);
    private static final Duration QUIET = Duration.ofSeconds(3);

    private final ChaosPlan plan;
    private final PrintStream progress;
    private final Topics topics;
    private final List<RelayClient> clients = new ArrayList<>();
    private final List<ClientLog> logs = new ArrayList<>();
    private final List<RelayClient> firehoseClients = new ArrayList<>();
    private final List<ClientLog> firehoseLogs = new ArrayList<>();
    private final List<WorkflowTrack> tracks = new ArrayList<>();
    private long began;

    ChaosRun(ChaosPlan plan, PrintStream progress) {
        this.plan = plan;
        this.progress = progress;
        this.topics = new Topics(plan.topicPrefix());
    }

    ChaosSummary run() throws Exception {
        String topicReport = TopicReplication.describe(plan.bootstrapServers(), topics);
        progress.println("topics: " + topicReport);
        ExecutorService connecting = Executors.newFixedThreadPool(8);
        try {
            open(connecting);
            long[] firehoseEpochs = firehoseClients.stream().mapToLong(RelayClient::reconnects).toArray();
            Map<TopicPartition, Long> from = KafkaLog.stableEnds(plan.bootstrapServers(), topics);
            began = System.nanoTime();
            progress.printf("live: %d clients, %d on global%n", clients.size(), firehoseClients.size());
            progress.flush();
            long deadline = System.nanoTime() + plan.startWindow().plus(plan.settle()).toNanos();
            startWorkflows(connecting, deadline);
            awaitEnds(deadline);
            awaitQuietFirehose();
            Map<TopicPartition, Long> to = KafkaLog.stableEnds(plan.bootstrapServers(), topics);
            KafkaLog kafka = KafkaLog.read(plan.bootstrapServers(), topics, from, to);
            return summarize(kafka, topicReport, firehoseEpochs);
        } finally {
            connecting.shutdownNow();
            clients.forEach(RelayClient::close);
            firehoseClients.forEach(RelayClient::close);
        }
    }

    private void open(ExecutorService connecting) throws Exception {
        List<CompletableFuture<Void>> opened = new ArrayList<>();
        for (int i = 0; i < plan.globalClients(); i++) {
            RelayClient client = client("chaos-" + plan.runId() + "-global-" + i, List.of("global"));
            ClientLog log = new ClientLog();
            firehoseClients.add(client);
            firehoseLogs.add(log);
            opened.add(CompletableFuture.runAsync(() -> {
                connect(client);
                await(client.subscribe("global", event -> recordFirehose(client, log, event)), "subscribe to global");
            }, connecting));
        }
        for (int i = 0; i < plan.clients(); i++) {
            RelayClient client = client("chaos-" + plan.runId() + "-" + i, List.of("workflow:*"));
            clients.add(client);
            logs.add(new ClientLog());
            opened.add(CompletableFuture.runAsync(() -> connect(client), connecting));
        }
        CompletableFuture.allOf(opened.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
    }

    private RelayClient client(String subject, List<String> channels) {
        URI endpoint = plan.url();
        if (plan.secret() != null) {
            String token = Hs256Tokens.mint(plan.secret(), subject, channels, List.of("execute_workflow"),
                Duration.ofHours(2));
            endpoint = URI.create(plan.url() + "?token=" + token);
        }
        return RelayClient.builder()
            .endpoints(List.of(endpoint))
            .backoff(Duration.ofMillis(100), Duration.ofSeconds(2))
            .requestTimeout(Duration.ofSeconds(10))
            .build();
    }

    private static void connect(RelayClient client) {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (true) {
            try {
                client.connect();
                return;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("no relay answered through the load balancer", e);
                }
                pause(RETRY_PAUSE);
            }
        }
    }

    private void startWorkflows(ExecutorService connecting, long deadline) throws InterruptedException {
        for (int k = 0; k < plan.workflows(); k++) {
            tracks.add(new WorkflowTrack("chaos-" + plan.runId() + "-" + k, k % plan.clients()));
        }
        ExecutorService starting = Executors.newFixedThreadPool(32);
        try {
            long began = System.nanoTime();
            long interval = plan.startWindow().toNanos() / plan.workflows();
            List<CompletableFuture<Void>> started = new ArrayList<>();
            for (WorkflowTrack track : tracks) {
                long due = began + interval * started.size();
                LockSupport.parkNanos(due - System.nanoTime());
                started.add(CompletableFuture.runAsync(() -> start(track, deadline), starting));
                if (started.size() % Math.max(1, plan.workflows() / 10) == 0) {
                    progress.printf("started %d of %d workflows%n", started.size(), plan.workflows());
                }
            }
            CompletableFuture.allOf(started.toArray(CompletableFuture[]::new)).join();
        } finally {
            starting.shutdownNow();
            starting.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    /** Subscribes the workflow's client to its channel, then starts it, retrying both until they hold. */
    private void start(WorkflowTrack track, long deadline) {
        RelayClient client = clients.get(track.client());
        ClientLog log = logs.get(track.client());
        ChannelHandler handler = event -> {
            Position position = Position.decode(event.pos());
            log.add(track.channel(), new Seen(position.offset(), client.reconnects(), System.nanoTime()));
            track.onEvent(event.event());
        };
        CompletableFuture<Envelope> subscribed = client.subscribe(track.channel(), handler);
        while (System.nanoTime() < deadline) {
            try {
                subscribed.get(10, TimeUnit.SECONDS);
                break;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException e) {
                // The client does not keep a subscription that failed (refused, or sent while disconnected):
                // make it again.
                pause(RETRY_PAUSE);
                subscribed = client.subscribe(track.channel(), handler);
            } catch (TimeoutException e) {
                // Still pending: the client makes it again on its next connection, and its position is known
                // once the relay has answered one of them.
                if (client.lastPosition(track.channel()).isPresent()) {
                    break;
                }
            }
        }
        ObjectNode workflow = workflow(track.id());
        while (System.nanoTime() < deadline) {
            track.attempted();
            try {
                Envelope accepted = client.request("start-" + track.id(), "execute_workflow", workflow)
                    .get(15, TimeUnit.SECONDS);
                track.acknowledged(accepted.data().path("command_id").asText(), System.nanoTime());
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RelayErrorException error
                    && !error.code().map(ErrorCode::retriable).orElse(false)) {
                    track.refused(error.getMessage());
                    return;
                }
            } catch (TimeoutException e) {
                // Sent again below, with the same request id: the same command.
            }
            pause(RETRY_PAUSE);
        }
    }

    private ObjectNode workflow(String id) {
        ObjectNode workflow = Json.object().put("workflow_id", id);
        ArrayNode nodes = workflow.putArray("nodes");
        nodes.addObject().put("id", "plan").put("tool", "echo").putObject("params").put("message", "plan " + id);
        nodes.addObject().put("id", "work").put("tool", "sleep").putObject("params").put("ms", plan.stepMillis());
        nodes.addObject().put("id", "report").put("tool", "echo").putObject("params").put("message", "done");
        ArrayNode edges = workflow.putArray("edges");
        edges.addObject().put("from", "plan").put("to", "work");
        edges.addObject().put("from", "work").put("to", "report");
        return workflow;
    }

    private void awaitEnds(long deadline) {
        long lastReport = System.nanoTime();
        while (System.nanoTime() < deadline) {
            long open = tracks.stream().filter(track -> track.isAcknowledged() && track.outcome() == null).count();
            if (open == 0) {
                return;
            }
            if (System.nanoTime() - lastReport > Duration.ofSeconds(10).toNanos()) {
                progress.printf("waiting for %d workflows to end%n", open);
                lastReport = System.nanoTime();
            }
            pause(Duration.ofMillis(200));
        }
        progress.println("the settle time is over; checking what arrived");
    }

    private void awaitQuietFirehose() {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        long last = -1;
        long quietSince = System.nanoTime();
        while (System.nanoTime() < deadline) {
            long now = firehoseLogs.stream().mapToLong(ClientLog::size).sum();
            if (now != last) {
                last = now;
                quietSince = System.nanoTime();
            } else if (System.nanoTime() - quietSince > QUIET.toNanos()) {
                return;
            }
            pause(Duration.ofMillis(200));
        }
    }

    private static void recordFirehose(RelayClient client, ClientLog log, Envelope event) {
        if (event.pos() == null || event.room() == null) {
            return;
        }
        Position position = Position.decode(event.pos());
        String namespace = event.room().substring(0, Math.max(0, event.room().indexOf(':')));
        log.add(KafkaLog.partitionKey(namespace, position.partition()),
            new Seen(position.offset(), client.reconnects(), System.nanoTime()));
    }

    private ChaosSummary summarize(KafkaLog kafka, String topicReport, long[] firehoseEpochs) {
        StreamCheck check = new StreamCheck();
        long checkedAt = System.nanoTime();
        long[] pauses = new long[tracks.size()];
        StreamCheck.Pause longest = new StreamCheck.Pause(0, began);
        String longestWorkflow = "none";
        for (int i = 0; i < tracks.size(); i++) {
            WorkflowTrack track = tracks.get(i);
            StreamCheck.Pause pause = check.checkWorkflow(kafka, logs.get(track.client()), track, checkedAt);
            pauses[i] = pause.nanos();
            if (pause.nanos() > longest.nanos()) {
                longest = pause;
                longestWorkflow = track.id();
            }
        }
        for (int i = 0; i < firehoseClients.size(); i++) {
            check.checkFirehose(kafka, firehoseLogs.get(i), firehoseEpochs[i]);
        }
        Arrays.sort(pauses);
        long p99 = pauses.length == 0 ? 0 : pauses[Math.min(pauses.length - 1, (int) (pauses.length * 0.99))];
        long sent = tracks.stream().mapToLong(WorkflowTrack::attempts).sum();
        long acknowledged = tracks.stream().filter(WorkflowTrack::isAcknowledged).count();
        long refused = tracks.stream().filter(track -> track.refusal() != null).count();
        long secondCommands = tracks.stream().mapToLong(track -> Math.max(0, track.commands() - 1)).sum();
        long reconnects = clients.stream().mapToLong(RelayClient::reconnects).sum()
            + firehoseClients.stream().mapToLong(RelayClient::reconnects).sum();
        long repeats = clients.stream().mapToLong(RelayClient::repeatsDropped).sum()
            + firehoseClients.stream().mapToLong(RelayClient::repeatsDropped).sum();
        long unacknowledged = plan.workflows() - acknowledged;
        return new ChaosSummary(plan.url().toString(), plan.clients(), plan.globalClients(), topicReport,
            plan.workflows(), sent, acknowledged, refused, secondCommands, check.completed, check.failed,
            check.unfinished, List.copyOf(check.unfinishedWorkflows), check.workflowExpected, check.workflowDelivered, check.missing, check.duplicated,
            check.outOfOrder, check.notInKafka, check.globalExpected, check.globalDelivered,
            check.globalMissedWhileReconnecting, check.globalLost, check.globalDuplicated, check.globalOutOfOrder,
            repeats, reconnects, TimeUnit.NANOSECONDS.toMillis(longest.nanos()), longestWorkflow,
            TimeUnit.NANOSECONDS.toMillis(longest.since() - began), TimeUnit.NANOSECONDS.toMillis(p99),
            check.problems() + unacknowledged + secondCommands);
    }

    private static <T> T await(CompletableFuture<T> future, String what) {
        try {
            return future.get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + what, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not " + what, e);
        }
    }

    private static void pause(Duration duration) {
        LockSupport.parkNanos(duration.toNanos());
    }
}
