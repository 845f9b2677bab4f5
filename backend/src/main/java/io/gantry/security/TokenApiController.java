package io.gantry.security;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** {@code /api/v1/tokens}: every signed-in user manages their own API tokens. */
@RestController
class TokenApiController {
    private final ApiTokens tokens;

    TokenApiController(ApiTokens tokens) {
        this.tokens = tokens;
    }

    /**
     * {@code expiresAt}: an RFC 3339 time, {@code "never"} (administrators only) or absent for
     * {@code gantry.security.token-max-age} (90 days) from now.
     */
    record CreateToken(@NotBlank @Size(max = 100) String name, Role role,
            @Schema(description = "RFC 3339 time, \"never\" (ADMIN only), or absent for the default lifetime")
            String expiresAt) {
    }

    /** The only answer that ever contains a token's secret. {@code expiresAt} null: never expires. */
    record CreatedToken(UUID id, String name, Role role, String token, Instant createdAt, Instant expiresAt) {
    }

    record TokenView(UUID id, String name, Role role, Instant createdAt, Instant expiresAt, Instant lastUsedAt,
            Instant revokedAt) {
        static TokenView of(ApiToken t) {
            return new TokenView(t.id(), t.name(), t.role(), t.createdAt(), t.expiresAt(), t.lastUsedAt(), t.revokedAt());
        }
    }

    record TokenPage(List<TokenView> items, long total, String nextCursor) {
    }

    @PostMapping("/api/v1/tokens")
    ResponseEntity<CreatedToken> create(@Valid @RequestBody CreateToken request, Authentication caller) {
        ApiTokens.IssuedToken t = tokens.issue(caller.getName(), Role.of(caller).orElseThrow(), request.name(),
                request.role(), ApiTokens.Expiry.parse(request.expiresAt()));
        return ResponseEntity.created(URI.create("/api/v1/tokens/" + t.id()))
                .body(new CreatedToken(t.id(), t.name(), t.role(), t.token(), t.createdAt(), t.expiresAt()));
    }

    @GetMapping("/api/v1/tokens")
    TokenPage list(Authentication caller) {
        List<TokenView> items = tokens.listOwn(caller.getName()).stream().map(TokenView::of).toList();
        return new TokenPage(items, items.size(), null);
    }

    @DeleteMapping("/api/v1/tokens/{id}")
    ResponseEntity<Void> revoke(@PathVariable UUID id, Authentication caller) {
        tokens.revoke(id, caller.getName(), Role.of(caller).orElseThrow());
        return ResponseEntity.noContent().build();
    }
}
