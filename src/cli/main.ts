import { commands } from './commands/index.js';
import { CafeError } from '../errors.js';

import { packageVersion } from '../util/package-root.js';
export { packageVersion };

function help(): string {
  const lines = ['Usage: cafe <command> [options]', '', 'Commands:'];
  const width = Math.max(...commands.map((c) => c.name.join(' ').length));
  for (const c of commands) lines.push(`  ${c.name.join(' ').padEnd(width)}  ${c.summary}`);
  lines.push('', 'Options:', '  --version  print the version', '  --help     this text (or `cafe <command> --help`)');
  return lines.join('\n');
}

/** Entry point of the `cafe` binary; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h') {
    console.log(help());
    return argv.length === 0 ? 2 : 0;
  }
  if (argv[0] === '--version' || argv[0] === '-v') {
    console.log(packageVersion());
    return 0;
  }
  // Longest name match first, so `data inspect` wins over a hypothetical `data`.
  const sorted = [...commands].sort((a, b) => b.name.length - a.name.length);
  const cmd = sorted.find((c) => c.name.every((w, i) => argv[i] === w));
  if (!cmd) {
    console.error(`cafe: unknown command '${argv.join(' ')}'\n\n${help()}`);
    return 2;
  }
  const rest = argv.slice(cmd.name.length);
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(cmd.usage);
    return 0;
  }
  try {
    return await cmd.run(rest);
  } catch (err) {
    // parseArgs' own errors (unknown option, missing value, '--limit -3') are usage errors too: exit 2, no stack.
    const argError = err instanceof Error && String((err as NodeJS.ErrnoException).code ?? '').startsWith('ERR_PARSE_ARGS');
    if (err instanceof CafeError || argError) {
      console.error(`cafe ${cmd.name.join(' ')}: ${err.message}`);
      return 2;
    }
    throw err;
  }
}
