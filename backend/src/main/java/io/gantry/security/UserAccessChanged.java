package io.gantry.security;

/**
 * Published (as a Spring application event) when what a user may do has just shrunk: a password
 * changed or reset, the user disabled, demoted or deleted, or one of their sessions or tokens ended
 * (then their other streams close too and reconnect with what is still valid). Published once the
 * change is committed ({@link AccessRevocation}). Whoever holds something open on that
 * user's behalf (live streams, log follows, sessions) ends it at once; the user signs in again
 * with what they have now.
 *
 * @param username the user whose access changed
 * @param reason   short words for why, safe to log and to show the user (never a secret)
 */
public record UserAccessChanged(String username, String reason) {
}
