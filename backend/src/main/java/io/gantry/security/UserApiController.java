package io.gantry.security;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** {@code /api/v1/users}: administrators manage users (access in {@link AccessRules}). Passwords never leave. */
@RestController
class UserApiController {
    static final String USERNAME = "[A-Za-z0-9][A-Za-z0-9._@-]{0,63}";
    private static final String USERNAME_RULE = "must be 1-64 letters, digits or . _ @ -, starting with a letter or digit";
    static final String PASSWORD_RULE = "must be " + UserAccounts.MIN_PASSWORD_LENGTH + " to "
            + UserAccounts.MAX_PASSWORD_BYTES + " characters";

    private final UserAccounts users;
    private final TwoFactor twoFactor;

    UserApiController(UserAccounts users, TwoFactor twoFactor) {
        this.twoFactor = twoFactor;
        this.users = users;
    }

    /** @param twoFactor whether the user signs in with an authenticator code too */
    record UserView(String username, Role role, boolean disabled, Instant createdAt, boolean twoFactor) {
        static UserView of(UserAccount u, boolean twoFactor) {
            return new UserView(u.username(), u.role(), u.disabled(), u.createdAt(), twoFactor);
        }
    }

    record UserPage(List<UserView> items, long total, String nextCursor) {
    }

    record CreateUser(
            @NotBlank @Pattern(regexp = USERNAME, message = USERNAME_RULE) String username,
            @NotNull @Size(min = UserAccounts.MIN_PASSWORD_LENGTH, max = UserAccounts.MAX_PASSWORD_BYTES,
                    message = PASSWORD_RULE) String password,
            @NotNull Role role) {
    }

    /** Every field optional: only what is given changes. */
    record UpdateUser(
            @Size(min = UserAccounts.MIN_PASSWORD_LENGTH, max = UserAccounts.MAX_PASSWORD_BYTES,
                    message = PASSWORD_RULE) String password,
            Role role,
            Boolean disabled) {
    }

    /** All users in one page: a Gantry installation has tens of users, not thousands. */
    @GetMapping("/api/v1/users")
    UserPage list() {
        Set<String> withTwoFactor = twoFactor.enabledUsers();
        List<UserView> items = users.list().stream().map(u -> UserView.of(u, withTwoFactor.contains(u.username()))).toList();
        return new UserPage(items, items.size(), null);
    }

    @GetMapping("/api/v1/users/{username}")
    UserView get(@PathVariable String username) {
        return view(users.get(username));
    }

    @PostMapping("/api/v1/users")
    ResponseEntity<UserView> create(@Valid @RequestBody CreateUser request) {
        UserAccount user = users.create(request.username(), request.password(), request.role());
        return ResponseEntity.created(URI.create("/api/v1/users/" + user.username())).body(view(user));
    }

    /** A new password, disabling or demoting ends the user's sessions; a new password also their API tokens. */
    @PutMapping("/api/v1/users/{username}")
    UserView update(@PathVariable String username, @Valid @RequestBody UpdateUser request, Authentication caller,
            HttpServletRequest http) {
        return view(users.update(username, request.password(), request.role(), request.disabled(),
                AuthApiController.actor(caller, http)));
    }

    private UserView view(UserAccount user) {
        return UserView.of(user, twoFactor.enabled(user.username()));
    }

    @DeleteMapping("/api/v1/users/{username}")
    ResponseEntity<Void> delete(@PathVariable String username) {
        users.delete(username);
        return ResponseEntity.noContent().build();
    }
}
