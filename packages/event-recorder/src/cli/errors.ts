/** Exit codes: 0 ok, 1 runtime failure, 2 usage. */
export const exitCodes = { ok: 0, failure: 1, usage: 2 } as const;

/** A failure the user can fix, reported as `error: …` with exit code 1. */
export class CliError extends Error {
  /** Creates the error. */
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = 'CliError';
  }
}

/** A usage mistake found after parsing, reported with exit code 2. */
export class UsageError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
