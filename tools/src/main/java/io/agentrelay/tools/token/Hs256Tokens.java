package io.agentrelay.tools.token;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

/** Mints HS256 tokens that a relay running with {@code RELAY_JWT_SECRET} accepts, for tests, tools and operators. */
public final class Hs256Tokens {

    private Hs256Tokens() {
    }

    /**
     * @param secret   the relay's secret, at least 32 bytes
     * @param subject  who the token names; commands are idempotent per subject and request id
     * @param channels channel patterns it may subscribe to, such as {@code workflow:*}; {@code global} only if named
     * @param commands commands it may send, or {@code *}
     * @param ttl      how long it is valid
     * @return the signed token
     * @throws IllegalArgumentException when the secret is shorter than 32 bytes
     */
    public static String mint(String secret, String subject, List<String> channels, List<String> commands,
                              Duration ttl) {
        byte[] key = secret == null ? new byte[0] : secret.getBytes(StandardCharsets.UTF_8);
        if (key.length < 32) {
            throw new IllegalArgumentException("the secret must be at least 32 bytes");
        }
        Instant now = Instant.now();
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder()
            .subject(subject)
            .issueTime(Date.from(now))
            .expirationTime(Date.from(now.plus(ttl)))
            .claim("channels", channels)
            .claim("commands", commands)
            .build());
        try {
            jwt.sign(new MACSigner(key));
        } catch (JOSEException e) {
            throw new IllegalArgumentException("cannot sign with this secret: " + e.getMessage(), e);
        }
        return jwt.serialize();
    }
}
