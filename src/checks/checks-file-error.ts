import { ConfigError } from '../errors';

/**
 * The checks file is invalid: start-up stops, and the message names every bad entry with its line
 * (`checks.yaml line 12 (checks[2].http.url): not an http(s) URL`). A {@link ConfigError}, so the
 * start-up path that reports a bad configuration reports this one too.
 */
export class ChecksFileError extends ConfigError {
  constructor(
    readonly sourceName: string,
    problems: readonly string[],
  ) {
    super(problems);
    this.message = `Invalid checks file ${sourceName}:\n${problems.map((p) => `  - ${p}`).join('\n')}`;
  }
}
