/**
 * The root element: connects the provider's quit action to ink's exit and mounts the App.
 */
import { useApp } from 'ink';
import type { ReactNode } from 'react';
import { App } from './App.js';
import type { TuiEngine } from './tui-context.js';
import { TuiProvider } from './TuiProvider.js';

export interface TuiRootProps {
  engine: TuiEngine;
  speed?: number;
  startPaused?: boolean;
}

export function TuiRoot({ engine, speed, startPaused }: TuiRootProps): ReactNode {
  const { exit } = useApp();
  return (
    <TuiProvider engine={engine} speed={speed} startPaused={startPaused} onQuit={() => exit()}>
      <App />
    </TuiProvider>
  );
}
