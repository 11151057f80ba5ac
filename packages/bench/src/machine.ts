import * as fs from 'node:fs';
import * as os from 'node:os';

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly os: string;
  /** Where the temp files live: the disk every durable figure measures. */
  readonly disk: { readonly tmpDir: string; readonly device: string; readonly fsType: string };
  /** 1, 5 and 15 minute load averages when the run started: other work on the machine. */
  readonly loadAverage: readonly number[];
  /** The same when the run ended (set by the runner). */
  readonly loadAverageEnd?: readonly number[];
  readonly startedAt: string;
  readonly mode: 'quick' | 'full' | 'full+large';
}

/** The mount holding `dir`, from /proc/mounts (Linux); unknown elsewhere. */
function mountOf(dir: string): { device: string; fsType: string } {
  try {
    const real = fs.realpathSync(dir);
    let best = { mount: '', device: 'unknown', fsType: 'unknown' };
    for (const line of fs.readFileSync('/proc/mounts', 'utf8').split('\n')) {
      const [device, mount, fsType] = line.split(' ');
      if (device === undefined || mount === undefined || fsType === undefined) continue;
      const inside = real === mount || real.startsWith(mount === '/' ? '/' : `${mount}/`);
      if (inside && mount.length >= best.mount.length) best = { mount, device, fsType };
    }
    return { device: best.device, fsType: best.fsType };
  } catch {
    return { device: 'unknown', fsType: 'unknown' };
  }
}

const round2 = (n: number) => Math.round(n * 100) / 100;

export function loadAverage(): number[] {
  return os.loadavg().map(round2);
}

export function describeMachine(mode: Machine['mode']): Machine {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: round2(os.totalmem() / 2 ** 30),
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    disk: { tmpDir: os.tmpdir(), ...mountOf(os.tmpdir()) },
    loadAverage: loadAverage(),
    startedAt: new Date().toISOString(),
    mode,
  };
}
