// The `watchtower` command. Milestone 1 has one command, `serve`; the API client commands (hosts,
// incidents, rules…) come with the CLI issue, one file per noun.
const HELP = `Usage: watchtower <command> [options]

Commands:
  serve     run Watchtower headless (API, agent ingest, storage, jobs)

Run 'watchtower <command> --help' for a command's options.`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve': {
      const { serve } = await import('../core/serve.js');
      return serve(rest);
    }
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      console.log(HELP);
      return command === undefined ? 2 : 0;
    default:
      console.error(`watchtower: unknown command "${command}"\n\n${HELP}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    console.error(`watchtower: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
