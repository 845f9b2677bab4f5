package io.gantry.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mockito.ArgumentCaptor;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

@ExtendWith(OutputCaptureExtension.class)
class SecurityBootstrapTest {
    private final UserAccounts users = mock(UserAccounts.class);
    private final ApiTokens tokens = mock(ApiTokens.class);

    @Test
    void withoutAConfiguredPasswordARandomOneIsLoggedOnceAtWarn(CapturedOutput output) {
        when(users.any()).thenReturn(false);

        new SecurityBootstrap(users, tokens, "", "").afterSingletonsInstantiated();

        ArgumentCaptor<String> password = ArgumentCaptor.forClass(String.class);
        verify(users).create(eq("admin"), password.capture(), eq(Role.ADMIN));
        assertThat(password.getValue()).hasSizeGreaterThanOrEqualTo(20);
        assertThat(output.getOut()).contains("WARN").contains("generated password: " + password.getValue())
                .contains("shown only this once");
        verify(tokens, never()).ensureBootstrapToken(anyString(), anyString());
    }

    @Test
    void aConfiguredPasswordIsUsedAndNeverLogged(CapturedOutput output) {
        when(users.any()).thenReturn(false);

        new SecurityBootstrap(users, tokens, "configured-secret-pw", "").afterSingletonsInstantiated();

        verify(users).create("admin", "configured-secret-pw", Role.ADMIN);
        assertThat(output.getOut()).doesNotContain("configured-secret-pw");
    }

    @Test
    void laterStartsCreateNoUser() {
        when(users.any()).thenReturn(true);
        when(users.exists("admin")).thenReturn(true);

        new SecurityBootstrap(users, tokens, "", "a-bootstrap-token-long-enough").afterSingletonsInstantiated();

        verify(users, never()).create(anyString(), anyString(), eq(Role.ADMIN));
        verify(tokens).ensureBootstrapToken("admin", "a-bootstrap-token-long-enough");
    }

    @Test
    void aShortBootstrapTokenIsRefused() {
        assertThatThrownBy(() -> new SecurityBootstrap(users, tokens, "", "short"))
                .hasMessageContaining("at least 16 characters");
    }
}
