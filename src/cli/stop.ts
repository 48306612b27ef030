// Ends a long CLI run cleanly when its reader goes away or the user interrupts it. Node ignores SIGPIPE, so a closed
// pipe (`cafe predict ... | head -3`) surfaces as an EPIPE 'error' on stdout: unhandled, it would kill the process
// in the middle of an atomic write and leave `*.tmp-*` files behind. Instead the run sees `stopped`, finishes the file
// it is on (its temp file renamed or removed), skips the rest and exits with a documented code.

/** Exit code after stdout closed early: 128 + SIGPIPE, what `yes | head` reports for a Unix tool. */
export const EXIT_STDOUT_CLOSED = 141;
/** Exit code after SIGINT / SIGTERM: 128 + SIGINT. */
export const EXIT_INTERRUPTED = 130;

export interface StopWatch {
  /** Why the run should stop, or null while it should go on. */
  readonly reason: 'stdout-closed' | 'interrupted' | null;
  /** The exit code that goes with `reason` (0 when not stopped). */
  readonly exitCode: number;
  /** Writes one line to stdout unless it has closed. */
  writeLine(s: string): void;
  /** Removes the listeners (the process goes back to its default signal handling). */
  dispose(): void;
}

export function watchStop(stdout: NodeJS.WriteStream = process.stdout): StopWatch {
  let reason: StopWatch['reason'] = null;
  const onError = (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') reason ??= 'stdout-closed';
    else throw err;
  };
  const onSignal = () => {
    // A second Ctrl-C while the current file finishes: the user means it.
    if (reason === 'interrupted') process.exit(EXIT_INTERRUPTED);
    reason ??= 'interrupted';
  };
  stdout.on('error', onError);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    get reason() {
      return reason;
    },
    get exitCode() {
      return reason === 'stdout-closed' ? EXIT_STDOUT_CLOSED : reason === 'interrupted' ? EXIT_INTERRUPTED : 0;
    },
    writeLine(s: string) {
      if (reason === 'stdout-closed' || stdout.destroyed) return;
      stdout.write(s + '\n');
    },
    dispose() {
      stdout.off('error', onError);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
