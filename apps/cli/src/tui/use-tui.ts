/**
 * Hooks to read the UI's contexts; each throws (a programming error, not user input) when used
 * outside TuiProvider.
 */
import { useContext } from 'react';
import { TuiActionsContext, TuiEngineContext, TuiStateContext, type TuiActions, type TuiEngine } from './tui-context.js';
import type { TuiState } from './tui-state.js';

export function useTuiState(): TuiState {
  const state = useContext(TuiStateContext);
  if (state === null) throw new Error('useTuiState outside TuiProvider');
  return state;
}

export function useTuiActions(): TuiActions {
  const actions = useContext(TuiActionsContext);
  if (actions === null) throw new Error('useTuiActions outside TuiProvider');
  return actions;
}

export function useTuiEngine(): TuiEngine {
  const engine = useContext(TuiEngineContext);
  if (engine === null) throw new Error('useTuiEngine outside TuiProvider');
  return engine;
}
