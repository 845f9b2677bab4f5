package io.gantry.workload;

import io.gantry.secret.SecretKeys;
import io.gantry.web.BadRequestException;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.stereotype.Component;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Opaque keyset cursors: the sort and the last row's sort key and id, signed with HMAC-SHA256 so
 * that a client cannot forge a position (a tampered cursor is a 400 naming {@code cursor}).
 */
@Component
public class CursorCodec {
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private final SecretKeySpec key;
    private final JsonMapper json;

    CursorCodec(SecretKeys keys, JsonMapper json) {
        this.key = new SecretKeySpec(keys.derive("cursor"), "HmacSHA256");
        this.json = json;
    }

    /** A position after the row whose sort key is {@code key} and id is {@code id}, for {@code sort}. */
    public record Position(String sort, String key, String id) {
    }

    public String encode(Position position) {
        byte[] payload = json.writeValueAsBytes(List.of(position.sort(), position.key(), position.id()));
        return ENCODER.encodeToString(payload) + "." + ENCODER.encodeToString(sign(payload));
    }

    /** @throws BadRequestException naming {@code cursor} when the server did not issue it */
    public Position decode(String cursor) {
        try {
            int dot = cursor.indexOf('.');
            byte[] payload = DECODER.decode(cursor.substring(0, dot));
            byte[] signature = DECODER.decode(cursor.substring(dot + 1));
            if (!MessageDigest.isEqual(signature, sign(payload))) {
                throw invalid();
            }
            List<String> parts = json.readValue(payload, new TypeReference<List<String>>() {
            });
            return new Position(parts.get(0), parts.get(1), parts.get(2));
        } catch (BadRequestException e) {
            throw e;
        } catch (RuntimeException e) {
            throw invalid();
        }
    }

    private static BadRequestException invalid() {
        return BadRequestException.field("cursor", "is not a cursor this server issued (tampered or truncated)");
    }

    private byte[] sign(byte[] payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(payload);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}
