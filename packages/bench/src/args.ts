export interface BenchArgs {
  readonly json: boolean;
  readonly quick: boolean;
  readonly large: boolean;
  /** Scenario ids to run (all when empty). */
  readonly only: readonly string[];
  readonly help: boolean;
}

export const USAGE = `usage: pnpm bench [--quick] [--large] [--json] [--only ID[,ID...]]
  --quick  every scenario on small sizes (seconds; what CI runs)
  --large  also the largest sizes (a 1 GB session replay)
  --json   one JSON object on stdout: {"machine": {...}, "scenarios": [...]}; progress on stderr
  --only   run only these scenarios (ids: see the table)`;

export class UsageError extends Error {}

export function parseArgs(argv: readonly string[]): BenchArgs {
  let json = false;
  let quick = false;
  let large = false;
  let help = false;
  const only: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--json') json = true;
    else if (arg === '--quick') quick = true;
    else if (arg === '--large') large = true;
    else if (arg === '--help' || arg === '-h') help = true;
    else if (arg === '--only' || arg.startsWith('--only=')) {
      const value = arg === '--only' ? argv[++i] : arg.slice('--only='.length);
      if (value === undefined || value === '') throw new UsageError('--only needs scenario ids');
      only.push(...value.split(','));
    } else throw new UsageError(`unknown argument: ${arg}`);
  }
  if (quick && large) throw new UsageError('--quick and --large exclude each other');
  return { json, quick, large, only, help };
}
