// Runs the cafe CLI from source (benches spawn it, e.g. `cafe serve`, as a user would run it).
import { main } from '../../src/cli/main.js';
process.exitCode = await main(process.argv.slice(2));
