/**
 * Command-line commands of the platform (`npm run cli -- <command> …`, see `apps/cli`). Each service
 * contributes its commands (imports, bill runs, replays) as {@link CliCommand} objects; the CLI talks
 * to a running platform over its public HTTP API (the embedded runtime or the api-gateway), so the
 * same command works in both topologies and goes through the same validation and access rules.
 */

/** Writes a progress bar (or plain lines when the output is not a terminal). */
export interface CliProgress {
  /** Sets the total, once it is known. */
  setTotal(total: number): void;
  /** Sets how much is done. */
  update(done: number, detail?: string): void;
  /** Ends the bar. */
  stop(): void;
}

/** What a command gets to work with. */
export interface CliContext {
  /** The platform's base URL, e.g. `http://localhost:3000` (`BILLING_URL`). */
  baseUrl: string;
  /**
   * `fetch` against the platform with the CLI's bearer token (from `BILLING_TOKEN`, or a login with
   * `BILLING_USER`/`BILLING_PASSWORD`): `api('/api/users/import', { method: 'POST', body })`.
   */
  api(path: string, init?: RequestInit): Promise<Response>;
  /** Prints a line to stdout. */
  print(line: string): void;
  /** A progress bar titled `title`. */
  progress(title: string, total?: number): CliProgress;
  /** Reads a file argument (relative to the working directory) as UTF-8. */
  readFile(path: string): Promise<string>;
}

/** One command, e.g. `import users <file>`. */
export interface CliCommand {
  /** Words that select it, e.g. `['import', 'users']`. */
  name: readonly string[];
  /** Argument synopsis, e.g. `<users.csv>`. */
  usage: string;
  /** One line of help. */
  description: string;
  /**
   * Runs with the arguments after the name. Resolves with the exit code (0 success, 1 failure, 2 bad
   * usage); problems from the API are printed by the command.
   */
  run(args: readonly string[], context: CliContext): Promise<number>;
}
