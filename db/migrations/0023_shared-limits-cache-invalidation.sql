-- Fleet-wide rate limits and cache invalidation (README → Running in production).
--
-- Rate-limit state is UNLOGGED: a crash only refills every bucket, and a take (on the request
-- path of every API-key request) commits without waiting for a WAL flush.
ALTER TABLE "send_rate_buckets" SET UNLOGGED;
--> statement-breakpoint
ALTER TABLE "rate_limit_buckets" SET UNLOGGED;
--> statement-breakpoint
-- One token-bucket take in one round trip: lock the row (creating it full), refill it by the time
-- since its last take — read after the lock, so a taker that waited is not credited its wait —
-- grant up to p_want (or reserve one token ahead when p_debt_seconds allows), store the rest.
CREATE OR REPLACE FUNCTION herald_take_tokens(
  p_key text, p_rate float8, p_burst float8, p_want integer, p_debt_seconds float8,
  OUT granted_tokens integer, OUT tokens_left float8)
  LANGUAGE plpgsql
  AS $$
DECLARE
  b_tokens float8;
  b_at timestamptz;
  t timestamptz;
  avail float8;
BEGIN
  SELECT s.tokens, s.refilled_at INTO b_tokens, b_at FROM send_rate_buckets s WHERE s.key = p_key FOR UPDATE;
  IF NOT FOUND THEN
    INSERT INTO send_rate_buckets (key, tokens, refilled_at) VALUES (p_key, p_burst, clock_timestamp())
      ON CONFLICT (key) DO NOTHING;
    SELECT s.tokens, s.refilled_at INTO b_tokens, b_at FROM send_rate_buckets s WHERE s.key = p_key FOR UPDATE;
  END IF;
  t := greatest(b_at, clock_timestamp());
  avail := least(p_burst, b_tokens + extract(epoch FROM t - b_at)::float8 * p_rate);
  granted_tokens := greatest(0, least(p_want::float8, floor(avail)))::integer;
  IF granted_tokens = 0 AND p_debt_seconds > 0 AND avail - 1 >= -p_rate * p_debt_seconds THEN
    granted_tokens := 1;
  END IF;
  tokens_left := avail - granted_tokens;
  UPDATE send_rate_buckets s SET tokens = tokens_left, refilled_at = t WHERE s.key = p_key;
END $$;
--> statement-breakpoint
-- Every process caches some rows (lib/cache): a change NOTIFYs `herald_cache` with
-- `<table>:<key>` (TG_ARGV[0] names the key column), delivered at commit to every listener.
CREATE OR REPLACE FUNCTION herald_notify_cache_change() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
BEGIN
  PERFORM pg_notify('herald_cache', TG_TABLE_NAME || ':' ||
    (CASE WHEN TG_OP = 'DELETE' THEN to_jsonb(OLD) ELSE to_jsonb(NEW) END ->> TG_ARGV[0]));
  RETURN NULL;
END $$;
--> statement-breakpoint
-- Configs: not when only the usage counters move (the usage fold updates them every second).
CREATE TRIGGER "provider_configs_cache_insert_delete" AFTER INSERT OR DELETE ON "provider_configs"
  FOR EACH ROW EXECUTE FUNCTION herald_notify_cache_change('id');
--> statement-breakpoint
CREATE TRIGGER "provider_configs_cache_update" AFTER UPDATE ON "provider_configs"
  FOR EACH ROW
  WHEN ((to_jsonb(OLD) - 'sent_count' - 'delivered_count' - 'failed_count' - 'last_sent_at')
        IS DISTINCT FROM (to_jsonb(NEW) - 'sent_count' - 'delivered_count' - 'failed_count' - 'last_sent_at'))
  EXECUTE FUNCTION herald_notify_cache_change('id');
--> statement-breakpoint
CREATE TRIGGER "secrets_cache" AFTER INSERT OR UPDATE OR DELETE ON "secrets"
  FOR EACH ROW EXECUTE FUNCTION herald_notify_cache_change('id');
--> statement-breakpoint
-- Breakers: state changes only (failure counts move with every failed call).
CREATE TRIGGER "provider_config_health_cache_insert_delete" AFTER INSERT OR DELETE ON "provider_config_health"
  FOR EACH ROW EXECUTE FUNCTION herald_notify_cache_change('config_id');
--> statement-breakpoint
CREATE TRIGGER "provider_config_health_cache_update" AFTER UPDATE ON "provider_config_health"
  FOR EACH ROW
  WHEN (OLD.state IS DISTINCT FROM NEW.state OR OLD.open_until IS DISTINCT FROM NEW.open_until
        OR OLD.probe_message_id IS DISTINCT FROM NEW.probe_message_id)
  EXECUTE FUNCTION herald_notify_cache_change('config_id');
--> statement-breakpoint
CREATE TRIGGER "tenant_limits_cache" AFTER INSERT OR UPDATE OR DELETE ON "tenant_limits"
  FOR EACH ROW EXECUTE FUNCTION herald_notify_cache_change('tenant_id');
--> statement-breakpoint
CREATE TRIGGER "otp_policies_cache" AFTER INSERT OR UPDATE OR DELETE ON "otp_policies"
  FOR EACH ROW EXECUTE FUNCTION herald_notify_cache_change('tenant_id');
