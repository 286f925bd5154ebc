package io.agentrelay.relay.server;

import io.agentrelay.relay.auth.AuthHandler;
import io.agentrelay.relay.auth.TokenVerifier;
import io.undertow.Handlers;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.resource.ClassPathResourceManager;
import io.undertow.server.handlers.resource.ResourceHandler;

/**
 * The web console's static files, under {@code /console/}. With authentication on, the page itself needs a token
 * ({@code /console/?token=…}), which its script then uses for the WebSocket; the script and style sheet are code,
 * not data, and are served to anyone, since a browser loading them sends no token.
 */
final class ConsoleHandler implements HttpHandler {

    private final HttpHandler page;
    private final HttpHandler assets;

    ConsoleHandler(TokenVerifier verifier) {
        ResourceHandler files = Handlers.resource(new ClassPathResourceManager(ConsoleHandler.class.getClassLoader(),
            "console")).setWelcomeFiles("index.html").setDirectoryListingEnabled(false);
        this.assets = files;
        this.page = new AuthHandler(verifier, files);
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        String file = exchange.getRelativePath();
        boolean isPage = file.isEmpty() || "/".equals(file) || "/index.html".equals(file);
        (isPage ? page : assets).handleRequest(exchange);
    }
}
