/**
 * How a pane shows that it has the keyboard: a double, bright border (and, in each pane, its
 * title row in inverse video), against a thin rounded grey one for the others — visible at a
 * glance, also on terminals without colour.
 */
export function paneBorder(focused: boolean): { borderStyle: 'double' | 'round'; borderColor: string } {
  return focused ? { borderStyle: 'double', borderColor: 'cyan' } : { borderStyle: 'round', borderColor: 'gray' };
}
