import { parseArgs } from 'node:util';
import type { Command } from '../command.js';
import { invalidParameter } from '../../errors.js';
import { EXIT_INTERRUPTED } from '../stop.js';
import { brokerUrl, BROKER_ENV, DEFAULT_QUEUE, displayUrl } from '../../queue/broker.js';

const usage = `Usage: cafe worker [options]

Takes photo jobs queued by cafe queue submit from the broker and runs cafe predict on them: one recognizer per
process, each job's records written atomically to its shard file in the run's output folder, the job acknowledged
only after that. A photo that cannot be read fails its item, not its job; a job that throws is retried with backoff,
then lands in the failed list with its error. A worker killed mid-job loses its lease after --lease-ms, and another
worker takes the job over. Runs until Ctrl-C / SIGTERM (finishes its current jobs first, exit ${EXIT_INTERRUPTED}; a second
signal abandons them to the lease expiry) or, with --exit-when-idle, until the queue is empty (exit 0).

Options:
  --broker URL       the broker, redis://HOST:PORT[/DB] (default $${BROKER_ENV})
  --queue NAME       queue name (default ${DEFAULT_QUEUE})
  --concurrency N    jobs at once in this process, sharing its recognizer (default 1)
  --threads N        onnxruntime threads (default: all cores; with one worker per core, 1)
  --lease-ms N       a job's lease: how long a dead worker's job waits before another worker takes it (default 30000)
  --max-stalled N    leases a job may lose before it is failed for good (default 2)
  --name NAME        this worker's name in results and logs (default host:pid)
  --exit-when-idle   exit once nothing is waiting, active or retrying in the queue
  --quiet            no per-job log lines`;

export const worker: Command = {
  name: ['worker'],
  summary: 'take photo jobs from the broker (cafe queue submit) and write their results; run one per machine or core',
  usage,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        broker: { type: 'string' },
        queue: { type: 'string', default: DEFAULT_QUEUE },
        concurrency: { type: 'string', default: '1' },
        threads: { type: 'string' },
        'lease-ms': { type: 'string', default: '30000' },
        'max-stalled': { type: 'string', default: '2' },
        name: { type: 'string' },
        'exit-when-idle': { type: 'boolean', default: false },
        quiet: { type: 'boolean', default: false },
      },
    });
    if (positionals.length) {
      console.error(usage);
      return 2;
    }
    const int = (name: string, v: string, min: number) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < min) throw invalidParameter(name, `an integer >= ${min}`, v);
      return n;
    };
    const url = brokerUrl(values.broker);
    const log = values.quiet ? undefined : (s: string) => console.error(s);
    log?.(`worker: broker ${displayUrl(url)}, queue ${values.queue}`);
    const { startWorker } = await import('../../queue/worker.js'); // BullMQ loads only when a worker runs
    const w = await startWorker({
      broker: url,
      queue: values.queue,
      concurrency: int('--concurrency', values.concurrency, 1),
      threads: values.threads === undefined ? undefined : int('--threads', values.threads, 1),
      leaseMs: int('--lease-ms', values['lease-ms'], 500),
      maxStalled: int('--max-stalled', values['max-stalled'], 0),
      name: values.name,
      exitWhenIdle: values['exit-when-idle'],
      log,
    });
    let signals = 0;
    const onSignal = () => {
      signals++;
      if (signals === 1) {
        log?.('worker: stopping after the current jobs (again to abandon them)');
        void w.stop();
      } else {
        // Unacknowledged jobs go back to the queue when their lease expires, as after a crash.
        log?.('worker: abandoning the current jobs to their lease expiry');
        process.exit(EXIT_INTERRUPTED);
      }
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    const r = await w.done;
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    log?.(`worker: ${r.jobs} jobs, ${r.photos} photos, ${r.failedJobs} job failures; longest event-loop pause ${r.maxPauseMs} ms`);
    return signals ? EXIT_INTERRUPTED : 0;
  },
};
