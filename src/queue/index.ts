// The work queue (BullMQ on Redis): submit a run's shards, run workers, follow and collect. See ARCHITECTURE.md.
export { brokerUrl, connectBroker, DEFAULT_QUEUE, BROKER_ENV } from './broker.js';
export { expandQueueInputs, readInputList } from './inputs.js';
export { newManifest, readManifest, saveManifest, shardCount, DEFAULT_SHARD_SIZE, type RunManifest, type ShardJob, type PredictOptions } from './run.js';
export { runShard, readShardDone, type ShardResult, type FailedItem } from './shard.js';
export { submitRun, type SubmitOptions, type SubmitReport } from './submit.js';
export { startWorker, type WorkerOptions, type RunningWorker, type WorkerReport } from './worker.js';
export { runStatus, type RunStatus, type FailedJob } from './status.js';
export { collectRun, type CollectOptions, type Collected } from './collect.js';
