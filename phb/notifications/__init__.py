"""One notifications service: every email and text message the product sends.

A message is recorded (status queued) before it is sent, and its sending task is queued only
once that record is committed. The task sends it through a channel, GOV.UK Notify when an API
key is configured, or Django's email backend, and records what became of it: sent, delivered
(read back from Notify), or failed with the error, retried with backoff. Staff see every
message in the outbox, so the embedded default, where nothing leaves the machine, shows what
would have been sent (ADR 0031).
"""
