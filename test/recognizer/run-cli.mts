// Runs the cafe CLI from source (tests spawn it to check stdout, stderr and the exit code).
import { main } from '../../src/cli/main.js';
process.exitCode = await main(process.argv.slice(2));
