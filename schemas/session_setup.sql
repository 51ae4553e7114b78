-- A loader paused mid-batch (SIGSTOP, a frozen VM) must not hold its offset-row locks for ever:
-- the server ends its transaction after $1 of idleness, unless the user chose a timeout (PGOPTIONS).
SELECT set_config('idle_in_transaction_session_timeout', $1, false)
WHERE current_setting('idle_in_transaction_session_timeout') = '0';
