import { parseArgs, USAGE, UsageError } from './args.js';
import { describeMachine, loadAverage } from './machine.js';
import { SCENARIOS } from './registry.js';
import { formatHuman, type Report } from './report.js';
import { removeCurrentTmpDir, runScenarios } from './runner.js';

async function main(): Promise<number> {
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n${USAGE}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\nscenarios: ${SCENARIOS.map((s) => s.id).join(', ')}\n`);
    return 0;
  }
  const unknown = args.only.filter((id) => !SCENARIOS.some((s) => s.id === id));
  if (unknown.length > 0) {
    process.stderr.write(
      `unknown scenario: ${unknown.join(', ')} (known: ${SCENARIOS.map((s) => s.id).join(', ')})\n`,
    );
    return 2;
  }
  const scenarios =
    args.only.length === 0 ? SCENARIOS : SCENARIOS.filter((s) => args.only.includes(s.id));

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      removeCurrentTmpDir();
      process.exit(130);
    });
  }

  const machine = describeMachine(args.quick ? 'quick' : args.large ? 'full+large' : 'full');
  const log = (message: string) => process.stderr.write(`${message}\n`);
  const { figures, failures } = await runScenarios(scenarios, {
    quick: args.quick,
    large: args.large,
    log,
  });
  const report: Report = {
    machine: { ...machine, loadAverageEnd: loadAverage() },
    scenarios: figures,
    ...(failures.length > 0 ? { errors: failures } : {}),
  };
  process.stdout.write(args.json ? `${JSON.stringify(report)}\n` : formatHuman(report));
  return failures.length > 0 ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    removeCurrentTmpDir();
    process.stderr.write(
      `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
