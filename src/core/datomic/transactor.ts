/**
 * The transactor lifecycle's public face. Each job lives in its own file under ./transactor/:
 *
 *   launch-plan.ts     the command line, working directory and environment of bin/transactor (pure)
 *   start-options.ts   what a start takes and returns
 *   preflight.ts       the checks before a launch (Java, distribution, properties, lock, storage, ports)
 *   launch.ts          spawning it, dtx's pid file and launch record
 *   output-scanner.ts  reading its output ("System started", "Terminating process - ...")
 *   failure.ts         classifying a failed start from its output, with hints
 *   readiness.ts       waiting until it is ready, failing fast otherwise
 *   start.ts           start in the background or the foreground
 *   terminate.ts       ending a process: graceful, then forced (SIGTERM/SIGKILL, taskkill)
 *   stop.ts            `transactor stop`
 *   status.ts          `transactor status`
 */
export { planLaunch, type LaunchPlan, type PlanLaunchOptions } from './transactor/launch-plan.js';
export { quoteCmdArg, quotePosixArg } from './script.js';
export type { StartTransactorOptions, StartResult } from './transactor/start-options.js';
export { SYSTEM_STARTED, TERMINATING } from './transactor/output-scanner.js';
export { classifyFailure, relevantLines } from './transactor/failure.js';
export { startTransactor, runTransactorForeground, type ForegroundOptions, type ForegroundResult } from './transactor/start.js';
export { planStop, runStopAction, defaultCommandRunner, type StopAction, type StopPlan } from './transactor/terminate.js';
export { stopTransactor, type StopTransactorOptions, type StopResult } from './transactor/stop.js';
export { transactorStatus, type TransactorStatusOptions, type TransactorStatus, type HeartbeatInfo } from './transactor/status.js';
