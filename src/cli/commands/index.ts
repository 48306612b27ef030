import type { Command } from '../command.js';
import { doctor } from './doctor.js';

/** Every CLI subcommand; add one line per new command file. */
export const commands: Command[] = [doctor];
