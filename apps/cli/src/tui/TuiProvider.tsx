/**
 * Owns the UI state (reducer) and the actions that drive the emulator through its library API:
 * pause/resume, deterministic steps, speed, link toggles, captures, console commands, filters.
 * Every emulator operation goes through the engine's SerialQueue. Failures become a red status
 * line or stderr lines in the console, never a thrown error or a stack trace on screen.
 * It also subscribes the packet log store to the emulator's trace stream and programs' output
 * (onOutput: console commands live, timeline commands, spawned programs) to the node consoles; a
 * console command's output that did not stream is taken from its result.
 */
import { useEffect, useMemo, useReducer, useRef, type ReactNode } from 'react';
import { relative } from 'node:path';
import { captureFolder } from './capture-folder.js';
import { completeCommandLine } from './command-completion.js';
import { parsePacketFilter } from './packet-filter.js';
import { TuiActionsContext, TuiEngineContext, TuiStateContext, type TuiActions, type TuiEngine } from './tui-context.js';
import { initialTuiState, nextSpeed, outputLines, selectedNodeName, tuiReducer, type TuiAction, type TuiState } from './tui-state.js';
import { useRealtimeClock } from './use-realtime-clock.js';

export interface TuiProviderProps {
  engine: TuiEngine;
  speed?: number;
  startPaused?: boolean;
  onQuit: () => void;
  children: ReactNode;
}

/** The message of an error without its stack: what a user should read. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** The part of a command's final output not already streamed (all of it when nothing was). */
function unseen(full: string, streamed: string): string {
  return full.startsWith(streamed) ? full.slice(streamed.length) : full;
}

export function TuiProvider({ engine, speed = 1, startPaused = false, onQuit, children }: TuiProviderProps): ReactNode {
  const { emulator } = engine;
  const [state, dispatchToReact] = useReducer(tuiReducer, undefined, () =>
    initialTuiState({ name: emulator.name, now: emulator.now(), nodes: emulator.nodes(), links: emulator.links(), speed, paused: startPaused }),
  );
  // The newest state, ahead of the last render: several keys can arrive in one stdin chunk
  // (typing then Tab) and each must see the effect of the one before.
  const stateRef = useRef<TuiState>(state);
  const dispatch = useMemo(
    () =>
      (action: TuiAction): void => {
        stateRef.current = tuiReducer(stateRef.current, action);
        dispatchToReact(action);
      },
    [],
  );
  /** Output of the console command in flight, as streamed through onOutput so far. */
  const streaming = useRef<{ node: string; stdout: string; stderr: string } | null>(null);
  const onQuitRef = useRef(onQuit);
  onQuitRef.current = onQuit;

  const actions = useMemo<TuiActions>(() => {
    let captureCount = 0;
    let capturing = false;
    const refresh = (): void => dispatch({ type: 'snapshot', now: emulator.now(), nodes: emulator.nodes(), links: emulator.links() });
    const fail = (error: unknown): void => dispatch({ type: 'status', text: errorMessage(error), isError: true });
    const operate = (task: () => Promise<void>): void => {
      engine.queue.run(task).then(refresh, (error: unknown) => {
        fail(error);
        refresh();
      });
    };
    return {
      current: () => stateRef.current,
      refresh,
      togglePause() {
        const paused = !stateRef.current.paused;
        dispatch({ type: 'paused', paused });
        dispatch({ type: 'status', text: paused ? 'paused' : 'running' });
      },
      step() {
        if (!stateRef.current.paused) dispatch({ type: 'paused', paused: true });
        operate(async () => {
          await emulator.advance(engine.stepNs);
          dispatch({ type: 'status', text: `stepped ${engine.stepNs / 1_000_000} ms` });
        });
      },
      changeSpeed(direction) {
        const speed = nextSpeed(stateRef.current.speed, direction);
        dispatch({ type: 'speed', speed });
        dispatch({ type: 'status', text: `speed ×${speed}` });
      },
      toggleSelectedLink() {
        const link = stateRef.current.links[stateRef.current.selectedLink];
        if (link === undefined) return;
        operate(async () => {
          // Read the state when the toggle runs, so quick repeated presses each flip it.
          const up = !(emulator.links().find((l) => l.id === link.id)?.up ?? link.up);
          await emulator.setLink(link.id, { up });
          dispatch({ type: 'status', text: `link ${link.id} ${up ? 'up' : 'down'}` });
        });
      },
      toggleCapture() {
        // Decided at the key press (not from state, which lags the queued start), so c c is on, off.
        capturing = !capturing;
        if (!capturing) {
          operate(async () => {
            await emulator.stopCapture();
            const capture = stateRef.current.capture;
            dispatch({ type: 'capture', capture: null });
            dispatch({ type: 'status', text: capture === null ? 'capture stopped' : `capture stopped: ${capture.files.length} file(s) in ${capture.dir}` });
          });
          return;
        }
        captureCount++;
        const dir = captureFolder(engine.captureRoot, emulator.name, captureCount);
        operate(async () => {
          const files = await emulator.startCapture(dir);
          dispatch({ type: 'capture', capture: { dir, files } });
          dispatch({ type: 'status', text: `capturing to ${dir}: ${files.map((file) => relative(dir, file)).join(', ')}` });
        });
      },
      focus(pane) {
        dispatch({ type: 'focus', pane });
      },
      focusNext(delta) {
        dispatch({ type: 'focusNext', delta });
      },
      openOverlay(overlay) {
        dispatch({ type: 'overlay', overlay });
      },
      selectNode(delta) {
        dispatch({ type: 'selectNode', delta });
      },
      selectLink(delta) {
        dispatch({ type: 'selectLink', delta });
      },
      scrollLog(delta) {
        dispatch({ type: 'scrollLog', delta });
      },
      scrollConsole(delta) {
        dispatch({ type: 'scrollConsole', delta });
      },
      editFilter(text) {
        dispatch({ type: 'filterDraft', text });
      },
      applyFilter(text) {
        const parsed = parsePacketFilter(text);
        if (!parsed.ok) {
          dispatch({ type: 'status', text: parsed.error, isError: true });
          return;
        }
        dispatch({ type: 'filter', filter: parsed.filter });
        dispatch({ type: 'status', text: parsed.filter === null ? 'filter cleared' : `filter: ${parsed.filter.source}` });
      },
      editConsole(text) {
        dispatch({ type: 'consoleLine', text });
      },
      historyPrevious() {
        dispatch({ type: 'historyPrevious' });
      },
      historyNext() {
        dispatch({ type: 'historyNext' });
      },
      complete() {
        const current = stateRef.current;
        const node = current.nodes[current.selectedNode];
        const completion = completeCommandLine(current.consoleLine, {
          nodes: current.nodes.map((n) => n.name),
          interfaces: node?.interfaces ?? [],
        });
        dispatch({ type: 'completions', line: completion.line, candidates: completion.candidates });
      },
      submitCommand() {
        const current = stateRef.current;
        const node = selectedNodeName(current);
        const cmd = current.consoleLine.trim();
        if (node === null) return;
        if (cmd === 'clear') {
          dispatch({ type: 'consoleLine', text: '' });
          dispatch({ type: 'consoleClear', node });
          return;
        }
        dispatch({ type: 'commandStarted', node, cmd });
        if (cmd.length === 0) return;
        engine.queue
          .run(async () => {
            const streamed = { node, stdout: '', stderr: '' };
            streaming.current = streamed;
            try {
              return { result: await emulator.exec(node, cmd), streamed };
            } finally {
              streaming.current = null;
            }
          })
          .then(
            ({ result, streamed }) => {
              // Output already shown live through onOutput is not repeated; the rest is added.
              dispatch({ type: 'consoleText', node, stream: 'stdout', text: unseen(result.stdout, streamed.stdout) });
              dispatch({ type: 'consoleText', node, stream: 'stderr', text: unseen(result.stderr, streamed.stderr) });
              if (result.status !== 0 && result.stderr.length === 0) dispatch({ type: 'consoleOutput', node, lines: [{ stream: 'info', text: `[exit status ${result.status}]` }] });
            },
            (error: unknown) => {
              dispatch({ type: 'consoleOutput', node, lines: outputLines(errorMessage(error), 'stderr') });
            },
          )
          .finally(() => {
            dispatch({ type: 'commandFinished' });
            refresh();
          });
      },
      cancelLine() {
        const current = stateRef.current;
        const node = selectedNodeName(current);
        if (node === null) return;
        dispatch({ type: 'consoleOutput', node, lines: [{ stream: 'command', text: `${node}# ${current.consoleLine}^C` }] });
        dispatch({ type: 'consoleLine', text: '' });
      },
      quit() {
        dispatch({ type: 'quit' });
        onQuitRef.current();
      },
    };
  }, [emulator, engine, dispatch]);

  useEffect(() => emulator.onTrace((events) => engine.logStore.append(events)), [emulator, engine]);
  useEffect(
    () =>
      emulator.onOutput((out) => {
        const streamed = streaming.current;
        if (streamed !== null && streamed.node === out.node) streamed[out.stream] += out.text;
        dispatch({ type: 'consoleText', node: out.node, stream: out.stream, text: out.text });
      }),
    [emulator, dispatch],
  );
  useRealtimeClock(engine, state.paused || state.quitting, state.speed, actions.refresh, (error) => {
    dispatch({ type: 'paused', paused: true });
    dispatch({ type: 'status', text: errorMessage(error), isError: true });
  });

  return (
    <TuiEngineContext.Provider value={engine}>
      <TuiActionsContext.Provider value={actions}>
        <TuiStateContext.Provider value={state}>{children}</TuiStateContext.Provider>
      </TuiActionsContext.Provider>
    </TuiEngineContext.Provider>
  );
}
