/** The `faultline` command: runs the CLI. Importing src/cli/main.ts alone runs nothing. */
// `check` takes a lean path (its own modules only): a cold one-shot check is start-up bound.
if (process.argv[2] === 'check') {
  const { checkMain } = await import('./check-main.js');
  await checkMain(process.argv);
} else {
  const { main } = await import('./main.js');
  await main(process.argv);
}
