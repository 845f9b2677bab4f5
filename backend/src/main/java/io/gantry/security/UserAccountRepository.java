package io.gantry.security;

import jakarta.persistence.LockModeType;
import java.util.List;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Lock;
import org.springframework.data.jpa.repository.Query;

interface UserAccountRepository extends JpaRepository<UserAccount, String> {
    List<UserAccount> findAllByOrderByUsernameAsc();

    /**
     * The enabled administrators, row-locked: the "never remove the last admin" check and the change
     * it guards run in one transaction, so two admins cannot demote each other at the same time.
     */
    @Lock(LockModeType.PESSIMISTIC_WRITE)
    @Query("select u from UserAccount u where u.role = io.gantry.security.Role.ADMIN and u.disabled = false")
    List<UserAccount> lockActiveAdmins();
}
