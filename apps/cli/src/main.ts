/**
 * `npm run cli -- <command> …`: the platform's command line (imports, bill runs, replays) against a
 * running platform (`BILLING_URL`). Exit codes: 0 done, 1 the command failed, 2 bad usage.
 */
import { cliEnvironment, createCliContext } from './context.js';
import { findCommand, helpText } from './commands.js';

const argv = process.argv.slice(2);
const found = findCommand(argv);
if (!found || argv[0] === 'help' || argv.includes('--help')) {
  console.log(helpText());
  process.exit(found || argv.length === 0 || argv[0] === 'help' ? 0 : 2);
}
try {
  process.exitCode = await found.command.run(found.args, createCliContext(cliEnvironment()));
} catch (error) {
  console.error(`${found.command.name.join(' ')} failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
