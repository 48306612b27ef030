// The connection to the broker: a Redis server (BullMQ's backend) named by a URL. Workers must survive a broker that
// restarts, so their connection retries for ever (BullMQ requires maxRetriesPerRequest: null for a Worker); the short
// CLI commands (submit, status) fail fast with a clear error instead of hanging on a broker that is not there.
// BullMQ and ioredis load only when a queue command runs (~0.3 s that every other cafe command would pay).
import type { Redis } from 'ioredis';
import { CafeError, invalidParameter } from '../errors.js';

/** Env var read when --broker is not given. */
export const BROKER_ENV = 'CAFE_BROKER';
/** Queue (BullMQ name) the photos go through; runs of every user share it, told apart by their run id. */
export const DEFAULT_QUEUE = 'cafe-predict';

/** The broker URL from a flag or $CAFE_BROKER; redis:// or rediss:// (TLS) only. */
export function brokerUrl(flag: string | undefined): string {
  const url = flag ?? process.env[BROKER_ENV];
  if (!url) throw new CafeError(`no broker: pass --broker redis://HOST:PORT (or set ${BROKER_ENV})`);
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw invalidParameter('--broker', 'a URL like redis://127.0.0.1:6379', url);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw invalidParameter('--broker', 'a redis:// or rediss:// URL', url);
  return url;
}

/** A URL safe to print (no password). */
export function displayUrl(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

export interface ConnectOptions {
  /** true: retry for ever (workers); false: give up after `timeoutMs` (CLI commands). Default false. */
  persistent?: boolean;
  /** How long a short-lived command waits for the broker before failing; default 5000 ms. */
  timeoutMs?: number;
}

/** An open ioredis connection to the broker (resolves once it answers PING). */
export async function connectBroker(url: string, opts: ConnectOptions = {}): Promise<Redis> {
  const timeoutMs = opts.timeoutMs ?? 5000;
  // Loaded here, not at the top: every cafe command imports the CLI's command list, and ioredis costs ~0.1 s.
  const { Redis: RedisClient } = await import('ioredis');
  const redis = new RedisClient(url, {
    // BullMQ's blocking commands must never be cut short by a retry budget (required for Workers).
    maxRetriesPerRequest: null,
    // Back off to at most 2 s between reconnects: a restarted broker is picked up within ~2 s.
    retryStrategy: (times) => Math.min(100 * times, 2000),
    lazyConnect: true,
  });
  // ioredis reports every failed reconnect as an 'error' event; without a listener Node would print each one.
  let lastError = '';
  redis.on('error', (err: Error) => {
    lastError = err.message;
  });
  if (opts.persistent) {
    // A broker that is down at start is waited for like one that restarts later: ioredis keeps reconnecting.
    const ready = new Promise<void>((resolve) => redis.once('ready', () => resolve()));
    redis.connect().catch(() => {});
    await ready;
    return redis;
  }
  const ping = redis.connect().then(() => redis.ping());
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CafeError(`cannot reach the broker at ${displayUrl(url)} within ${timeoutMs} ms${lastError ? ` (${lastError})` : ''}; is redis-server running there?`)), timeoutMs);
  });
  try {
    await Promise.race([ping, timeout]);
    return redis;
  } catch (err) {
    redis.disconnect();
    throw err instanceof CafeError ? err : new CafeError(`cannot reach the broker at ${displayUrl(url)}: ${lastError || (err as Error).message}; is redis-server running there?`);
  } finally {
    clearTimeout(timer);
  }
}
