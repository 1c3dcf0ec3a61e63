/** Where a subcommand writes; tests capture it, main() binds it to the process. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** The shape of every cli/<command>.ts module. */
export interface CliCommand {
  readonly usage: string;
  run(argv: readonly string[], io: CliIo): Promise<number>;
}
