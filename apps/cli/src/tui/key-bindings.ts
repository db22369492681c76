/**
 * Every key the UI understands, in one table: the help panel lists it and the tests check that
 * nothing the keyboard handler does is missing from it.
 */
export interface KeyBinding {
  keys: string;
  action: string;
}

export const KEY_BINDINGS: readonly KeyBinding[] = [
  { keys: 'Tab / Shift+Tab', action: 'move focus: nodes → links → packets → console' },
  { keys: '↑ ↓  (k j)', action: 'select node / link, scroll packets or node detail, console history' },
  { keys: 'PgUp PgDn Home End', action: 'page the node / link list, scroll the packet log (End: newest) or the console' },
  { keys: 'Enter', action: 'on the node pane: open its console; in the console: run' },
  { keys: 'Space', action: 'pause / resume virtual time' },
  { keys: '.', action: 'advance one step (10 ms of virtual time), pausing first' },
  { keys: '+  -', action: 'faster / slower (speed × real time)' },
  { keys: 'l', action: 'toggle the selected link up/down' },
  { keys: 'c', action: 'start / stop a pcap capture' },
  { keys: 'm', action: 'show / hide the topology map' },
  { keys: 'i', action: "show / hide the selected node's IPVS services or Mobile IPv6 bindings, live" },
  { keys: '/', action: 'filter packets: node r1, link ID, proto icmp, host 10.0.1.1, drop, text' },
  { keys: '?', action: 'show / hide this help' },
  { keys: 'Esc', action: 'leave the console, close a panel or prompt' },
  { keys: 'q  (Ctrl+C)', action: 'quit and restore the terminal' },
  { keys: 'console: Ctrl+C', action: 'interrupt the running command (ping prints its statistics), or abandon the line' },
  { keys: 'console: Tab', action: 'complete command, node or interface (Tab on empty line moves focus)' },
];
