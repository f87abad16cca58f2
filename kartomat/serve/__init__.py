"""`kartomat serve`: one process running every configured channel, the scheduler and the outbox."""
