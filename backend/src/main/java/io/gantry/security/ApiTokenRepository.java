package io.gantry.security;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;
import org.springframework.transaction.annotation.Transactional;

interface ApiTokenRepository extends JpaRepository<ApiToken, UUID> {
    Optional<ApiToken> findByTokenHash(String tokenHash);

    List<ApiToken> findByUsernameOrderByCreatedAtDesc(String username);

    /** Recording every use would write on every request; a minute's precision is plenty. */
    @Transactional
    @Modifying
    @Query("update ApiToken t set t.lastUsedAt = :now where t.id = :id and (t.lastUsedAt is null or t.lastUsedAt < :before)")
    int touch(UUID id, Instant now, Instant before);

    /** Revokes every live token of the user; the number revoked. */
    @Transactional
    @Modifying
    @Query("update ApiToken t set t.revokedAt = :now where t.username = :username and t.revokedAt is null")
    int revokeAllOf(String username, Instant now);

    @Transactional
    @Modifying
    @Query("delete from ApiToken t where t.expiresAt < :before")
    int deleteExpiredBefore(Instant before);
}
