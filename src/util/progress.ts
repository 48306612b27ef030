// A small progress bar for long batch jobs (dataset inspection, cache builds, feature extraction).
// It writes to stderr so stdout stays clean for tables/JSON; on a TTY it redraws one line, otherwise it prints a
// plain line at most every `intervalMs` so logs stay readable.

export interface ProgressOptions {
  /** Stream to write to; default process.stderr (keeps stdout machine-readable). */
  stream?: NodeJS.WriteStream;
  /** Minimum ms between redraws (TTY) or between plain lines (non-TTY); default 100 on a TTY, 5000 otherwise. */
  intervalMs?: number;
  /** Print nothing at all (tests, --quiet); default false. */
  silent?: boolean;
}

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  const mm = String(m).padStart(2, '0');
  const ss = String(r).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

function formatRate(rate: number): string {
  if (!Number.isFinite(rate)) return '-';
  return rate >= 100 ? rate.toFixed(0) : rate >= 10 ? rate.toFixed(1) : rate.toFixed(2);
}

export class Progress {
  readonly total: number;
  readonly label: string;
  private n = 0;
  private readonly start = performance.now();
  private lastDraw = 0;
  private extra = '';
  private finished = false;
  private readonly stream: NodeJS.WriteStream;
  private readonly tty: boolean;
  private readonly intervalMs: number;
  private readonly silent: boolean;

  constructor(total: number, label: string, opts: ProgressOptions = {}) {
    this.total = Math.max(0, total);
    this.label = label;
    this.stream = opts.stream ?? process.stderr;
    this.tty = Boolean(this.stream.isTTY);
    this.intervalMs = opts.intervalMs ?? (this.tty ? 100 : 5000);
    this.silent = opts.silent ?? false;
  }

  /** Items done so far. */
  get current(): number {
    return this.n;
  }

  /** Advance by n items; extraText replaces the trailing note (e.g. '3 skipped'). */
  tick(n = 1, extraText?: string): void {
    this.n += n;
    if (extraText !== undefined) this.extra = extraText;
    const now = Date.now();
    if (now - this.lastDraw >= this.intervalMs) {
      this.lastDraw = now;
      this.draw(false);
    }
  }

  /** Final line with totals; safe to call twice. */
  done(extraText?: string): void {
    if (this.finished) return;
    this.finished = true;
    if (extraText !== undefined) this.extra = extraText;
    this.draw(true);
  }

  /** One status line: label, bar, count/total, rate, elapsed or ETA, extra text. */
  line(final = false): string {
    const elapsed = (performance.now() - this.start) / 1000;
    const rate = elapsed > 0 ? this.n / elapsed : NaN;
    const frac = this.total > 0 ? Math.min(1, this.n / this.total) : 1;
    const width = 24;
    const filled = Math.round(frac * width);
    const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
    const eta = rate > 0 ? (this.total - this.n) / rate : NaN;
    const time = final ? `in ${formatDuration(elapsed)}` : `ETA ${formatDuration(eta)}`;
    const pct = `${(frac * 100).toFixed(0).padStart(3)}%`;
    return `${this.label} [${bar}] ${pct} ${this.n}/${this.total} ${formatRate(rate)}/s ${time}${this.extra ? ` ${this.extra}` : ''}`;
  }

  private draw(final: boolean): void {
    if (this.silent) return;
    const text = this.line(final);
    if (this.tty) this.stream.write(`\r\x1b[2K${text}${final ? '\n' : ''}`);
    else this.stream.write(`${text}\n`);
  }
}
