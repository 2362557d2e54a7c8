/**
 * Ctrl-C during a run: the first SIGINT (or SIGTERM) aborts the signal handed to `work` —
 * the generators stop, the cluster is healed, everything is written — and the second one
 * exits at once (the history is already on disk: it is streamed).
 */
export async function withInterrupts<T>(
  work: (signal: AbortSignal) => Promise<T>,
  say: (line: string) => void = (line) => process.stderr.write(`\n${line}\n`),
  whereHistory: () => string | undefined = () => undefined,
): Promise<T> {
  const controller = new AbortController();
  let count = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    count++;
    if (count === 1) {
      say(
        `faultline: ${signal}: stopping the generators, healing the cluster and writing the results (press Ctrl-C again to abort at once)`,
      );
      controller.abort();
      return;
    }
    const where = whereHistory();
    say(`faultline: aborted without healing${where ? `; the history so far is in ${where}` : ''}`);
    process.exit(130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await work(controller.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
