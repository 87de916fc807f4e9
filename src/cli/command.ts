/** What every subcommand module exports: its help text and its run function. */
export interface Io {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
}

export interface Command {
  readonly name: string;
  readonly help: string;
  /** Resolves to the exit code: 0 ok, 1 runtime failure, 2 usage or config error. */
  run(argv: string[], io: Io): Promise<number>;
}
