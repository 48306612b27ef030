// A real broker for the queue tests: Debian's redis-server on a free loopback port, its data in a temp folder, with
// the append-only file fsynced on every write (what a deployment that must lose nothing runs), stopped afterwards.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The binary: $CAFE_REDIS_SERVER, else redis-server on the PATH. */
const bin = () => process.env.CAFE_REDIS_SERVER ?? 'redis-server';

/** Why the queue tests cannot run here (null: they can). Under CAFE_REQUIRE_REDIS=1 (CI) callers fail instead. */
export function redisMissing(): string | null {
  const r = spawnSync(bin(), ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? null : `${bin()} not found (apt-get install redis-server, or set CAFE_REDIS_SERVER); queue tests skipped`;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface TestRedis {
  url: string;
  port: number;
  dir: string;
  /** kill -9 (no shutdown save: only what the append-only file already holds survives). */
  kill(): Promise<void>;
  /** Starts it again on the same port and folder (it reloads the append-only file). */
  start(): Promise<void>;
  /** Stops it and removes its folder. */
  stop(): Promise<void>;
}

export async function startRedis(): Promise<TestRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'cafe-redis-'));
  let proc: ChildProcess | undefined;
  const launch = () =>
    new Promise<void>((resolve, reject) => {
      const p = spawn(bin(), ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', '', '--protected-mode', 'yes'], { stdio: ['ignore', 'pipe', 'pipe'] });
      proc = p;
      let log = '';
      const timer = setTimeout(() => reject(new Error(`redis-server did not start on ${port}:\n${log}`)), 10000);
      p.stdout!.on('data', (d) => {
        log += d;
        if (log.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      p.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited (${code}):\n${log}`));
      });
    });
  const kill = async () => {
    const p = proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill('SIGKILL');
    });
  };
  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    kill,
    start: launch,
    async stop() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
