/**
 * Owns the UI state (reducer) and the actions that drive the emulator through its library API:
 * pause/resume, deterministic steps, speed, link toggles, captures, console commands, filters.
 * Every emulator operation goes through the engine's SerialQueue. Failures become a red status
 * line or stderr lines in the console, never a thrown error or a stack trace on screen.
 *
 * Console commands run as on a terminal, alongside the clock: a typed line is spawned on the node
 * and runs as the real-time clock moves virtual time (× speed); while paused it waits, `.` steps
 * it. Whatever it does at the instant it starts shows at once (`ip route get` answers while
 * paused). Its output arrives through onOutput, batched by a ConsoleFeed; its end through onExit;
 * Ctrl+C in its console interrupts it (ping prints its statistics). One foreground command per
 * node; other nodes' consoles stay free.
 *
 * It also subscribes the packet log store to the emulator's trace stream, and the timeline
 * (onTimeline: the file's events as they happen) to the packet log and a notice in the header.
 */
import { useEffect, useMemo, useReducer, useRef, type ReactNode } from 'react';
import { relative } from 'node:path';
import { captureFolder } from './capture-folder.js';
import { completeCommandLine } from './command-completion.js';
import { ConsoleFeed } from './console-feed.js';
import { parsePacketFilter } from './packet-filter.js';
import { TuiActionsContext, TuiEngineContext, TuiStateContext, type TuiActions, type TuiEngine } from './tui-context.js';
import { initialTuiState, nextSpeed, outputLines, selectedNodeName, tuiReducer, type TuiAction, type TuiState } from './tui-state.js';
import { useRealtimeClock } from './use-realtime-clock.js';

/** How long a timeline event's notice stays in the header, in ms of wall time. */
export const NOTICE_MS = 4000;

/** A console command running in the foreground of a node's console. */
interface ForegroundCommand {
  /** Null until spawn() has answered. */
  handle: { id: number; interrupt(): Promise<void> } | null;
  /** Interrupted before spawn() answered: interrupt as soon as it does. */
  interruptRequested: boolean;
  wroteStderr: boolean;
}

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
  const feed = useMemo(() => new ConsoleFeed((chunks) => dispatch({ type: 'consoleText', chunks })), [dispatch]);
  /** Each node's foreground console command. */
  const foreground = useRef(new Map<string, ForegroundCommand>());
  const onQuitRef = useRef(onQuit);
  onQuitRef.current = onQuit;

  const actions = useMemo<TuiActions>(() => {
    let captureCount = 0;
    let capturing = false;
    const refresh = (): void => {
      // Output of the step just taken shows with its time.
      feed.flush();
      dispatch({ type: 'snapshot', now: emulator.now(), nodes: emulator.nodes(), links: emulator.links() });
    };
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
      toggleNodeDetail() {
        dispatch({ type: 'nodeDetail' });
      },
      scrollDetail(delta) {
        dispatch({ type: 'scrollDetail', delta });
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
        if (foreground.current.has(node)) {
          dispatch({ type: 'status', text: `${node} is running ${current.running[node] ?? 'a command'}: Ctrl+C stops it`, isError: true });
          return;
        }
        if (cmd === 'clear') {
          dispatch({ type: 'consoleLine', text: '' });
          dispatch({ type: 'consoleClear', node });
          return;
        }
        dispatch({ type: 'commandStarted', node, cmd });
        if (cmd.length === 0) {
          dispatch({ type: 'commandFinished', node });
          return;
        }
        const command: ForegroundCommand = { handle: null, interruptRequested: false, wroteStderr: false };
        foreground.current.set(node, command);
        engine.queue
          .run(async () => {
            command.handle = await emulator.spawn(node, cmd);
            if (command.interruptRequested) await command.handle.interrupt();
            // The command's first instant (one ns): an instant command answers even while paused.
            else await emulator.advance(1);
          })
          .then(refresh, (error: unknown) => {
            feed.flush();
            if (foreground.current.get(node) === command) foreground.current.delete(node);
            dispatch({ type: 'consoleOutput', node, lines: outputLines(errorMessage(error), 'stderr') });
            dispatch({ type: 'commandFinished', node });
            refresh();
          });
      },
      cancelLine() {
        const current = stateRef.current;
        const node = selectedNodeName(current);
        if (node === null) return;
        const command = foreground.current.get(node);
        if (command === undefined) {
          dispatch({ type: 'consoleOutput', node, lines: [{ stream: 'command', text: `${node}# ${current.consoleLine}^C` }] });
          dispatch({ type: 'consoleLine', text: '' });
          return;
        }
        // As a terminal echoes Ctrl+C; the program's answer (ping's statistics) follows.
        feed.push({ node, stream: 'stdout', text: '^C' });
        if (command.handle === null) {
          command.interruptRequested = true;
          return;
        }
        const handle = command.handle;
        operate(() => handle.interrupt());
      },
      quit() {
        dispatch({ type: 'quit' });
        onQuitRef.current();
      },
    };
  }, [emulator, engine, dispatch, feed]);

  useEffect(() => emulator.onTrace((events) => engine.logStore.append(events)), [emulator, engine]);
  useEffect(() => {
    const stopOutput = emulator.onOutput((out) => {
      const command = foreground.current.get(out.node);
      if (out.stream === 'stderr' && command?.handle?.id === out.id) command.wroteStderr = true;
      feed.push({ node: out.node, stream: out.stream, text: out.text });
    });
    const stopExit = emulator.onExit((exit) => {
      const command = foreground.current.get(exit.node);
      if (command?.handle?.id !== exit.id) return;
      foreground.current.delete(exit.node);
      // Everything it printed goes before the status line and the free prompt.
      feed.flush();
      if (exit.status !== 0 && !command.wroteStderr) dispatch({ type: 'consoleOutput', node: exit.node, lines: [{ stream: 'info', text: `[exit status ${exit.status}]` }] });
      dispatch({ type: 'commandFinished', node: exit.node });
    });
    return () => {
      stopOutput();
      stopExit();
      feed.close();
    };
  }, [emulator, dispatch, feed]);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const stopTimeline = emulator.onTimeline((event) => {
      engine.logStore.append([event]);
      dispatch({ type: 'notice', text: event.description });
      if (timer !== null) clearTimeout(timer);
      timer = setTimeout(() => dispatch({ type: 'notice', text: null }), NOTICE_MS);
    });
    return () => {
      stopTimeline();
      if (timer !== null) clearTimeout(timer);
    };
  }, [emulator, engine, dispatch]);
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
