/** A CLI subcommand. Each lives in its own file under src/cli/commands/ and is listed in commands/index.ts. */
export interface Command {
  /** Words that select it, e.g. ['data', 'inspect'] for `cafe data inspect`. */
  name: string[];
  /** One line for `cafe --help`. */
  summary: string;
  /** Full usage text for `cafe <name> --help`. */
  usage: string;
  /** Returns the process exit code. */
  run(argv: string[]): Promise<number>;
}
