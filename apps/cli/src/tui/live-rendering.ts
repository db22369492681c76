/**
 * What must be settled before ink and react are first imported, for a long-running UI in a real
 * terminal.
 *
 * Ink decides once, when it is first imported, whether it runs "in CI" (environment variable
 * `CI` or `CONTINUOUS_INTEGRATION` set and not "0"/"false", via the is-in-ci package); in CI it
 * stops redrawing in place and prints only the last frame at exit — useless for an interactive
 * UI. Ink 6.8's render() has no option to override this, so when the output is a real terminal
 * we set those variables to "false" before ink is imported.
 *
 * React picks its build when first imported too: without NODE_ENV it loads the development build,
 * which records a `performance.measure()` with the changed props for every component render in
 * Node's unbounded performance timeline (facebook/react#35761) — 12,784 entries and 17 MB of heap
 * in 50 s of a console ping at speed ×100. So the UI runs React's production build unless NODE_ENV
 * is set (tests set it to "test" and keep the development build's checks).
 * Must run before any import of ink or react.
 */
export function forceLiveRendering(stdout: NodeJS.WriteStream = process.stdout): void {
  process.env['NODE_ENV'] ??= 'production';
  if (stdout.isTTY !== true) return;
  for (const name of ['CI', 'CONTINUOUS_INTEGRATION']) {
    if (process.env[name] !== undefined) process.env[name] = 'false';
  }
}
