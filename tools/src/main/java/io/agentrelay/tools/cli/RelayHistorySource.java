package io.agentrelay.tools.cli;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentrelay.client.RelayConnection;
import io.agentrelay.client.RelayErrorException;
import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.Envelope;
import io.agentrelay.common.query.EventQuery;
import io.agentrelay.common.query.ReadScope;

/** Reads history through a relay's {@code replay}: for operators who may reach a relay but not Kafka. */
final class RelayHistorySource implements HistorySource {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private final List<URI> urls;
    private final String token;

    RelayHistorySource(List<URI> urls, String token) {
        this.urls = List.copyOf(urls);
        this.token = token;
    }

    @Override
    public long read(ReadScope scope, Instant from, Instant to, EventQuery query, Sink sink) {
        String requestId = "relay-cli-" + UUID.randomUUID();
        AtomicLong count = new AtomicLong();
        CompletableFuture<Long> done = new CompletableFuture<>();
        try (RelayConnection connection = connect(urls, token)) {
            connection.addListener(frame -> {
                if (done.isDone() || !Boolean.TRUE.equals(frame.replayed())) {
                    return;
                }
                if ("replay.completed".equals(frame.event()) && requestId.equals(frame.correlationId())) {
                    done.complete(count.get());
                } else if (frame.room() != null && scope.includes(frame.room())) {
                    count.incrementAndGet();
                    if (!sink.accept(frame)) {
                        done.complete(count.get());
                    }
                }
            });
            connection.closed().thenAccept(status -> done.completeExceptionally(new SourceException(
                "the relay closed the connection (" + status.code() + " " + status.reason() + ") after "
                    + count.get() + " events", RelayCli.UNREACHABLE)));
            ObjectNode request = Json.object().put("channel", scope.name()).put("from", from.toString())
                .put("speed", 0);
            if (to != null) {
                request.put("to", to.toString());
            }
            query.events().forEach(request.putArray("events")::add);
            ObjectNode where = request.putObject("where");
            query.where().forEach(where::put);
            connection.request(requestId, "replay", request).get(30, TimeUnit.SECONDS);
            return done.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SourceException failure) {
                throw failure;
            }
            if (e.getCause() instanceof RelayErrorException refused) {
                throw new SourceException("the relay refused the replay: " + refused.errorCode() + " "
                    + refused.getMessage(), RelayCli.USAGE);
            }
            throw new SourceException("the replay failed: " + rootMessage(e), RelayCli.UNREACHABLE);
        } catch (TimeoutException e) {
            throw new SourceException("the relay did not answer the replay within 30 s", RelayCli.UNREACHABLE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SourceException("interrupted", RelayCli.UNREACHABLE);
        }
    }

    /** Asks the workflow's owner, through a relay, with {@code get_workflow_status}. */
    @Override
    public Optional<WorkflowState> workflowState(String workflowId) {
        try (RelayConnection connection = connect(urls, token)) {
            Envelope answer = connection.request("get_workflow_status", Json.object().put("workflow_id", workflowId))
                .get(30, TimeUnit.SECONDS);
            return Optional.of(WorkflowState.ofStatus(answer.data()));
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RelayErrorException refused && "NOT_FOUND".equals(refused.errorCode())) {
                return Optional.empty();
            }
            throw new SourceException("get_workflow_status failed: " + rootMessage(e), RelayCli.UNREACHABLE);
        } catch (TimeoutException e) {
            throw new SourceException("the relay did not answer get_workflow_status within 30 s",
                RelayCli.UNREACHABLE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SourceException("interrupted", RelayCli.UNREACHABLE);
        }
    }

    /** The first relay of the list that answers, with the token in the query as relays take it. */
    static RelayConnection connect(List<URI> urls, String token) {
        IOException last = null;
        for (URI url : urls) {
            try {
                return RelayConnection.connect(withToken(url, token), CONNECT_TIMEOUT);
            } catch (IOException e) {
                last = e;
            }
        }
        throw new SourceException("cannot reach a relay at " + urls + ": " + rootMessage(last),
            RelayCli.UNREACHABLE);
    }

    static URI withToken(URI url, String token) {
        if (token == null || token.isBlank()) {
            return url;
        }
        return URI.create(url + (url.getQuery() == null ? "?" : "&") + "token="
            + URLEncoder.encode(token, StandardCharsets.UTF_8));
    }

    static String rootMessage(Throwable failure) {
        if (failure == null) {
            return "no relay given";
        }
        Throwable cause = failure;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }
}
