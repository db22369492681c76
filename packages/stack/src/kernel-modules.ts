/**
 * The node's loadable kernel modules and `modprobe`: parts of the node that Linux builds as modules
 * (ipip, ip_vs) register a load function here, and are loaded by `modprobe NAME` or on first use
 * (as Linux's request_module does for `ipvsadm`), so a node that never uses them pays nothing per
 * packet. Loading a loaded module succeeds silently, as modprobe does.
 * Follows kmod's modprobe for what it prints: an unknown module is `modprobe: FATAL: Module NAME not
 * found in directory /lib/modules/RELEASE` with status 1 (nothing with -q); no name is kmod's
 * `modprobe: ERROR: missing parameters. See -h.` Leaves out unloading (`-r`: `modprobe: FATAL:
 * Module NAME is builtin.` would be wrong either way; netloom keeps modules once loaded), module
 * parameters, aliases and dependencies, `lsmod` and /proc/modules.
 */
import type { CommandIo } from './node-host.js';

/** The kernel release in modprobe's paths (the kernel the project's recordings come from). */
export const KERNEL_RELEASE = '6.18.0';

export class KernelModules {
  private readonly modules = new Map<string, () => void>();
  private readonly loaded = new Set<string>();

  /** A module the node can load; registering one name twice is a wiring bug. */
  register(name: string, load: () => void): void {
    if (this.modules.has(name)) throw new Error(`kernel module ${name} registered twice`);
    this.modules.set(name, load);
  }

  isLoaded(name: string): boolean {
    return this.loaded.has(name);
  }

  /** request_module: load `name` if it is not loaded. False for a module the node does not have. */
  load(name: string): boolean {
    const load = this.modules.get(name.replace(/-/g, '_'));
    if (load === undefined) return false;
    const key = name.replace(/-/g, '_');
    if (this.loaded.has(key)) return true;
    load();
    this.loaded.add(key);
    return true;
  }

  /** `modprobe [-q] NAME [PARAMETER…]` (the parameters are accepted and not used). */
  modprobe(argv: readonly string[], io: CommandIo): void {
    const quiet = argv.includes('-q') || argv.includes('--quiet');
    const name = argv.slice(1).find((a) => !a.startsWith('-'));
    if (name === undefined) {
      io.stderr('modprobe: ERROR: missing parameters. See -h.\n');
      io.exit(1);
      return;
    }
    if (!this.load(name)) {
      if (!quiet) io.stderr(`modprobe: FATAL: Module ${name} not found in directory /lib/modules/${KERNEL_RELEASE}\n`);
      io.exit(1);
      return;
    }
    io.exit(0);
  }
}
