package io.gantry.audit;

import java.util.List;
import org.springframework.data.domain.Limit;
import org.springframework.data.jpa.repository.JpaRepository;

interface AuditRepository extends JpaRepository<AuditEntry, Long> {
    List<AuditEntry> findByIdLessThanOrderByIdDesc(long before, Limit limit);

    List<AuditEntry> findByUsernameAndIdLessThanOrderByIdDesc(String username, long before, Limit limit);

    long countByUsername(String username);
}
