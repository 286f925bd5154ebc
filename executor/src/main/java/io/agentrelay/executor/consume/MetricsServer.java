package io.agentrelay.executor.consume;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.node.ObjectNode;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.agentrelay.common.json.Json;
import io.agentrelay.runtime.metrics.Metrics;

/**
 * The executor's small HTTP server: {@code GET /metrics} (Prometheus text) and {@code GET /health}: 200
 * {@code {"status":"UP"}}, or 503 {@code {"status":"DOWN","reason":…}} when the executor cannot do its work. The JDK's
 * own server is enough for a scrape every few seconds; the executor serves no clients.
 */
final class MetricsServer implements AutoCloseable {

    private final HttpServer server;

    /**
     * @param port    the port; 0 for a free one
     * @param metrics what {@code /metrics} serves
     * @param health  what is wrong with the executor, if anything; called on the server's thread
     */
    MetricsServer(int port, Metrics metrics, Supplier<Optional<String>> health) {
        try {
            this.server = HttpServer.create(new InetSocketAddress(port), 16);
        } catch (IOException e) {
            throw new IllegalStateException("cannot listen on port " + port + " for /metrics: " + e.getMessage(), e);
        }
        server.createContext("/metrics", exchange -> respond(exchange, 200, Metrics.CONTENT_TYPE, metrics.scrape()));
        server.createContext("/health", exchange -> {
            Optional<String> problem = health.get();
            ObjectNode body = Json.object().put("status", problem.isEmpty() ? "UP" : "DOWN");
            problem.ifPresent(reason -> body.put("reason", reason));
            respond(exchange, problem.isEmpty() ? 200 : 503, "application/json", body.toString());
        });
        server.setExecutor(Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, "metrics-http");
            thread.setDaemon(true);
            return thread;
        }));
        server.start();
    }

    /** The port it listens on; the real one when 0 was asked for. */
    int port() {
        return server.getAddress().getPort();
    }

    private static void respond(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        try (exchange) {
            if (!"GET".equals(exchange.getRequestMethod())) {
                exchange.getResponseHeaders().set("Allow", "GET");
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", contentType);
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
