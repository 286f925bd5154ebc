package io.agentrelay.relay.auth;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.ImmutableSecret;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import io.agentrelay.runtime.config.ConfigException;
import io.agentrelay.relay.config.RelayConfig;

/**
 * Verifies client tokens with Nimbus JOSE+JWT: HS256 with {@code RELAY_JWT_SECRET}, RS256 and ES256 with the keys of
 * {@code RELAY_JWKS_FILE}; signature, {@code exp} and {@code nbf} are checked. The subject is {@code sub}, or
 * {@code userId} for tokens such as Nexus's own {@code /auth/token} issues ({@code {userId, email}}); one of them is
 * required. Thread-safe.
 */
public final class TokenVerifier {

    /** The configured ones of the HS256 and the JWKS processor, tried in that order. */
    private final List<DefaultJWTProcessor<SecurityContext>> processors;

    private TokenVerifier(List<DefaultJWTProcessor<SecurityContext>> processors) {
        this.processors = List.copyOf(processors);
    }

    /**
     * @param config the relay's settings
     * @return a verifier of the configured keys
     * @throws ConfigException when the JWKS file cannot be read
     */
    public static TokenVerifier of(RelayConfig config) {
        List<DefaultJWTProcessor<SecurityContext>> processors = new ArrayList<>(2);
        if (!config.jwtSecret().isEmpty()) {
            processors.add(processor(new JWSVerificationKeySelector<>(JWSAlgorithm.HS256,
                new ImmutableSecret<>(config.jwtSecret().getBytes(StandardCharsets.UTF_8)))));
        }
        if (!config.jwksFile().isEmpty()) {
            try {
                JWKSet set = JWKSet.load(new File(config.jwksFile()));
                processors.add(processor(new JWSVerificationKeySelector<>(
                    Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256), new ImmutableJWKSet<>(set))));
            } catch (IOException | ParseException e) {
                throw new ConfigException("RELAY_JWKS_FILE '" + config.jwksFile() + "' is not a readable JWK set: "
                    + e.getMessage());
            }
        }
        return new TokenVerifier(processors);
    }

    /**
     * @param token a compact JWT
     * @return what the token allows
     * @throws AuthException when it is not a valid token of the configured keys
     */
    public Grants verify(String token) throws AuthException {
        JWTClaimsSet claims = null;
        AuthException failure = new AuthException("no key is configured for this token");
        for (DefaultJWTProcessor<SecurityContext> processor : processors) {
            try {
                claims = processor.process(token, null);
                break;
            } catch (BadJWTException e) {
                failure = new AuthException("token rejected: " + e.getMessage(), e);
            } catch (BadJOSEException | JOSEException e) {
                failure = new AuthException("token signature or algorithm not accepted", e);
            } catch (ParseException e) {
                failure = new AuthException("token is not a JWT", e);
            }
        }
        if (claims == null) {
            throw failure;
        }
        return new Grants(subject(claims), strings(claims, "channels"), new HashSet<>(strings(claims, "commands")),
            claims.getExpirationTime() == null ? null : claims.getExpirationTime().toInstant());
    }

    private static String subject(JWTClaimsSet claims) throws AuthException {
        Object subject = claims.getSubject() != null ? claims.getSubject() : claims.getClaim("userId");
        if (subject instanceof String || subject instanceof Number) {
            if (!subject.toString().isBlank()) {
                return subject.toString();
            }
        }
        throw new AuthException("token rejected: it names no subject ('sub' or 'userId')");
    }

    private static List<String> strings(JWTClaimsSet claims, String name) throws AuthException {
        try {
            List<String> values = claims.getStringListClaim(name);
            return values == null ? List.of() : values;
        } catch (ParseException e) {
            throw new AuthException("claim '" + name + "' must be a list of strings", e);
        }
    }

    private static DefaultJWTProcessor<SecurityContext> processor(
        JWSVerificationKeySelector<SecurityContext> selector) {
        DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
        processor.setJWSKeySelector(selector);
        processor.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(null, Set.of()));
        return processor;
    }
}
