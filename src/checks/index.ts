/** Application checks after a failover: the checks file, the probes and the runner that bounds them. */
export { ChecksFileError, loadChecksFile, parseChecksFile } from './checks-file';
export { CheckRunner, type CheckRunnerOptions } from './check-runner';
export { parseDuration } from './durations';
export { probe, type Probe, type ProbeOptions } from './probes';
