/**
 * Ink decides once, when it is first imported, whether it runs "in CI" (environment variable
 * `CI` or `CONTINUOUS_INTEGRATION` set and not "0"/"false", via the is-in-ci package); in CI it
 * stops redrawing in place and prints only the last frame at exit — useless for an interactive
 * UI. Ink 6.8's render() has no option to override this, so when the output is a real terminal
 * we set those variables to "false" before ink is imported. Must run before any import of ink.
 */
export function forceLiveRendering(stdout: NodeJS.WriteStream = process.stdout): void {
  if (stdout.isTTY !== true) return;
  for (const name of ['CI', 'CONTINUOUS_INTEGRATION']) {
    if (process.env[name] !== undefined) process.env[name] = 'false';
  }
}
