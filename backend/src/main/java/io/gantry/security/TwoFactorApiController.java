package io.gantry.security;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import io.gantry.web.ConflictException;
import java.time.Instant;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * Two-factor sign-in: one's own authenticator ({@code /api/v1/auth/totp}), an ADMIN's reset of a user's, and the
 * ADMIN's switches ({@code /api/v1/settings/security}): two-factor for everyone, password sign-in ({@code /api/v1/settings/security}).
 */
@RestController
class TwoFactorApiController {
    private final TwoFactor twoFactor;
    private final SecuritySettings settings;
    private final UserAccounts users;
    private final OidcClientRegistrations oidc;

    TwoFactorApiController(TwoFactor twoFactor, SecuritySettings settings, UserAccounts users,
            OidcClientRegistrations oidc) {
        this.oidc = oidc;
        this.twoFactor = twoFactor;
        this.settings = settings;
        this.users = users;
    }

    /** @param required whether an ADMIN requires two-factor sign-in of everyone */
    record TotpStatus(boolean enabled, Instant enabledAt, int recoveryCodesLeft, boolean required) {
    }

    /**
     * @param secret        the Base32 secret, for typing into an app by hand
     * @param otpauthUri    what the QR code holds
     * @param qrCode        the QR code of {@code otpauthUri}, an SVG {@code data:} URI
     * @param recoveryCodes one-time codes for when the phone is gone: shown this once
     */
    record TotpEnrolment(String secret, String otpauthUri, String qrCode, List<String> recoveryCodes) {
    }

    record TotpCode(@NotBlank String code) {
    }

    /** @param passwordLogin whether the login form and {@code POST /api/v1/auth/token} take passwords */
    record SecuritySettingsView(boolean totpRequired, boolean passwordLogin, Instant updatedAt, String updatedBy) {
    }

    /** Every field optional: only what is given changes. */
    record SecuritySettingsChange(Boolean totpRequired, Boolean passwordLogin) {
    }

    @GetMapping("/api/v1/auth/totp")
    TotpStatus status(Authentication caller) {
        TwoFactor.Status status = twoFactor.status(caller.getName());
        return new TotpStatus(status.enabled(), status.enabledAt(), status.recoveryCodesLeft(), settings.totpRequired());
    }

    /** Starts enrolment; nothing changes at sign-in until {@code confirm}. */
    @PostMapping("/api/v1/auth/totp")
    @ResponseStatus(HttpStatus.CREATED)
    TotpEnrolment enrol(Authentication caller) {
        TwoFactor.Enrolment enrolment = twoFactor.enrol(caller.getName());
        return new TotpEnrolment(enrolment.secret(), enrolment.otpauthUri(), QrCode.svgDataUri(enrolment.otpauthUri()),
                enrolment.recoveryCodes());
    }

    @PostMapping("/api/v1/auth/totp/confirm")
    TotpStatus confirm(@Valid @RequestBody TotpCode body, Authentication caller) {
        twoFactor.confirm(caller.getName(), body.code());
        return status(caller);
    }

    /** Turns it off for oneself with a current code or a recovery code (a session alone is not enough). */
    @DeleteMapping("/api/v1/auth/totp")
    TotpStatus disable(@Valid @RequestBody TotpCode body, Authentication caller) {
        twoFactor.disable(caller.getName(), body.code());
        return status(caller);
    }

    /** An ADMIN removes a user's authenticator and recovery codes (a lost phone); they sign in with a password again. */
    @DeleteMapping("/api/v1/users/{username}/totp")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void reset(@PathVariable String username) {
        users.get(username);
        twoFactor.reset(username);
    }

    @GetMapping("/api/v1/settings/security")
    SecuritySettingsView settings() {
        SecuritySettings.View view = settings.view();
        return new SecuritySettingsView(view.totpRequired(), view.passwordLogin(), view.updatedAt(), view.updatedBy());
    }

    @PutMapping("/api/v1/settings/security")
    SecuritySettingsView change(@Valid @RequestBody SecuritySettingsChange body, Authentication caller) {
        if (Boolean.FALSE.equals(body.passwordLogin()) && oidc.providers().isEmpty()) {
            throw new ConflictException("Password sign-in cannot be turned off: no identity provider is configured "
                    + "(gantry.oidc.providers), so nobody could sign in.");
        }
        settings.update(body.totpRequired(), body.passwordLogin(), caller.getName());
        return settings();
    }
}
