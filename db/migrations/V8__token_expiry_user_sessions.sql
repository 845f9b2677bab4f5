-- API tokens expire (issue 13): new ones after gantry.security.token-max-age (90 days) unless an
-- administrator makes a service token that never does.
--
-- Tokens made before had no expiry by default. Those of administrators (the bootstrap token among
-- them) keep none: that is what an administrator may still ask for, and automation that holds them
-- must not stop at an upgrade. Everyone else's get the default of 90 days from now, not from their
-- creation, so that no script breaks today without warning; their owners see the date in their
-- token list and make a new one in time. (The configured token-max-age is not known here.)
UPDATE api_tokens t
SET expires_at = now() + interval '90 days'
WHERE t.expires_at IS NULL
  AND t.revoked_at IS NULL
  AND NOT EXISTS (SELECT 1 FROM users u WHERE u.username = t.username AND u.role = 'ADMIN');
