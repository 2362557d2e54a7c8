/** The `faultline` command: runs the CLI. Importing src/cli/main.ts alone runs nothing. */
import { main } from './main.js';

await main(process.argv);
