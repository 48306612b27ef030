import type { Command } from '../command.js';
import { doctor } from './doctor.js';
import { dataInspect } from './data-inspect.js';
import { featuresExtract } from './features-extract.js';
import { probe } from './probe.js';
import { train } from './train.js';
import { evalCommand } from './eval.js';
import { predict } from './predict.js';
import { exportCommand } from './export.js';
import { video } from './video.js';
import { serve } from './serve.js';
import { queueSubmit, queueStatus, queueCollect } from './queue.js';
import { worker } from './worker.js';

/** Every CLI subcommand; add one line per new command file. */
export const commands: Command[] = [doctor, dataInspect, featuresExtract, probe, train, evalCommand, predict, exportCommand, video, serve, queueSubmit, queueStatus, queueCollect, worker];
